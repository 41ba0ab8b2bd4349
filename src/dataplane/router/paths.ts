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
  if (source.includes('|')) return '';
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
  return out;
}
