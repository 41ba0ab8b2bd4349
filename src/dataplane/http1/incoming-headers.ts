import type { IncomingHttpHeaders } from 'node:http';

/**
 * Node's rules for folding raw request headers into `message.headers` (node lib/_http_incoming.js
 * matchKnownFields, documented under message.headers): names lower-cased; duplicates of the
 * fields below are dropped (the first wins); set-cookie becomes an array; cookie joins with '; ';
 * every other duplicate joins with ', '. The engine and plugins read headers this way on HTTP/2
 * and on node's own server, so the lean front end must build the same object.
 */
const FIRST_WINS: ReadonlySet<string> = new Set([
  'content-type', 'content-length', 'user-agent', 'referer', 'host', 'authorization',
  'proxy-authorization', 'if-modified-since', 'if-unmodified-since', 'from', 'location',
  'max-forwards', 'retry-after', 'etag', 'last-modified', 'server', 'age', 'expires',
]);

/** Node folds at most this many header pairs into `headers` (http.Server maxHeadersCount); rawHeaders keeps all. */
export const MAX_HEADER_PAIRS = 2000;

/** foldHeaders builds node's `headers` object from a flat [name, value, ...] list. */
export function foldHeaders(raw: readonly string[]): IncomingHttpHeaders {
  const dest: Record<string, string | string[]> = {};
  const n = Math.min(raw.length, MAX_HEADER_PAIRS * 2);
  for (let i = 0; i < n; i += 2) addHeader(dest, lowerName(raw[i]!), raw[i + 1]!);
  return dest as IncomingHttpHeaders;
}

function addHeader(dest: Record<string, string | string[]>, name: string, value: string): void {
  const prev = dest[name];
  if (prev === undefined) {
    dest[name] = name === 'set-cookie' ? [value] : value;
    return;
  }
  if (name === 'set-cookie') (prev as string[]).push(value);
  // Not an earlier header but a member of Object.prototype (`constructor`, `toString`): node tests
  // `typeof` and sets the value (an own field); for `__proto__` that assignment sets nothing, so
  // that header is in rawHeaders only, as on node.
  else if (typeof prev !== 'string') dest[name] = value;
  else if (name === 'cookie') dest[name] = prev + '; ' + value;
  else if (!FIRST_WINS.has(name)) dest[name] = prev + ', ' + value;
}

/** lowerName: header names are tokens (ASCII), and most arrive lower-case or in one common casing. */
function lowerName(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) return name.toLowerCase();
  }
  return name;
}
