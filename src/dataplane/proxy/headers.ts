/**
 * Header rules of the proxy: hop-by-hop headers (RFC 9110 s7.6.1) never cross the proxy, and the
 * X-Forwarded-* / X-Real-IP / Via / Forwarded set is always written by the proxy itself
 * (forwarded.ts: kept and extended only from --trusted-ips peers), as are the W3C trace headers
 * (tracing/trace-context.ts).
 */

/** HOP_BY_HOP: lower-cased names that are removed in both directions. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);

/** REQUEST_DROP: lower-cased request header names the proxy drops and writes itself. */
const REQUEST_DROP: ReadonlySet<string> = new Set([
  ...HOP_BY_HOP,
  'host',
  'content-length', // written by the proxy from the parsed request: nothing else may change the framing
  'expect',
  'via',
  'x-real-ip',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-forwarded-path',
  'x-forwarded-prefix',
  'forwarded',
  'traceparent',
  'tracestate',
]);

// Lowercasing every header name costs; only names whose length matches a dropped one are checked.
const REQUEST_DROP_LENGTHS = lengthTable(REQUEST_DROP);
const HOP_LENGTHS = lengthTable(HOP_BY_HOP);

function lengthTable(names: ReadonlySet<string>): Uint8Array {
  const table = new Uint8Array(64);
  for (const n of names) table[n.length] = 1;
  return table;
}

/** isDroppedRequestHeader: the raw-case request header `name` must not be copied upstream. */
export function isDroppedRequestHeader(name: string, extra: ReadonlySet<string> | null): boolean {
  // HTTP/2 pseudo-headers (:method, :path, ...) are the request line, never header fields upstream.
  if (name.charCodeAt(0) === 58 /* : */) return true;
  if (extra !== null && extra.has(name.toLowerCase())) return true;
  return REQUEST_DROP_LENGTHS[name.length] === 1 && REQUEST_DROP.has(name.toLowerCase());
}

/**
 * equalsLowercase: `name` is `lower` (an all-lowercase ASCII literal) in any letter case, compared
 * without building the lowercased copy toLowerCase() allocates for each mixed-case name.
 */
export function equalsLowercase(name: string, lower: string): boolean {
  const n = lower.length;
  if (name.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    // Only A-Z fold (c | 0x20); any other byte must match exactly.
    if (c !== lower.charCodeAt(i) && !(c >= 65 && c <= 90 && (c | 0x20) === lower.charCodeAt(i))) return false;
  }
  return true;
}

/** headerValue: the value of the first field named `lower` (lowercase) in a flat [name, value, ...] list. */
export function headerValue(list: readonly string[], lower: string): string | undefined {
  for (let i = 0; i < list.length; i += 2) if (list[i]!.length === lower.length && list[i]!.toLowerCase() === lower) return list[i + 1];
  return undefined;
}

/** isHopByHopHeader: the raw-case `name` is hop-by-hop. */
export function isHopByHopHeader(name: string): boolean {
  return HOP_LENGTHS[name.length] === 1 && HOP_BY_HOP.has(name.toLowerCase());
}

/**
 * connectionListed: header names a `Connection` header value lists beyond the usual tokens (they
 * are hop-by-hop too), or null when there are none, which is nearly always.
 */
export function connectionListed(value: string | undefined): Set<string> | null {
  if (value === undefined || value === 'keep-alive' || value === 'close' || value.length === 0) return null;
  let out: Set<string> | null = null;
  for (const part of value.split(',')) {
    const token = part.trim().toLowerCase();
    if (token === '' || token === 'close' || token === 'keep-alive' || token === 'upgrade') continue;
    // Content-Length frames the body berth forwards: a client must not strip it (request smuggling).
    if (token === 'content-length') continue;
    (out ??= new Set()).add(token);
  }
  return out;
}

/** copyRequestHeaders appends "Name: value\r\n" for every raw header that crosses the proxy. */
export function copyRequestHeaders(raw: readonly string[], extraDrop: ReadonlySet<string> | null): string {
  let out = '';
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (isDroppedRequestHeader(name, extraDrop)) continue;
    out += name + ': ' + raw[i + 1]! + '\r\n';
  }
  return out;
}

/** hostWithoutPort: "Example.com:8080" -> "example.com", "[::1]:80" -> "[::1]". */
export function hostWithoutPort(host: string | undefined): string {
  if (host === undefined) return '';
  const end = host.charCodeAt(0) === 91 /* [ */ ? host.indexOf(']') + 1 : host.indexOf(':');
  const bare = end > 0 ? host.slice(0, end) : host;
  return bare.toLowerCase();
}

/** validHeaderValue: no CR, LF or NUL (config-supplied values are checked before use). */
export function validHeaderValue(value: string): boolean {
  return !/[\r\n\0]/.test(value);
}

/** validHeaderName: an RFC 9110 token. */
export function validHeaderName(name: string): boolean {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name);
}
