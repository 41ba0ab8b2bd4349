import type { EntityRef, Issues, PathSeg } from './issues.js';

export type Obj = Record<string, unknown>;

/** isObj: a plain record (not null, not an array). */
export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** own reads a field only when the record itself has it (never its prototype's). */
export function own(obj: Obj, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Fields Kong accepts on every entity and berth ignores. */
const COMMON = ['id', 'created_at', 'updated_at', 'tags'];

/**
 * Scope: typed field readers over one record of one entity. Each reader returns the value when
 * it is valid (or absent and optional) and otherwise records an error at the field's path.
 */
export class Scope {
  constructor(
    readonly issues: Issues,
    readonly entity: EntityRef,
    readonly obj: Obj,
    readonly prefix: readonly PathSeg[] = [],
  ) {}

  err(field: PathSeg | readonly PathSeg[] | null, message: string): void {
    const rel = field === null ? [] : Array.isArray(field) ? field : [field as PathSeg];
    this.issues.add(this.entity, this.prefix.length === 0 && rel.length === 0 ? [] : [...this.prefix, ...rel], message);
  }

  has(key: string): boolean {
    return own(this.obj, key) !== undefined && own(this.obj, key) !== null;
  }

  /** child scopes into a nested record; undefined when absent or (with an error) not a record. */
  child(key: string): Scope | undefined {
    const v = own(this.obj, key);
    if (v === undefined || v === null) return undefined;
    if (!isObj(v)) return void this.err(key, 'expected a record');
    return new Scope(this.issues, this.entity, v, [...this.prefix, key]);
  }

  str(key: string, required = false, allowEmpty = false): string | undefined {
    const v = own(this.obj, key);
    if (v === undefined || v === null) return required ? void this.err(key, 'required field missing') : undefined;
    if (typeof v !== 'string') return void this.err(key, 'expected a string');
    if (v.length === 0 && !allowEmpty) return void this.err(key, 'length must be at least 1');
    return v;
  }

  int(key: string, min: number, max: number): number | undefined {
    const v = own(this.obj, key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) return void this.err(key, 'expected an integer');
    if (v < min || v > max) return void this.err(key, `value should be between ${min} and ${max}`);
    return v;
  }

  num(key: string, min: number, max: number): number | undefined {
    const v = own(this.obj, key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) return void this.err(key, 'expected a number');
    if (v < min || v > max) return void this.err(key, `value should be between ${min} and ${max}`);
    return v;
  }

  bool(key: string): boolean | undefined {
    const v = own(this.obj, key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') return void this.err(key, 'expected a boolean');
    return v;
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T | undefined {
    const v = this.str(key);
    if (v === undefined) return undefined;
    if (!(values as readonly string[]).includes(v)) return void this.err(key, `expected one of: ${values.join(', ')}`);
    return v as T;
  }

  /** list reads an array of strings; `each` returns an error message for a bad element. */
  list(key: string, each?: (s: string) => string | undefined): string[] | undefined {
    const v = own(this.obj, key);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) return void this.err(key, 'expected an array');
    let ok = true;
    v.forEach((item, i) => {
      const msg = typeof item !== 'string' ? 'expected a string' : each?.(item);
      if (msg !== undefined) {
        this.err([key, i], msg);
        ok = false;
      }
    });
    return ok ? (v as string[]) : undefined;
  }

  /** intList reads an array of integers within [min, max]. */
  intList(key: string, min: number, max: number): number[] | undefined {
    const v = own(this.obj, key);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) return void this.err(key, 'expected an array');
    let ok = true;
    v.forEach((item, i) => {
      if (typeof item !== 'number' || !Number.isInteger(item) || item < min || item > max) {
        this.err([key, i], `value should be between ${min} and ${max}`);
        ok = false;
      }
    });
    return ok ? (v as number[]) : undefined;
  }

  tags(): string[] | undefined {
    return this.list('tags');
  }

  /** unknown reports fields that are neither `allowed` nor Kong's common ones, as Kong does. */
  unknown(allowed: readonly string[]): void {
    for (const key of Object.keys(this.obj)) {
      if (!allowed.includes(key) && !COMMON.includes(key)) this.err(key, 'unknown field');
    }
  }
}
