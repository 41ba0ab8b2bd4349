import type { IncomingHttpHeaders } from 'node:http';

/**
 * Fields of which node's http2 keeps the first only when a peer repeats them (node
 * lib/internal/http2/util.js kSingleValueHeaders, used by toHeaderObject): the engine and plugins
 * read h2 request headers as node's http2 front end built them.
 */
const SINGLE_VALUE: ReadonlySet<string> = new Set([
  ':status', ':method', ':authority', ':scheme', ':path', ':protocol', 'access-control-allow-credentials',
  'access-control-max-age', 'access-control-request-method', 'age', 'authorization', 'content-encoding',
  'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type',
  'date', 'dnt', 'etag', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range',
  'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'tk', 'upgrade-insecure-requests', 'user-agent', 'x-content-type-options',
]);

/** Connection-specific fields, malformed in HTTP/2 (RFC 9113 s8.2.2); `te` is allowed as "trailers" only. */
const CONNECTION_SPECIFIC: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/** Field name octets: lowercase tchar (RFC 9110 s5.6.2; RFC 9113 s8.2.1 forbids uppercase). */
const NAME_OCTETS = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz") NAME_OCTETS[c.charCodeAt(0)] = 1;

export interface RequestFields {
  headers: IncomingHttpHeaders;
  /** Declared content-length, -1 when none: DATA must add up to it (s8.1.1). */
  contentLength: number;
}

/**
 * requestFields validates a request header block as RFC 9113 s8.2 and s8.3.1 require (what nghttp2
 * enforces for node's http2 too: lowercase token names, no CR/LF/NUL or edge whitespace in values,
 * no connection-specific fields, each of :method :scheme :path exactly once and before regular
 * fields, :path not empty, CONNECT with :authority only, a numeric content-length; :protocol only on
 * an extended CONNECT, RFC 8441 s4, which this server allows in its SETTINGS) and folds it as
 * node does. Returns a reason string for a malformed request (a stream error PROTOCOL_ERROR).
 */
export function requestFields(fields: readonly string[]): RequestFields | string {
  const headers: Record<string, string | string[]> = Object.create(null);
  let regularSeen = false;
  let contentLength = -1;
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!;
    const value = fields[i + 1]!;
    if (!validValue(value)) return `invalid value for ${name}`;
    if (name.charCodeAt(0) === 58 /* : */) {
      if (regularSeen) return 'pseudo-header after a regular field';
      if (name !== ':method' && name !== ':scheme' && name !== ':path' && name !== ':authority' && name !== ':protocol') {
        return `unknown pseudo-header ${name}`;
      }
      if (headers[name] !== undefined) return `repeated ${name}`;
      headers[name] = value;
      continue;
    }
    regularSeen = true;
    if (!validName(name)) return 'invalid field name';
    if (CONNECTION_SPECIFIC.has(name)) return `connection-specific field ${name}`;
    if (name === 'te' && value !== 'trailers') return 'te other than trailers';
    if (name === 'content-length') {
      if (!/^[0-9]{1,15}$/.test(value)) return 'invalid content-length';
      if (contentLength >= 0 && Number(value) !== contentLength) return 'conflicting content-length';
      contentLength = Number(value);
    }
    const prev = headers[name];
    if (prev === undefined) headers[name] = name === 'set-cookie' ? [value] : value;
    else if (SINGLE_VALUE.has(name)) continue;
    else if (name === 'cookie') headers[name] = prev + '; ' + value;
    else if (name === 'set-cookie') (prev as string[]).push(value);
    else headers[name] = prev + ', ' + value;
  }
  const method = headers[':method'];
  if (method === undefined) return 'missing :method';
  if (headers[':protocol'] !== undefined) {
    // RFC 8441 s4: :protocol makes an extended CONNECT, which names its target like any request.
    if (method !== 'CONNECT') return ':protocol without CONNECT';
    if (headers[':authority'] === undefined || headers[':scheme'] === undefined || headers[':path'] === undefined || headers[':path'] === '') {
      return 'malformed extended CONNECT';
    }
  } else if (method === 'CONNECT') {
    if (headers[':authority'] === undefined || headers[':scheme'] !== undefined || headers[':path'] !== undefined) return 'malformed CONNECT';
  } else {
    if (headers[':scheme'] === undefined) return 'missing :scheme';
    if (headers[':path'] === undefined || headers[':path'] === '') return 'missing :path';
  }
  return { headers: headers as IncomingHttpHeaders, contentLength };
}

/** validTrailers: trailers carry no pseudo-headers (s8.1) and the same field rules. */
export function validTrailers(fields: readonly string[]): boolean {
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!;
    if (!validName(name) || !validValue(fields[i + 1]!) || CONNECTION_SPECIFIC.has(name)) return false;
  }
  return true;
}

function validName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 128 || NAME_OCTETS[c] === 0) return false;
  }
  return true;
}

/** s8.2.1: no NUL, CR or LF; no leading or trailing space or tab. */
function validValue(value: string): boolean {
  const n = value.length;
  if (n === 0) return true;
  let c = value.charCodeAt(0);
  if (c === 0x20 || c === 0x09) return false;
  c = value.charCodeAt(n - 1);
  if (c === 0x20 || c === 0x09) return false;
  for (let i = 0; i < n; i++) {
    c = value.charCodeAt(i);
    if (c === 0 || c === 0x0a || c === 0x0d) return false;
  }
  return true;
}
