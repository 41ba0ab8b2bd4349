import type { FinishedRequest } from '../proxy/observer.js';

/**
 * AccessRecord: one finished request (or WebSocket / gRPC stream) as the access log and the
 * request span see it, filled from the engine's view when the request ends (fillRecord), only when
 * a log or tracing is on.
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

/**
 * The mapping from the engine's view of a finished request to the log's terms, one function per
 * field that needs one; fillRecord applies them all.
 */
function logProtocol(r: FinishedRequest): string {
  // A switch of constants, not a lookup in an object by the protocol: keys such as 'http/1.1'
  // made that a keyed load by a string on every request.
  switch (r.protocol) {
    case 'http/1.1': return 'HTTP/1.1';
    case 'h2': return String(r.headers['content-type'] ?? '').startsWith('application/grpc') ? 'grpc' : 'HTTP/2';
    case 'http/1.0': return 'HTTP/1.0';
    case 'ws': return 'websocket';
  }
}

/** The client left before any answer: 499, as nginx logs it. */
function logStatus(r: FinishedRequest): number {
  return r.status === 0 ? 499 : r.status;
}

function logError(r: FinishedRequest): string | null {
  return r.errorCode ?? (r.status === 0 ? 'CLIENT_GONE' : null);
}

function logForwardedFor(r: FinishedRequest): string | null {
  return r.trustedPeer ? text(r.headers['x-forwarded-for']) : null;
}

function logUpstreamMs(r: FinishedRequest): number | null {
  const ms = r.upstreamLatencyMs;
  return ms < 0 ? null : ms;
}

function logSticky(r: FinishedRequest): string | null {
  const sticky = r.sticky;
  return sticky === 'none' ? null : sticky;
}

function logTraceId(r: FinishedRequest): string | null {
  return r.trace?.traceId ?? null;
}

/**
 * LogRecord: an AccessRecord that is filled again and again (fillRecord): the access log keeps a
 * fixed set of them for the requests whose lines are not encoded yet (access-log.ts). The fields
 * that take fractions or epoch milliseconds start as doubles (NaN), so that V8 keeps each field's
 * representation from the first fill on.
 */
export class LogRecord implements AccessRecord {
  startedAt = NaN;
  clientIp = '';
  forwardedFor: string | null = null;
  method = '';
  host = '';
  path = '';
  protocol = '';
  status = 0;
  bytesIn = NaN;
  bytesOut = NaN;
  totalMs = NaN;
  upstreamMs: number | null = null;
  route: string | null = null;
  service: string | null = null;
  upstream: string | null = null;
  target: string | null = null;
  targetIdentity: string | null = null;
  sticky: string | null = null;
  retries = 0;
  error: string | null = null;
  referer: string | null = null;
  userAgent: string | null = null;
  traceId: string | null = null;
}

/**
 * The last client address, host and path a record was filled with. A request's own string equal
 * to one of them is replaced by the one kept here, which has outlived earlier requests: stored
 * into a record (an old object) it takes no write-barrier entry, the scavenger copies no
 * request's strings for the records that wait to be encoded, and the encoder's check for a
 * repeated run (json-line.ts RequestRun) finds the same string rather than an equal one
 * (bench/instructions.sh: ~200 instructions a request, bench/RESULTS.md "Fourteenth session").
 */
const recent = { clientIp: '', host: '', path: '' };

/**
 * fillRecord: the engine's view of a finished request, in the access log's terms, into `into`.
 * Referer and User-Agent are read only `withAgentFields` (the JSON line has neither).
 */
export function fillRecord(into: LogRecord, r: FinishedRequest, withAgentFields = true): LogRecord {
  into.startedAt = r.startTime;
  const clientIp = r.clientAddress;
  into.clientIp = clientIp === recent.clientIp ? recent.clientIp : (recent.clientIp = clientIp);
  into.forwardedFor = logForwardedFor(r);
  into.method = r.method;
  const host = r.host;
  into.host = host === recent.host ? recent.host : (recent.host = host);
  const path = r.path;
  into.path = path === recent.path ? recent.path : (recent.path = path);
  into.protocol = logProtocol(r);
  into.status = logStatus(r);
  into.bytesIn = r.bytesIn;
  into.bytesOut = r.bytesOut;
  into.totalMs = r.totalLatencyMs;
  into.upstreamMs = logUpstreamMs(r);
  into.route = r.routeName;
  into.service = r.serviceName;
  into.upstream = r.upstreamName;
  into.target = r.targetAddress;
  into.targetIdentity = r.targetIdentity;
  into.sticky = logSticky(r);
  into.retries = r.retries;
  into.error = logError(r);
  into.referer = withAgentFields ? text(r.headers.referer) : null;
  into.userAgent = withAgentFields ? text(r.headers['user-agent']) : null;
  into.traceId = logTraceId(r);
  return into;
}

/** accessRecord: the engine's view of a finished request, in the access log's terms (a new record). */
export function accessRecord(r: FinishedRequest): AccessRecord {
  return fillRecord(new LogRecord(), r);
}

function text(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}
