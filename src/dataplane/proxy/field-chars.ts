/**
 * HTTP/1.1 head syntax shared by the request parser, the response parser and the response writer:
 * byte classes of header fields as lookup tables (a table read per character is cheaper than a
 * regular expression per name or value on the proxy's hot path) and the bytes that end a head.
 */

/** byteTable: a byte-class lookup (1 for the bytes listed and the ranges given). */
export function byteTable(chars: string, ranges: Array<[number, number]> = []): Uint8Array {
  const t = new Uint8Array(256);
  for (const c of chars) t[c.charCodeAt(0)] = 1;
  for (const [a, b] of ranges) for (let c = a; c <= b; c++) t[c] = 1;
  return t;
}

/** RFC 9110 s5.6.2 tchar. */
export const TOKEN_CHAR = byteTable("!#$%&'*+-.^_`|~", [[48, 57], [65, 90], [97, 122]]);
/** Field-value bytes llhttp and node accept: HTAB, SP, VCHAR, obs-text (no other control byte, no DEL). */
export const FIELD_VALUE_CHAR = byteTable('\t', [[32, 126], [128, 255]]);

/** The blank line that ends an HTTP/1.1 head, as bytes: a string needle is encoded again on every search. */
export const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

/** isOws: SP or HTAB, the optional whitespace around field values (RFC 9110 s5.6.3). */
export function isOws(c: number): boolean {
  return c === 32 || c === 9;
}

/** trimOws: `v` without leading and trailing optional whitespace. */
export function trimOws(v: string): string {
  let a = 0;
  let b = v.length;
  while (a < b && isOws(v.charCodeAt(a))) a++;
  while (b > a && isOws(v.charCodeAt(b - 1))) b--;
  return a === 0 && b === v.length ? v : v.slice(a, b);
}

/** isToken: `s` is a non-empty token (a character above 255 reads as undefined: not one). */
export function isToken(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  const tokenChar = TOKEN_CHAR; // a local: see below
  for (let i = 0; i < n; i++) if (tokenChar[s.charCodeAt(i)] !== 1) return false;
  return true;
}

/**
 * isFieldValue: every character of `s` may stand in a field value. The table is read through a
 * local: through the module's binding, V8 checked on each character that the binding was
 * initialized, ~10 % of such a loop's instructions (bench/instructions.sh). Sticky regular
 * expressions over the runs instead cost as much: their call and their scan (~12 instructions a
 * character) ate what the loops lost (bench/RESULTS.md "Thirteenth session").
 */
export function isFieldValue(s: string): boolean {
  const n = s.length;
  const fieldValueChar = FIELD_VALUE_CHAR;
  for (let i = 0; i < n; i++) if (fieldValueChar[s.charCodeAt(i)] !== 1) return false;
  return true;
}
