import { randomFillSync } from 'node:crypto';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/), the two headers berth reads and writes:
 * `traceparent` (version-traceid-parentid-flags) and `tracestate` (vendor list). Parsing follows
 * the spec's processing model (s3.2.2, s3.3.1): an invalid traceparent restarts the trace and its
 * tracestate is dropped; an invalid tracestate is dropped on its own.
 */

export interface TraceParent {
  /** 32 lowercase hex digits, not all zero. */
  readonly traceId: string;
  /** 16 lowercase hex digits, not all zero: the caller's span. */
  readonly parentId: string;
  /** trace-flags bit 0 (s3.2.2.5): the caller may have recorded this trace. */
  readonly sampled: boolean;
}

const HEX = /^[0-9a-f]+$/;
const ZERO_TRACE = '00000000000000000000000000000000';
const ZERO_SPAN = '0000000000000000';

/**
 * parseTraceParent: the incoming header (node joins repeated headers with ", ", which makes a
 * duplicated traceparent invalid, as s3.2.1 wants) or null when it must be replaced.
 */
export function parseTraceParent(header: string | undefined): TraceParent | null {
  if (header === undefined) return null;
  const value = header.replace(/^[ \t]+|[ \t]+$/g, '');
  if (value.length < 55) return null;
  const version = value.slice(0, 2);
  if (!HEX.test(version) || version === 'ff') return null;
  // Version 00 is exactly 55 characters; a later version may append fields after a dash (s3.2.4).
  if (version === '00' ? value.length !== 55 : value.length > 55 && value.charCodeAt(55) !== 45 /* - */) return null;
  if (value.charCodeAt(2) !== 45 || value.charCodeAt(35) !== 45 || value.charCodeAt(52) !== 45) return null;
  const traceId = value.slice(3, 35);
  const parentId = value.slice(36, 52);
  const flags = value.slice(53, 55);
  if (!HEX.test(traceId) || !HEX.test(parentId) || !HEX.test(flags)) return null;
  if (traceId === ZERO_TRACE || parentId === ZERO_SPAN) return null;
  return { traceId, parentId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

/** formatTraceParent: what berth sends upstream, always version 00 (s3.2.4: a newer version is downgraded). */
export function formatTraceParent(traceId: string, spanId: string, sampled: boolean): string {
  return '00-' + traceId + '-' + spanId + (sampled ? '-01' : '-00');
}

// s3.3.1.3: simple-key or tenant@system, value of printable ASCII without "," and "=", no trailing space.
const KEY = /^(?:[a-z][a-z0-9_\-*/]{0,255}|[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13})$/;
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
const MAX_MEMBERS = 32;

/**
 * normalizeTraceState: the tracestate to forward (members trimmed of OWS, empty ones dropped), or
 * null when the header is absent, empty or invalid (a bad key or value, a duplicate key, more than
 * 32 members), which s3.3.1.1 says to discard rather than pass on.
 */
export function normalizeTraceState(header: string | undefined): string | null {
  if (header === undefined) return null;
  const members: string[] = [];
  const keys = new Set<string>();
  for (const raw of header.split(',')) {
    const member = raw.replace(/^[ \t]+|[ \t]+$/g, '');
    if (member === '') continue;
    const eq = member.indexOf('=');
    if (eq <= 0) return null;
    const key = member.slice(0, eq);
    if (!KEY.test(key) || !VALUE.test(member.slice(eq + 1)) || keys.has(key)) return null;
    keys.add(key);
    members.push(member);
  }
  if (members.length === 0 || members.length > MAX_MEMBERS) return null;
  return members.join(',');
}

// Ids come from one random buffer refilled every 256 ids: one crypto call per many requests.
const pool = Buffer.alloc(4096);
let offset = pool.length;

function randomHex(bytes: number): string {
  for (;;) {
    if (offset + bytes > pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    const hex = pool.toString('hex', offset, offset + bytes);
    offset += bytes;
    // All-zero ids are invalid (s3.2.2.3, s3.2.2.4); at 2^-64 this loop almost never repeats.
    if (hex !== ZERO_TRACE.slice(0, bytes * 2)) return hex;
  }
}

/** newTraceId: 16 random bytes as 32 hex digits. */
export function newTraceId(): string {
  return randomHex(16);
}

/** newSpanId: 8 random bytes as 16 hex digits. */
export function newSpanId(): string {
  return randomHex(8);
}
