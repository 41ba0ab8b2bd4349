/** JSON merge patch (RFC 7386): null deletes, objects merge, everything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** PatchError is a patch that cannot be applied (the API server answers 422). */
export class PatchError extends Error {}

interface Operation {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

/** JSON patch (RFC 6902): add, remove, replace, test, copy, move. Works on a deep copy. */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError('json patch must be an array');
  let doc = structuredClone(target);
  for (const op of ops as Operation[]) doc = applyOp(doc, op);
  return doc;
}

function applyOp(doc: unknown, op: Operation): unknown {
  switch (op.op) {
    case 'add': return setAt(doc, pointer(op.path), structuredClone(op.value), 'add');
    case 'replace': return setAt(doc, pointer(op.path), structuredClone(op.value), 'replace');
    case 'remove': return removeAt(doc, pointer(op.path));
    case 'test':
      if (JSON.stringify(getAt(doc, pointer(op.path))) !== JSON.stringify(op.value)) throw new PatchError(`test failed at ${op.path}`);
      return doc;
    case 'copy': return setAt(doc, pointer(op.path), structuredClone(getAt(doc, pointer(op.from ?? ''))), 'add');
    case 'move': {
      const value = getAt(doc, pointer(op.from ?? ''));
      return setAt(removeAt(doc, pointer(op.from ?? '')), pointer(op.path), value, 'add');
    }
    default: throw new PatchError(`unknown op ${String(op.op)}`);
  }
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`bad pointer ${path}`);
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function getAt(doc: unknown, keys: string[]): unknown {
  let cur = doc;
  for (const key of keys) {
    if (!isObject(cur) && !Array.isArray(cur)) throw new PatchError(`no value at /${keys.join('/')}`);
    cur = (cur as Record<string, unknown>)[key];
  }
  if (cur === undefined) throw new PatchError(`no value at /${keys.join('/')}`);
  return cur;
}

function setAt(doc: unknown, keys: string[], value: unknown, mode: 'add' | 'replace'): unknown {
  if (keys.length === 0) return value;
  const parent = getAt(doc, keys.slice(0, -1));
  const last = keys[keys.length - 1]!;
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new PatchError(`bad index ${last}`);
    if (mode === 'add') parent.splice(index, 0, value);
    else parent[index] = value;
  } else if (isObject(parent)) {
    if (mode === 'replace' && !(last in parent)) throw new PatchError(`no value at /${keys.join('/')}`);
    parent[last] = value;
  } else {
    throw new PatchError(`cannot set inside a scalar at /${keys.join('/')}`);
  }
  return doc;
}

function removeAt(doc: unknown, keys: string[]): unknown {
  const parent = getAt(doc, keys.slice(0, -1));
  const last = keys[keys.length - 1]!;
  getAt(doc, keys);
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete (parent as Record<string, unknown>)[last];
  return doc;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
