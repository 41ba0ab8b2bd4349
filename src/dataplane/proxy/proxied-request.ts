import type { IncomingHttpHeaders } from 'node:http';
import type { PickRequest, StickyOutcome } from '../balancers/balancer.js';
import type { PluginRequest } from '../plugins/index.js';
import { kEntryPoint, type EntryPoint, type EntryPointTagged } from '../router/entry-point.js';
import type { RouteRuntime } from '../runtime.js';
import type { TargetState } from '../targets/target.js';
import type { ProxyContext } from './context.js';
import type { DownstreamRequest } from './downstream.js';
import type { ProxyErrorCode } from './errors.js';
import { hostWithoutPort } from './headers.js';
import { normalizePath } from './normalize-path.js';
import type { ClientProtocol, FinishedRequest } from './observer.js';
import type { RequestTrace } from '../tracing/tracing.js';

/** Constant for the process; reading performance.timeOrigin is a call into node each time. */
const TIME_ORIGIN = performance.timeOrigin;

/**
 * ProxiedRequest: the request line parsed once (routing, balancing, plugins and the upstream head
 * all see the same normalized path and host), plus the numbers an observer reads when the request
 * is over. Attempt extends it, so a request is still one allocation.
 */
export abstract class ProxiedRequest implements PickRequest, PluginRequest, FinishedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  readonly host: string;
  tls: boolean;
  readonly clientIp: string;
  /** The peer is in --trusted-ips: its X-Forwarded-* are kept and its chain is logged. */
  readonly trustedPeer: boolean;
  /** This request's W3C trace; null when it takes part in none (no export, no traceparent). */
  readonly trace: RequestTrace | null;
  /** The Gateway listener(s) the client's socket stands for (router/entry-point.ts). */
  readonly entryPoint: EntryPoint | null;
  uriCaptures: Readonly<Record<string, string>> | undefined = undefined;
  setCookie: string | undefined = undefined;
  setHeader: [string, string] | undefined = undefined;
  stickyOutcome: StickyOutcome | undefined = undefined;
  route: RouteRuntime | null = null;
  routeName: string | null = null;
  /** The target of the try in progress; null between tries and once the request settled. */
  target: TargetState | null = null;
  /** The last target picked (what metrics and observers report). */
  picked: TargetState | null = null;
  upstreamPath = '';
  /** Request headers after a request-transformer plugin ran; null = the client's raw headers. */
  requestHeaders: string[] | null = null;
  status = 0;
  bytesIn = 0;
  bytesOut = 0;
  tries = 0;
  errorCode: ProxyErrorCode | null = null;
  /** The upstream answered 101 and the exchange became a tunnel (WebSocket). */
  tunneled = false;
  /** performance.now() at the request head, at the current try's dial, at its response head, at the end. */
  protected readonly startedAt = performance.now();
  protected tryStartedAt = 0;
  protected upstreamMs = -1;
  protected endedAt = 0;

  constructor(
    readonly ctx: ProxyContext,
    readonly req: DownstreamRequest,
    /** An upgrade (WebSocket) request: its answer may turn the connection into a tunnel. */
    readonly upgrade: boolean,
  ) {
    let url = req.url ?? '/';
    let host = req.headers.host ?? req.headers[':authority'];
    if (url.charCodeAt(0) !== 47 /* / */) [url, host] = absoluteForm(url, host as string | undefined);
    const q = url.indexOf('?');
    this.path = normalizePath(q < 0 ? url : url.slice(0, q));
    this.query = q < 0 ? '' : url.slice(q + 1);
    this.method = req.method ?? 'GET';
    this.headers = req.headers;
    this.host = hostWithoutPort(host as string | undefined);
    this.tls = (req.socket as { encrypted?: boolean }).encrypted === true;
    this.clientIp = req.socket.remoteAddress ?? '';
    this.trustedPeer = ctx.trustedIps.trusts(this.clientIp);
    this.trace = ctx.tracing.begin(req.headers.traceparent, req.headers.tracestate, this.method, this.startedAt);
    this.entryPoint = (req.socket as EntryPointTagged)[kEntryPoint] ?? null;
  }

  // FinishedRequest and PluginRequest views, computed only when someone reads them.
  get url(): string {
    return this.req.url ?? '/';
  }
  get rawHeaders(): readonly string[] {
    return this.req.rawHeaders;
  }
  get startTime(): number {
    return TIME_ORIGIN + this.startedAt;
  }
  get clientAddress(): string {
    return this.clientIp;
  }
  get protocol(): ClientProtocol {
    if (this.tunneled) return 'ws';
    const v = this.req.httpVersion;
    return v === '2.0' ? 'h2' : v === '1.0' ? 'http/1.0' : 'http/1.1';
  }
  get totalLatencyMs(): number {
    return (this.endedAt === 0 ? performance.now() : this.endedAt) - this.startedAt;
  }
  get upstreamLatencyMs(): number {
    return this.upstreamMs;
  }
  get serviceName(): string | null {
    return this.route?.service.config.name ?? null;
  }
  get upstreamName(): string | null {
    return this.route?.service.upstream.name ?? null;
  }
  get targetAddress(): string | null {
    return this.picked?.address ?? null;
  }
  get targetIdentity(): string | null {
    return this.picked?.identity ?? null;
  }
  get sticky(): StickyOutcome | 'none' {
    return this.stickyOutcome ?? 'none';
  }
  get retries(): number {
    return this.tries > 0 ? this.tries - 1 : 0;
  }
}

/** absoluteForm: "http://host:8080/p?q" -> ["/p?q", "host:8080"] (RFC 9112 s3.2.2: its host wins). */
export function absoluteForm(url: string, host: string | undefined): [string, string | undefined] {
  const m = /^https?:\/\/([^/?#]*)([^#]*)/i.exec(url);
  if (m === null) return [url, host];
  const rest = m[2]!;
  return [rest === '' || rest.charCodeAt(0) === 63 /* ? */ ? '/' + rest : rest, m[1]];
}
