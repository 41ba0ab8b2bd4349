import { validHeaderName, validHeaderValue } from '../proxy/headers.js';

/**
 * HeaderOps: Kong's transformer header operations, parsed once per config and applied in Kong's
 * order (remove, rename, replace, add, append) to a flat [name, value, ...] header list.
 */
export interface HeaderOps {
  remove: Set<string>;
  rename: Array<[string, string]>;
  replace: Array<[string, string]>;
  add: Array<[string, string]>;
  append: Array<[string, string]>;
}

interface OpsConfig {
  remove?: { headers?: string[] };
  rename?: { headers?: string[] };
  replace?: { headers?: string[] };
  add?: { headers?: string[] };
  append?: { headers?: string[] };
}

/** compileHeaderOps parses "Name:value" entries; entries that could inject headers are dropped. */
export function compileHeaderOps(config: OpsConfig): HeaderOps {
  return {
    remove: new Set((config.remove?.headers ?? []).map((h) => h.trim().toLowerCase()).filter(validHeaderName)),
    rename: pairs(config.rename?.headers, true),
    replace: pairs(config.replace?.headers, false),
    add: pairs(config.add?.headers, false),
    append: pairs(config.append?.headers, false),
  };
}

function pairs(entries: string[] | undefined, bothNames: boolean): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const entry of entries ?? []) {
    const colon = entry.indexOf(':');
    if (colon <= 0) continue;
    const name = entry.slice(0, colon).trim();
    const value = entry.slice(colon + 1).trim();
    if (!validHeaderName(name) || !validHeaderValue(value)) continue;
    if (bothNames && !validHeaderName(value)) continue;
    out.push([name, value]);
  }
  return out;
}

/** isEmpty: the ops change nothing (so the plugin can be skipped entirely). */
export function isEmpty(ops: HeaderOps): boolean {
  return ops.remove.size + ops.rename.length + ops.replace.length + ops.add.length + ops.append.length === 0;
}

/** applyHeaderOps edits `list` in place. */
export function applyHeaderOps(list: string[], ops: HeaderOps): void {
  if (ops.remove.size > 0) removeWhere(list, (lower) => ops.remove.has(lower));
  for (const [from, to] of ops.rename) {
    const lower = from.toLowerCase();
    for (let i = 0; i < list.length; i += 2) if (list[i]!.toLowerCase() === lower) list[i] = to;
  }
  for (const [name, value] of ops.replace) {
    const lower = name.toLowerCase();
    if (!has(list, lower)) continue;
    removeWhere(list, (l) => l === lower);
    list.push(name, value);
  }
  for (const [name, value] of ops.add) if (!has(list, name.toLowerCase())) list.push(name, value);
  for (const [name, value] of ops.append) list.push(name, value);
}

function has(list: string[], lower: string): boolean {
  for (let i = 0; i < list.length; i += 2) if (list[i]!.toLowerCase() === lower) return true;
  return false;
}

function removeWhere(list: string[], drop: (lower: string) => boolean): void {
  for (let i = list.length - 2; i >= 0; i -= 2) if (drop(list[i]!.toLowerCase())) list.splice(i, 2);
}
