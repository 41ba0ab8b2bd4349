/**
 * joinPath prepends a service path to what is left of the request path, with exactly one '/'
 * between them and always a leading '/'. (Kong's path_handling v0 can glue "/s" and "x" into
 * "/sx"; berth always joins on a slash, which is what KIC's `/echo/` prefix routes need.)
 */
export function joinPath(base: string | undefined, rest: string): string {
  if (base === undefined || base === '' || base === '/') {
    if (rest === '') return '/';
    return rest.charCodeAt(0) === 47 ? rest : `/${rest}`;
  }
  if (rest === '') return base;
  const baseSlash = base.charCodeAt(base.length - 1) === 47;
  const restSlash = rest.charCodeAt(0) === 47;
  if (baseSlash && restSlash) return base + rest.slice(1);
  return baseSlash || restSlash ? base + rest : `${base}/${rest}`;
}

const SPECIAL = new Set(['\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}']);
const QUANTIFIER = new Set(['?', '*', '{']);

/**
 * literalPrefix: the text every match of an (anchored) regex source must start with, so the
 * router can reject most paths with `startsWith` before running the regex. Conservative: a
 * pattern with alternation anywhere yields "".
 */
export function literalPrefix(source: string): string {
  return scanLiteral(source).text;
}

/**
 * pathSegmentKey: the first path segment every path this route path matches must have, or null
 * when it is not fixed (a prefix such as "/echo" also matches "/echoes", so only a prefix with a
 * second '/' fixes it; a regex fixes it with a literal "/seg/" or when it is exactly "/seg$").
 */
export function pathSegmentKey(path: string): string | null {
  let literal = path;
  if (path.startsWith('~')) {
    const scan = scanLiteral(path.slice(1));
    literal = scan.text;
    if (scan.rest === '$' && literal.startsWith('/') && !literal.includes('/', 1)) return literal.slice(1);
  }
  if (!literal.startsWith('/')) return null;
  const end = literal.indexOf('/', 1);
  return end < 0 ? null : literal.slice(1, end);
}

/** firstSegment: the request path's first segment ("/a/b" -> "a", "/" -> ""). Hot path. */
export function firstSegment(path: string): string {
  const end = path.indexOf('/', 1);
  return end < 0 ? path.slice(1) : path.slice(1, end);
}

function scanLiteral(source: string): { text: string; rest: string } {
  if (source.includes('|')) return { text: '', rest: source };
  let i = source.startsWith('^') ? 1 : 0;
  let out = '';
  while (i < source.length) {
    let ch = source[i]!;
    let width = 1;
    if (ch === '\\') {
      const next = source[i + 1];
      if (next === undefined || /[A-Za-z0-9]/.test(next)) break;
      ch = next;
      width = 2;
    } else if (SPECIAL.has(ch)) {
      break;
    }
    if (QUANTIFIER.has(source[i + width] ?? '')) break;
    out += ch;
    i += width;
  }
  return { text: out, rest: source.slice(i) };
}
