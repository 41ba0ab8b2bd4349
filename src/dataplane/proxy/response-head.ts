import { FIELD_VALUE_CHAR, TOKEN_CHAR, isOws, trimOws } from './field-chars.js';
import { equalsLowercase, isHopByHopHeader } from './headers.js';

/**
 * Framing: what a response head says about its status, body and connection. Parsing is as strict
 * as llhttp without lenient flags (nodejs/llhttp src/llhttp/http.ts): CRLF line ends only, tokens
 * for names with the colon right after, no obs-fold, no control bytes in values, one
 * Content-Length of digits.
 */
export interface Framing {
  status: number;
  /** HTTP/1.1 (else 1.0). */
  http11: boolean;
  length: number;
  chunked: boolean;
  transferEncoding: boolean;
  /** Content-Length and Transfer-Encoding together (RFC 9112 s6.3: never reuse the connection). */
  conflicting: boolean;
  close: boolean;
  keepAlive: boolean;
  keepAliveHintMs: number;
  /** The Upgrade header's value ('' when absent): a 101 names the protocol it switches to. */
  upgrade: string;
}

/**
 * parseHead parses a response head (status line and header lines, without the blank line) and
 * fills `out` with [name, value, ...] minus hop-by-hop headers and the headers its Connection
 * header lists (RFC 9110 s7.6.1). Returns null when the head is malformed.
 */
export function parseHead(head: string, out: string[]): Framing | null {
  let eol = head.indexOf('\r\n');
  if (eol < 0) eol = head.length;
  const status = statusOf(head, eol);
  if (status < 0) return null;
  const f: Framing = {
    status, http11: head.charCodeAt(7) === 49 /* 1 */, length: -1, chunked: false, transferEncoding: false,
    conflicting: false, close: false, keepAlive: false, keepAliveHintMs: -1, upgrade: '',
  };
  let listed: string[] | null = null;
  let pos = eol + 2;
  const size = head.length;
  // The tables as locals: through the module's bindings, each character paid a check that they
  // are initialized (field-chars.ts isFieldValue).
  const tokenChar = TOKEN_CHAR;
  const fieldValueChar = FIELD_VALUE_CHAR;
  while (pos < size) {
    // One pass per line: a token name, the colon right after it, then value bytes up to CRLF
    // (a bare CR or LF is no value byte, so it ends nothing but the head's validity).
    const lineStart = pos;
    let colon = pos;
    while (tokenChar[head.charCodeAt(colon)] === 1) colon++;
    if (colon === lineStart || head.charCodeAt(colon) !== 58 /* : */) return null;
    let start = colon + 1;
    while (start < size && isOws(head.charCodeAt(start))) start++;
    let end = start;
    for (; end < size; end++) {
      const c = head.charCodeAt(end);
      if (c === 13 /* CR */) break;
      if (fieldValueChar[c] !== 1) return null;
    }
    if (end < size && head.charCodeAt(end + 1) !== 10 /* LF */) return null;
    pos = end + 2;
    while (end > start && isOws(head.charCodeAt(end - 1))) end--;
    const name = head.slice(lineStart, colon);
    const value = head.slice(start, end);
    const connectionTokens = noteFraming(name, value, f);
    if (connectionTokens === false) return null;
    if (connectionTokens !== true) listed = listed === null ? connectionTokens : listed.concat(connectionTokens);
    if (!isHopByHopHeader(name)) out.push(name, value);
  }
  if (f.transferEncoding) {
    f.conflicting = f.length >= 0;
    f.length = -1;
    removeHeader(out, 'content-length');
  }
  if (listed !== null) for (const name of listed) removeHeader(out, name);
  return f;
}

/**
 * statusOf: the status of a status line `HTTP/1.x DDD[ reason]` ending at `eol`, or -1 when the
 * line is not one (the reason may hold no CR or LF). A status below 100 is no HTTP status a proxy
 * could forward (llhttp takes any three digits).
 */
function statusOf(head: string, eol: number): number {
  if (eol < 12 || !head.startsWith('HTTP/1.') || head.charCodeAt(8) !== 32 /* SP */) return -1;
  const minor = head.charCodeAt(7);
  if (minor !== 48 && minor !== 49) return -1;
  const d0 = head.charCodeAt(9) - 48;
  const d1 = head.charCodeAt(10) - 48;
  const d2 = head.charCodeAt(11) - 48;
  if (d0 < 1 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return -1;
  if (eol > 12) {
    if (head.charCodeAt(12) !== 32) return -1;
    for (let i = 13; i < eol; i++) {
      const c = head.charCodeAt(i);
      if (c === 13 || c === 10) return -1;
    }
  }
  return d0 * 100 + d1 * 10 + d2;
}

function removeHeader(out: string[], lowerName: string): void {
  for (let i = out.length - 2; i >= 0; i -= 2) {
    if (out[i]!.toLowerCase() === lowerName) out.splice(i, 2);
  }
}

/**
 * noteFraming records what a framing header says: false when it is malformed, the extra header
 * names a Connection header lists, or true.
 */
function noteFraming(name: string, value: string, f: Framing): boolean | string[] {
  const len = name.length;
  if (len === 14 && equalsLowercase(name, 'content-length')) {
    if (f.length >= 0 || !/^\d{1,15}$/.test(value)) return false; // llhttp: "Duplicate Content-Length"
    f.length = Number(value);
  } else if (len === 17 && equalsLowercase(name, 'transfer-encoding')) {
    f.transferEncoding = true;
    // The last coding decides; a later Transfer-Encoding header continues the list (RFC 9110 s5.3).
    f.chunked = /(?:^|,)[ \t]*chunked$/i.test(value);
  } else if (len === 10 && equalsLowercase(name, 'connection')) {
    return connectionTokens(value, f);
  } else if (len === 7 && equalsLowercase(name, 'upgrade')) {
    f.upgrade = value;
  } else if (len === 10 && equalsLowercase(name, 'keep-alive')) {
    const m = /timeout=(\d{1,6})/i.exec(value);
    if (m !== null) f.keepAliveHintMs = Number(m[1]) * 1000;
  }
  return true;
}

/** connectionTokens notes close / keep-alive and returns the other listed names (lowercased). */
function connectionTokens(value: string, f: Framing): true | string[] {
  // Nearly every upstream sends exactly one of the two.
  if (equalsLowercase(value, 'keep-alive')) {
    f.keepAlive = true;
    return true;
  }
  if (equalsLowercase(value, 'close')) {
    f.close = true;
    return true;
  }
  let extra: string[] | null = null;
  for (const part of value.split(',')) {
    const token = trimOws(part).toLowerCase();
    if (token === 'close') f.close = true;
    else if (token === 'keep-alive') f.keepAlive = true;
    // Content-Length frames what berth forwards; Upgrade is rebuilt by the tunnel.
    else if (token !== '' && token !== 'upgrade' && token !== 'content-length') (extra ??= []).push(token);
  }
  return extra ?? true;
}

export function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
