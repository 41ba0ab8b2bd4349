import type { ConfigErrorBody, FlatConfigError } from '../types.js';

export type PathSeg = string | number;

/** EntityRef: one entity of the config and where it sits (e.g. ['services', 0, 'routes', 1]). */
export interface EntityRef {
  readonly type: string;
  readonly name: string | undefined;
  readonly path: readonly PathSeg[];
}

interface Issue {
  entity: EntityRef;
  field: readonly PathSeg[];
  message: string;
}

/**
 * Issues collects every validation error with its entity and field path, and renders them in
 * both of Kong's shapes: the nested `fields` tree of `POST /config` (arrays indexed like the
 * input, entity-level errors under "@entity") and the `flatten_errors=1` list.
 */
export class Issues {
  private readonly list: Issue[] = [];

  add(entity: EntityRef, field: readonly PathSeg[], message: string): void {
    this.list.push({ entity, field, message });
  }

  get count(): number {
    return this.list.length;
  }

  body(): ConfigErrorBody {
    const fields: Record<string, unknown> = {};
    for (const issue of this.list) {
      const at = issue.field.length === 0 ? [...issue.entity.path, '@entity'] : [...issue.entity.path, ...issue.field];
      place(fields, at, issue.message, issue.field.length === 0);
    }
    const summary = this.list.slice(0, 5).map(describe).join('; ');
    const more = this.list.length > 5 ? ` (and ${this.list.length - 5} more)` : '';
    return {
      code: 14,
      name: 'invalid declarative configuration',
      message: `declarative config is invalid: ${summary}${more}`,
      fields,
    };
  }

  flat(): FlatConfigError[] {
    const byEntity = new Map<string, FlatConfigError>();
    for (const issue of this.list) {
      const key = issue.entity.path.join('\u0000');
      let entry = byEntity.get(key);
      if (!entry) {
        entry = { entity_type: issue.entity.type, errors: [] };
        if (issue.entity.name !== undefined) entry.entity_name = issue.entity.name;
        byEntity.set(key, entry);
      }
      if (issue.field.length === 0) entry.errors.push({ type: 'entity', message: issue.message });
      else entry.errors.push({ type: 'field', field: issue.field.join('.'), message: issue.message });
    }
    return [...byEntity.values()];
  }
}

function describe(issue: Issue): string {
  const where = [...issue.entity.path, ...issue.field].map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');
  return `${where.replace(/^\./, '')}: ${issue.message}`;
}

/** place writes a message into the nested tree, creating arrays for indexes and objects for names. */
function place(root: Record<string, unknown>, at: readonly PathSeg[], message: string, list: boolean): void {
  let node: Record<string, unknown> | unknown[] = root;
  for (let i = 0; i < at.length - 1; i++) {
    const seg = at[i]!;
    const nextIsIndex = typeof at[i + 1] === 'number';
    let child = (node as Record<PathSeg, unknown>)[seg];
    if (child === null || typeof child !== 'object') {
      child = nextIsIndex ? [] : {};
      setSlot(node, seg, child);
    }
    node = child as Record<string, unknown> | unknown[];
  }
  const last = at[at.length - 1]!;
  const prev = (node as Record<PathSeg, unknown>)[last];
  if (list) setSlot(node, last, Array.isArray(prev) ? [...prev, message] : [message]);
  else setSlot(node, last, typeof prev === 'string' ? `${prev}; ${message}` : message);
}

function setSlot(node: Record<string, unknown> | unknown[], seg: PathSeg, value: unknown): void {
  if (Array.isArray(node) && typeof seg === 'number') {
    while (node.length < seg) node.push(null);
    node[seg] = value;
  } else {
    Object.defineProperty(node, String(seg), { value, enumerable: true, writable: true, configurable: true });
  }
}
