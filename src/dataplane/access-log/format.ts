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

/** jsonLine: one JSON object per line; field names are the README's contract. */
export function jsonLine(r: AccessRecord): string {
  return JSON.stringify({
    time: new Date(r.startedAt).toISOString(),
    client_ip: r.clientIp,
    x_forwarded_for: r.forwardedFor,
    method: r.method,
    host: r.host,
    path: r.path,
    protocol: r.protocol,
    status: r.status,
    bytes_in: r.bytesIn,
    bytes_out: r.bytesOut,
    latency_ms: round3(r.totalMs),
    upstream_latency_ms: r.upstreamMs === null ? null : round3(r.upstreamMs),
    route: r.route,
    service: r.service,
    upstream: r.upstream,
    target: r.target,
    target_identity: r.targetIdentity,
    sticky: r.sticky,
    retries: r.retries,
    error: r.error,
    trace_id: r.traceId,
  }) + '\n';
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

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
