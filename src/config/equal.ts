/**
 * sameConfigValue: structural equality with the digest's notion of sameness (config/hash.ts):
 * object key order does not matter, an undefined field equals an absent one, array order does.
 * Used where digests are not at hand (a config applied in a --workers process or from a file):
 * comparing two equal entities stops at nothing but allocates nothing, unlike hashing them.
 */
export function sameConfigValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    if (a.length !== other.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameConfigValue(a[i], other[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let definedInX = 0;
  for (const key in x) {
    if (x[key] === undefined) continue;
    definedInX++;
    if (!sameConfigValue(x[key], y[key])) return false;
  }
  let definedInY = 0;
  for (const key in y) if (y[key] !== undefined) definedInY++;
  return definedInX === definedInY;
}
