/**
 * AccessRecord: one finished request (or WebSocket / gRPC stream) as the access log and the
 * request span see it. Built once at the end of the request, only when a log or tracing is on.
 */
export interface AccessRecord {
  /** Epoch ms when the request arrived. */
  readonly startedAt: number;
  readonly clientIp: string;
  /** The client's X-Forwarded-For chain, only when the peer is in --trusted-ips; else null. */
  readonly forwardedFor: string | null;
  readonly method: string;
  readonly host: string;
  readonly path: string;
  /** "HTTP/1.1", "HTTP/2", "websocket", "grpc". */
  readonly protocol: string;
  readonly status: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly totalMs: number;
  /** Time from sending to the upstream to its response head; null when no upstream answered. */
  readonly upstreamMs: number | null;
  readonly route: string | null;
  readonly service: string | null;
  readonly upstream: string | null;
  /** host:port of the target that served (or last failed) the request. */
  readonly target: string | null;
  /** The target's identity (pod UID) the sticky cookie binds to. */
  readonly targetIdentity: string | null;
  /** kept, new, moved_gone, moved_unhealthy, invalid; null for non-sticky upstreams. */
  readonly sticky: string | null;
  readonly retries: number;
  /** The ProxyError code when berth answered itself (404, 502, 503, 504...); null otherwise. */
  readonly error: string | null;
  readonly referer: string | null;
  readonly userAgent: string | null;
  /** The W3C trace id when the request was traced. */
  readonly traceId: string | null;
}

export type AccessLogFormat = 'json' | 'combined';

export function formatRecord(format: AccessLogFormat, r: AccessRecord): string {
  return format === 'json' ? jsonLine(r) : combinedLine(r);
}

/**
 * jsonLine: one JSON object per line; field names are the README's contract. Built as a string
 * rather than through JSON.stringify of a fresh object: this runs once per request on the proxy's
 * own core (bench/observability.sh measures it). The line is ASCII only (non-ASCII is written as
 * \uXXXX escapes, RFC 8259 s7), so the writer may count its bytes as characters.
 */
export function jsonLine(r: AccessRecord): string {
  return (
    '{"time":"' + isoTime(r.startedAt) +
    '","client_ip":' + jsonString(r.clientIp) +
    ',"x_forwarded_for":' + jsonString(r.forwardedFor) +
    ',"method":' + jsonString(r.method) +
    ',"host":' + jsonString(r.host) +
    ',"path":' + jsonString(r.path) +
    ',"protocol":' + jsonString(r.protocol) +
    ',"status":' + jsonNumber(r.status) +
    ',"bytes_in":' + jsonNumber(r.bytesIn) +
    ',"bytes_out":' + jsonNumber(r.bytesOut) +
    ',"latency_ms":' + millis(r.totalMs) +
    ',"upstream_latency_ms":' + (r.upstreamMs === null ? 'null' : millis(r.upstreamMs)) +
    ',"route":' + jsonString(r.route) +
    ',"service":' + jsonString(r.service) +
    ',"upstream":' + jsonString(r.upstream) +
    ',"target":' + jsonString(r.target) +
    ',"target_identity":' + jsonString(r.targetIdentity) +
    ',"sticky":' + jsonString(r.sticky) +
    ',"retries":' + jsonNumber(r.retries) +
    ',"error":' + jsonString(r.error) +
    ',"trace_id":' + jsonString(r.traceId) +
    '}\n'
  );
}

/** Printable ASCII except `"` and `\`: such a string is its own JSON text between quotes. */
const JSON_PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const NON_ASCII = /[\u007f-\uffff]/g;

function jsonString(v: string | null): string {
  if (v === null) return 'null';
  if (JSON_PLAIN.test(v)) return '"' + v + '"';
  // JSON.stringify escapes quotes, backslashes, controls and lone surrogates; the rest of
  // non-ASCII becomes \uXXXX so the line stays ASCII.
  return JSON.stringify(v).replace(NON_ASCII, unicodeEscape);
}

function unicodeEscape(c: string): string {
  return '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');
}

/** JSON has no NaN or Infinity (RFC 8259 s6); JSON.stringify writes null for them too. */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

/**
 * millis: milliseconds rounded to the microsecond, as a JSON number. Written from the integer
 * count of microseconds: a double's shortest decimal form costs several times more, and the text
 * parses to the same double as Math.round(ms * 1000) / 1000 (both are the nearest to us / 1000).
 */
function millis(ms: number): string {
  if (!Number.isFinite(ms)) return 'null';
  const us = Math.round(ms * 1000);
  if (!Number.isSafeInteger(us)) return jsonNumber(us / 1000);
  const abs = us < 0 ? -us : us;
  const whole = Math.floor(abs / 1000);
  const frac = abs - whole * 1000;
  const text = frac === 0 ? String(whole) : whole + (frac < 10 ? '.00' : frac < 100 ? '.0' : '.') + frac;
  return us < 0 ? '-' + text : text;
}

/**
 * isoTime: what `new Date(ms).toISOString()` gives, with the part up to the second built once per
 * second: a busy proxy logs many requests in each.
 */
let cachedSecond = NaN;
let cachedSecondPrefix = '';
export function isoTime(ms: number): string {
  const whole = Math.floor(ms);
  const second = Math.floor(whole / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedSecondPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  const milli = whole - second * 1000;
  return cachedSecondPrefix + (milli < 10 ? '00' : milli < 100 ? '0' : '') + milli + 'Z';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * combinedLine: the NCSA combined format nginx and Apache write (`$remote_addr - - [$time_local]
 * "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`), in UTC, followed by
 * berth's fields as key=value pairs, as Traefik's CLF appends its own.
 */
export function combinedLine(r: AccessRecord): string {
  return (
    r.clientIp + ' - - [' + clfTime(r.startedAt) + '] "' + clfEscape(r.method + ' ' + r.path + ' ' + r.protocol) + '" ' +
    r.status + ' ' + r.bytesOut + ' "' + clfEscape(r.referer ?? '-') + '" "' + clfEscape(r.userAgent ?? '-') + '"' +
    ' host=' + kv(r.host) + ' xff=' + kv(r.forwardedFor) + ' bytes_in=' + r.bytesIn +
    ' rt=' + (r.totalMs / 1000).toFixed(3) + ' urt=' + (r.upstreamMs === null ? '-' : (r.upstreamMs / 1000).toFixed(3)) +
    ' route=' + kv(r.route) + ' service=' + kv(r.service) + ' upstream=' + kv(r.upstream) + ' target=' + kv(r.target) +
    ' pod=' + kv(r.targetIdentity) + ' sticky=' + kv(r.sticky) + ' retries=' + r.retries + ' error=' + kv(r.error) +
    ' trace_id=' + kv(r.traceId) + '\n'
  );
}

function clfTime(ms: number): string {
  const d = new Date(ms);
  return pad(d.getUTCDate()) + '/' + MONTHS[d.getUTCMonth()] + '/' + d.getUTCFullYear() + ':' +
    pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ':' + pad(d.getUTCSeconds()) + ' +0000';
}

function pad(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** clfEscape: like nginx's escape=default, control bytes, quotes and backslashes become \xHH. */
function clfEscape(s: string): string {
  return /[\x00-\x1f"\\\x7f-\uffff]/.test(s)
    ? s.replace(/[\x00-\x1f"\\\x7f-\uffff]/g, hexBytes)
    : s;
}

function hexBytes(c: string): string {
  let out = '';
  for (const byte of Buffer.from(c, 'utf8')) out += '\\x' + byte.toString(16).padStart(2, '0');
  return out;
}

/** kv: a key=value value: "-" when absent, quoted and escaped when it has spaces or quotes. */
function kv(v: string | null): string {
  if (v === null || v === '') return '-';
  return /[\s"\\\x00-\x1f\x7f-\uffff]/.test(v) ? '"' + clfEscape(v) + '"' : v;
}

