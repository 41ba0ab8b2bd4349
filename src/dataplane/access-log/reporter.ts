import type { FinishedRequest, RequestObserver } from '../proxy/observer.js';
import type { Tracing } from '../tracing/tracing.js';
import { formatRecord, type AccessLogFormat, type AccessRecord } from './format.js';
import type { AccessLogSink } from './writer.js';

/**
 * RequestReporter: the observer that turns each finished request into one access-log line and the
 * end of its span. `wanted` is false when neither is on; the gateway then installs no observer
 * and the proxy skips the call altogether.
 */
export class RequestReporter implements RequestObserver {
  readonly wanted: boolean;

  constructor(
    readonly sink: AccessLogSink | null,
    readonly format: AccessLogFormat,
    readonly tracing: Tracing,
  ) {
    this.wanted = sink !== null || tracing.exporting;
  }

  onRequestEnd(request: FinishedRequest): void {
    const record = accessRecord(request);
    if (this.sink !== null) this.sink.write(formatRecord(this.format, record));
    if (request.trace !== null) this.tracing.end(request.trace, record);
  }

  /** close flushes the log and exports queued spans (shutdown). */
  async close(): Promise<void> {
    await Promise.all([this.sink?.close(), this.tracing.shutdown()]);
  }
}

const PROTOCOLS = { 'http/1.0': 'HTTP/1.0', 'http/1.1': 'HTTP/1.1', h2: 'HTTP/2', ws: 'websocket' } as const;

/** accessRecord: the engine's view of a finished request, in the access log's terms. */
export function accessRecord(r: FinishedRequest): AccessRecord {
  const h = r.headers;
  const grpc = r.protocol === 'h2' && String(h['content-type'] ?? '').startsWith('application/grpc');
  return {
    startedAt: r.startTime,
    clientIp: r.clientAddress,
    forwardedFor: r.trustedPeer ? text(h['x-forwarded-for']) : null,
    method: r.method,
    host: r.host,
    path: r.path,
    protocol: grpc ? 'grpc' : PROTOCOLS[r.protocol],
    // The client left before any answer: 499, as nginx logs it.
    status: r.status === 0 ? 499 : r.status,
    bytesIn: r.bytesIn,
    bytesOut: r.bytesOut,
    totalMs: r.totalLatencyMs,
    upstreamMs: r.upstreamLatencyMs < 0 ? null : r.upstreamLatencyMs,
    route: r.routeName,
    service: r.serviceName,
    upstream: r.upstreamName,
    target: r.targetAddress,
    targetIdentity: r.targetIdentity,
    sticky: r.sticky === 'none' ? null : r.sticky,
    retries: r.retries,
    error: r.errorCode ?? (r.status === 0 ? 'CLIENT_GONE' : null),
    referer: text(h.referer),
    userAgent: text(h['user-agent']),
    traceId: r.trace?.traceId ?? null,
  };
}

function text(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}
