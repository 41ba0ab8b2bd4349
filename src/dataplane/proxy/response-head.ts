import { isHopByHopHeader } from './headers.js';

/** Framing: what a response head says about its body and its connection. */
export interface Framing {
  length: number;
  chunked: boolean;
  close: boolean;
  keepAlive: boolean;
  transferEncoding: boolean;
  keepAliveHintMs: number;
  /** The Upgrade header's value ('' when absent): a 101 names the protocol it switches to. */
  upgrade: string;
}

export function emptyFraming(): Framing {
  return { length: -1, chunked: false, close: false, keepAlive: false, transferEncoding: false, keepAliveHintMs: -1, upgrade: '' };
}

/** collectHeaders fills `out` with [name, value, ...] minus hop-by-hop; null when malformed. */
export function collectHeaders(head: string, pos: number, out: string[]): Framing | null {
  const f = emptyFraming();
  while (pos < head.length) {
    let eol = head.indexOf('\r\n', pos);
    if (eol < 0) eol = head.length;
    const colon = head.indexOf(':', pos);
    if (colon <= pos || colon > eol) return null;
    const name = head.slice(pos, colon);
    const value = head.slice(colon + 1, eol).trim();
    pos = eol + 2;
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) return null;
    if (!noteFraming(name, value, f)) return null;
    if (!isHopByHopHeader(name)) out.push(name, value);
  }
  if (f.transferEncoding) dropLength(f, out);
  return f;
}

/** dropLength: with a Transfer-Encoding, Content-Length is meaningless (RFC 9112 s6.3) and must not leak. */
function dropLength(f: Framing, out: string[]): void {
  f.length = -1;
  removeHeader(out, 'content-length');
}

function removeHeader(out: string[], lowerName: string): void {
  for (let i = out.length - 2; i >= 0; i -= 2) {
    if (out[i]!.toLowerCase() === lowerName) out.splice(i, 2);
  }
}

function noteFraming(name: string, value: string, f: Framing): boolean {
  if (name.length === 14 && name.toLowerCase() === 'content-length') {
    if (!/^\d{1,15}$/.test(value)) return false;
    const n = Number(value);
    if (f.length >= 0 && f.length !== n) return false;
    f.length = n;
  } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
    f.transferEncoding = true;
    f.chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
    if (!f.chunked) f.close = true; // an unknown coding: the body runs until close
  } else if (name.length === 10 && name.toLowerCase() === 'connection') {
    const v = value.toLowerCase();
    if (v.includes('close')) f.close = true;
    if (v.includes('keep-alive')) f.keepAlive = true;
  } else if (name.length === 7 && name.toLowerCase() === 'upgrade') {
    f.upgrade = value;
  } else if (name.length === 10 && name.toLowerCase() === 'keep-alive') {
    const m = /timeout=(\d{1,6})/i.exec(value);
    if (m !== null) f.keepAliveHintMs = Number(m[1]) * 1000;
  }
  return true;
}

export function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
