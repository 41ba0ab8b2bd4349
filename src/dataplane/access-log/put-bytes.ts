/**
 * Writing JSON values as bytes into an access-log batch: each put* stores at `at` in `into` and
 * returns the offset after what it wrote. Stores past `into.length` are ignored (a typed array
 * drops them) and the returned offset still counts them: format.ts LineEncoder.
 */

/** ascii: a string known to be ASCII as bytes, for constant fragments: a Buffer, as the batches are (json-line.ts encodeFragment says why). */
export const ascii = (text: string): Uint8Array => Buffer.from(text, 'latin1');

/**
 * Uint8Array.prototype.set, called as a constant: TurboFan did not resolve `into.set` on a Buffer
 * through its prototype chain and looked it up with a generic LoadIC on every call (~65
 * instructions each, bench/instructions.sh; `--print-opt-code` showed the call).
 */
const typedArraySet = Uint8Array.prototype.set;

export function putBytes(into: Uint8Array, at: number, bytes: Uint8Array): number {
  const end = at + bytes.length;
  // A line that runs past the batch is encoded again into a bigger one (LineEncoder); `set`
  // would throw where single stores are ignored.
  if (end <= into.length) typedArraySet.call(into, bytes, at);
  return end;
}

/** putAscii: a string known to be ASCII (or Latin-1), one byte a character. */
export function putAscii(into: Uint8Array, at: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) into[at + i] = s.charCodeAt(i);
  return at + n;
}

const HEX = '0123456789abcdef';

/**
 * putJsonString: `v` as a JSON string, or null. Quotes, backslashes and controls are escaped as
 * JSON.stringify does (RFC 8259 s7), and every code unit from DEL up is written as \uXXXX, which
 * keeps the line ASCII and turns a lone surrogate into the escape JSON.stringify gives it.
 */
export function putJsonString(into: Uint8Array, at: number, v: string | null): number {
  if (v === null) return putAscii(into, at, 'null');
  let p = at;
  into[p++] = 0x22;
  const n = v.length;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) into[p++] = c;
    else p = putEscape(into, p, c);
  }
  into[p] = 0x22;
  return p + 1;
}

function putEscape(into: Uint8Array, at: number, c: number): number {
  into[at] = 0x5c; // backslash
  const short = c === 0x22 ? 0x22 : c === 0x5c ? 0x5c : c === 8 ? 0x62 : c === 9 ? 0x74 : c === 10 ? 0x6e : c === 12 ? 0x66 : c === 13 ? 0x72 : 0;
  if (short !== 0) {
    into[at + 1] = short;
    return at + 2;
  }
  into[at + 1] = 0x75; // u
  into[at + 2] = HEX.charCodeAt(c >>> 12);
  into[at + 3] = HEX.charCodeAt((c >>> 8) & 15);
  into[at + 4] = HEX.charCodeAt((c >>> 4) & 15);
  into[at + 5] = HEX.charCodeAt(c & 15);
  return at + 6;
}

/** putDigits: a non-negative safe integer in decimal. */
export function putDigits(into: Uint8Array, at: number, n: number): number {
  let digits = 1;
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  let rest = n;
  for (let i = at + digits - 1; i >= at; i--) {
    const next = Math.floor(rest / 10);
    into[i] = 0x30 + (rest - next * 10);
    rest = next;
  }
  return at + digits;
}

/** JSON has no NaN or Infinity (RFC 8259 s6); JSON.stringify writes null for them too. */
export function putNumber(into: Uint8Array, at: number, n: number): number {
  if (Number.isSafeInteger(n) && n >= 0) return putDigits(into, at, n);
  return putAscii(into, at, Number.isFinite(n) ? String(n) : 'null');
}

/**
 * putMillis: milliseconds rounded to the microsecond, as a JSON number. Written from the integer
 * count of microseconds: a double's shortest decimal form costs several times more, and the text
 * parses to the same double as Math.round(ms * 1000) / 1000 (both are the nearest to us / 1000).
 */
export function putMillis(into: Uint8Array, at: number, ms: number): number {
  const us = Math.round(ms * 1000);
  // Latencies under 35 minutes: small-integer arithmetic throughout (NaN fails the test too).
  if (us >= 0 && us <= 0x7fffffff) return putMicrosAsMillis(into, at, us | 0);
  if (!Number.isFinite(ms)) return putAscii(into, at, 'null');
  if (!Number.isSafeInteger(us)) return putNumber(into, at, us / 1000);
  let p = at;
  if (us < 0) into[p++] = 0x2d; // -
  const abs = us < 0 ? -us : us;
  const whole = Math.floor(abs / 1000);
  p = putDigits(into, p, whole);
  return putFraction(into, p, abs - whole * 1000);
}

/** putMicrosAsMillis: 0 <= us < 2^31 microseconds as milliseconds. */
function putMicrosAsMillis(into: Uint8Array, at: number, us: number): number {
  const whole = (us / 1000) | 0;
  let p = at;
  if (whole < 10) into[p++] = 0x30 + whole;
  else if (whole < 100) {
    const tens = (whole / 10) | 0;
    into[p] = 0x30 + tens;
    into[p + 1] = 0x30 + whole - tens * 10;
    p += 2;
  } else p = putDigits(into, p, whole);
  return putFraction(into, p, us - whole * 1000);
}

/**
 * FRACTIONS: for each 0 < f < 1000, `.` and the thousandths f without trailing zeros (as
 * JSON.stringify writes 1.17, not 1.170), as bytes packed little-endian, the unused ones 0; 0 for
 * f = 0. A table read and two to four stores cost ~40 instructions a latency less than dividing
 * out three digits and their trailing zeros (bench/RESULTS.md "Fourteenth session").
 */
const FRACTIONS = Int32Array.from({ length: 1000 }, (_, f) => {
  if (f === 0) return 0;
  const text = '.' + String(f).padStart(3, '0').replace(/0+$/, '');
  let packed = 0;
  for (let i = 0; i < text.length; i++) packed |= text.charCodeAt(i) << (8 * i);
  return packed;
});

/** putFraction: 0 <= frac < 1000 thousandths as FRACTIONS has them; nothing for 0. */
function putFraction(into: Uint8Array, at: number, frac: number): number {
  const packed = FRACTIONS[frac]!;
  if (packed === 0) return at;
  into[at] = 0x2e; // .
  into[at + 1] = (packed >>> 8) & 0xff;
  const third = (packed >>> 16) & 0xff;
  if (third === 0) return at + 2;
  into[at + 2] = third;
  const fourth = packed >>> 24;
  if (fourth === 0) return at + 3;
  into[at + 3] = fourth;
  return at + 4;
}

/**
 * putThreeDigits: 0 <= n < 1000 with leading zeros. `| 0` keeps the divisions in 32-bit integers
 * (a multiply and shifts); Math.floor made TurboFan divide and round doubles.
 */
export function putThreeDigits(into: Uint8Array, at: number, n: number): number {
  const hundreds = (n / 100) | 0;
  const tens = ((n / 10) | 0) - hundreds * 10;
  into[at] = 0x30 + hundreds;
  into[at + 1] = 0x30 + tens;
  into[at + 2] = 0x30 + (n - hundreds * 100 - tens * 10);
  return at + 3;
}
