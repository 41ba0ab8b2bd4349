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
    if (c >= 65 && c <= 90) return canonical(name.toLowerCase());
  }
  return canonical(name);
}

/**
 * canonical: the common request header names as the constants they are. A name the parser cut
 * from the request is a new string each time, and V8 looks a property up by a new string
 * (`dest[name]`) through its string table, on a slow path: ~650 instructions a header in a count of
 * the proxy (bench/instructions.sh). Comparing it with a few constants of its length costs a few
 * dozen, and less than hashing it for a Map would.
 */
function canonical(name: string): string {
  switch (name.length) {
    case 4: return name === 'host' ? 'host' : name;
    case 6: return name === 'accept' ? 'accept' : name === 'cookie' ? 'cookie' : name === 'origin' ? 'origin' : name;
    case 7: return name === 'referer' ? 'referer' : name === 'upgrade' ? 'upgrade' : name;
    case 10: return name === 'connection' ? 'connection' : name === 'user-agent' ? 'user-agent' : name === 'keep-alive' ? 'keep-alive' : name;
    case 11: return name === 'traceparent' ? 'traceparent' : name;
    case 12: return name === 'content-type' ? 'content-type' : name === 'x-request-id' ? 'x-request-id' : name;
    case 13: return name === 'authorization' ? 'authorization' : name === 'cache-control' ? 'cache-control' : name;
    case 14: return name === 'content-length' ? 'content-length' : name;
    case 15:
      return name === 'x-forwarded-for' ? 'x-forwarded-for' : name === 'accept-encoding' ? 'accept-encoding' :
        name === 'accept-language' ? 'accept-language' : name;
    case 17: return name === 'transfer-encoding' ? 'transfer-encoding' : name === 'x-forwarded-proto' ? 'x-forwarded-proto' : name;
    default: return name;
  }
}
