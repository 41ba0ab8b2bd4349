import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import type { AccessRecord } from '../access-log/record.js';
import { formatTraceParent, newSpanId, newTraceId, normalizeTraceState, parseTraceParent } from './trace-context.js';

/** RequestTrace: a proxied request's place in a trace, and its span when one is exported. */
export interface RequestTrace {
  readonly traceId: string;
  /** berth's span for this request: the parent-id the upstream sees. */
  readonly spanId: string;
  /** The traceparent and tracestate headers sent upstream (tracestate null = none). */
  readonly traceparent: string;
  readonly tracestate: string | null;
  readonly span: Span | null;
}

export interface TracingOptions {
  /** OTLP/HTTP endpoint; a bare origin gets the standard /v1/traces path. Undefined = no export. */
  otlpEndpoint?: string;
  /** Share of new traces exported, 0..1; a caller's sampled flag is followed either way. */
  sampleRatio?: number;
  serviceName?: string;
}

/**
 * Tracing: W3C Trace Context propagation and optional OTLP/HTTP export of one SERVER span per
 * proxied request. Without an endpoint, berth takes part only in traces a caller started: a
 * request without `traceparent` is left alone (one property read, no allocation), a valid one gets
 * berth's span id as its parent-id, an invalid one is replaced by a new trace (W3C s3.2.2). With an
 * endpoint every request is in a trace, sampled parent-based with `sampleRatio` for new traces.
 */
export class Tracing {
  private readonly provider: BasicTracerProvider | null;
  private readonly tracer: Tracer | null;

  constructor(opts: TracingOptions = {}) {
    if (opts.otlpEndpoint === undefined) {
      this.provider = null;
      this.tracer = null;
      return;
    }
    const ratio = opts.sampleRatio ?? 0;
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': opts.serviceName ?? 'berth' }),
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl(opts.otlpEndpoint) }), { scheduledDelayMillis: 1000 })],
    });
    this.tracer = this.provider.getTracer('berth');
  }

  /** True when spans are exported (every request then carries a traceparent upstream). */
  get exporting(): boolean {
    return this.tracer !== null;
  }

  /**
   * begin: the request's trace, or null when it takes no part in one (no export and no incoming
   * traceparent). `name` is the span name (the method), `startedAt` a performance.now() time.
   * Repeated headers (an HTTP/2 list) are joined as HTTP/1.1 would (W3C s3.2.1, s3.3.1).
   */
  begin(traceparent: Header, tracestate: Header, name: string, startedAt: number): RequestTrace | null {
    if (this.tracer === null && traceparent === undefined) return null;
    const parent = parseTraceParent(joined(traceparent));
    const state = parent === null ? null : normalizeTraceState(joined(tracestate));
    if (this.tracer === null) {
      const traceId = parent?.traceId ?? newTraceId();
      const spanId = newSpanId();
      return { traceId, spanId, traceparent: formatTraceParent(traceId, spanId, parent?.sampled ?? false), tracestate: state, span: null };
    }
    const ctx = parent === null ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, {
      traceId: parent.traceId, spanId: parent.parentId, isRemote: true, traceFlags: parent.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    });
    const span = this.tracer.startSpan(name, { kind: SpanKind.SERVER, startTime: performance.timeOrigin + startedAt }, ctx);
    const sc = span.spanContext();
    const sampled = (sc.traceFlags & TraceFlags.SAMPLED) !== 0;
    return { traceId: sc.traceId, spanId: sc.spanId, traceparent: formatTraceParent(sc.traceId, sc.spanId, sampled), tracestate: state, span: span.isRecording() ? span : null };
  }

  /** end closes the request's span with what the access log knows about it. */
  end(t: RequestTrace, r: AccessRecord): void {
    const span = t.span;
    if (span === null) return;
    span.setAttributes({
      'http.request.method': r.method,
      'url.path': r.path,
      'server.address': r.host,
      'client.address': r.clientIp,
      'network.protocol.name': r.protocol,
      'http.response.status_code': r.status,
      'berth.route': r.route ?? '',
      'berth.service': r.service ?? '',
      'berth.upstream': r.upstream ?? '',
      'berth.target': r.target ?? '',
      'berth.target_identity': r.targetIdentity ?? '',
      'berth.sticky': r.sticky ?? '',
      'berth.retries': r.retries,
    });
    if (r.route !== null) span.updateName(r.method + ' ' + r.route);
    // OTel HTTP semantic conventions: a SERVER span is an error for 5xx only.
    if (r.status >= 500 || r.error !== null) {
      span.setAttribute('error.type', r.error ?? String(r.status));
      if (r.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end(r.startedAt + r.totalMs);
  }

  /** shutdown exports what is queued (bounded by the exporter's timeout). */
  async shutdown(): Promise<void> {
    await this.provider?.shutdown();
  }
}

type Header = string | string[] | undefined;

function joined(value: Header): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** TRACING_OFF: no export; only requests that carry a traceparent are traced. */
export const TRACING_OFF = new Tracing();

/** tracesUrl: "http://collector:4318" -> ".../v1/traces" (OTLP/HTTP's signal path); a full URL is kept. */
export function tracesUrl(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`OTLP endpoint must be http(s): "${endpoint}"`);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/traces';
  return url.toString();
}

/** parseSampleRatio: "0".."1" (also "off" = 0); throws a readable error otherwise. */
export function parseSampleRatio(value: string | undefined): number {
  if (value === undefined || value === '' || value === 'off') return 0;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new Error(`trace sample ratio must be between 0 and 1, got "${value}"`);
  return n;
}
