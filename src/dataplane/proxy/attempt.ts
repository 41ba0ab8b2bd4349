import { UNRESOLVED_BACKEND } from '../balancers/unresolved-share.js';
import type { TargetState } from '../targets/target.js';
import type { PluginAnswer, RoutePlugins } from '../plugins/index.js';
import type { RouteRequest } from '../router/types.js';
import type { ProxyContext } from './context.js';
import type { DownstreamRequest, DownstreamResponse } from './downstream.js';
import type { RequestObserver } from './observer.js';
import type { ConnectionUser, UpstreamConnection } from './pool.js';
import { ProxyError } from './errors.js';
import { ProxiedRequest } from './proxied-request.js';
import { buildUpstreamHead, upgradeHeaderLines, upgradeOffer } from './request-head.js';
import { BODY_CHUNKED, BODY_NONE, RequestBody, requestBodyKind } from './request-body.js';
import { sendError } from './respond.js';
import { StreamTunnelClient } from './stream-tunnel.js';
import { openTunnel, type TunnelOwner, type UpgradeClient } from './tunnel.js';
import { sendGrpcError } from '../http2/grpc-response.js';
import { isGrpc } from '../http2/grpc-status.js';
import type { H2UpstreamTry } from '../http2/engine.js';

const kAttempt = Symbol('berth.attempt');
const SMALL_BODY = 4096;
type Tagged = { [kAttempt]?: Attempt };

/**
 * Attempt: one client request (plain or upgrade) from route match to its end, on one path:
 * match -> plugins -> pick -> dial (pool) -> retry/exclude -> settle. It is also the router's
 * RouteRequest, the balancer's PickRequest, the plugins' PluginRequest, the connection's
 * ResponseHandler and the observer's FinishedRequest, so a request allocates this one object (plus
 * node's own) and no per-request closures. The state of the try in progress (target, connection,
 * timings) lives in its fields and is reset per try; `endTry` and `settle` run their bookkeeping
 * (in-flight counts, passive health, metrics, sticky outcome, observer) exactly once.
 */
export class Attempt extends ProxiedRequest implements RouteRequest, ConnectionUser, TunnelOwner {
  private conn: UpstreamConnection | null = null;
  /** The try in progress on an HTTP/2 upstream (service protocol grpc/grpcs) instead of `conn`. */
  private h2: H2UpstreamTry | null = null;
  private body: RequestBody | null = null;
  private exclude: Set<TargetState> | null = null;
  private retried = 0;
  private staleRetried = false;
  private lastError: ProxyError | null = null;
  private settled = false;
  /** Gateway API timeouts and retry backoff (null when not running); see retry-timers below. */
  private requestTimer: NodeJS.Timeout | null = null;
  private tryTimer: NodeJS.Timeout | null = null;
  private backoffTimer: NodeJS.Timeout | null = null;
  /** The response head, kept until the end of the read it arrived in (see onResponseHead). */
  private pendingHead: string[] | null = null;
  /** The picked target's backend plugins (HTTPRoute backendRef filters), and the headers before them. */
  private backend: RoutePlugins | null = null;
  private routeHeaders: string[] | null | undefined = undefined;
  private routePath = '';

  constructor(
    ctx: ProxyContext,
    req: DownstreamRequest,
    readonly res: DownstreamResponse,
    /** The client side of an upgrade: its HTTP/1.1 connection, or an HTTP/2 stream (RFC 8441). */
    private readonly client: UpgradeClient | StreamTunnelClient | null = null,
  ) {
    super(ctx, req, client !== null);
  }

  /** start routes the request and sends it to a target (or answers itself). */
  start(): void {
    const match = this.ctx.runtime.router.match(this);
    if (match === null) return this.noRoute();
    const route = this.ctx.runtime.routes.get(match.route);
    if (route === undefined) return this.fail(new ProxyError('NO_ROUTE'));
    this.route = route;
    this.routeName = match.route.name;
    this.uriCaptures = match.captures;
    this.upstreamPath = match.upstreamPath;
    (this.res as Tagged)[kAttempt] = this;
    this.res.on('close', onClientClose);
    if (route.service.requestTimeout > 0) this.requestTimer = setTimeout(onRequestTimeout, route.service.requestTimeout, this);
    if (route.plugins !== null) {
      const answer = route.plugins.request(this);
      if (answer !== null) return this.answer(answer);
    }
    if (route.mirror !== null && !this.upgrade) route.mirror.send(this);
    this.tryNext();
  }

  /**
   * noRoute: Kong answers a plain-HTTP request that only an https route matches with 426 (or the
   * route's https_redirect_status_code redirect), not 404.
   */
  private noRoute(): void {
    if (this.tls) return this.fail(new ProxyError('NO_ROUTE'));
    this.tls = true;
    const httpsOnly = this.ctx.runtime.router.match(this);
    this.tls = false;
    if (httpsOnly === null) return this.fail(new ProxyError('NO_ROUTE'));
    const code = httpsOnly.route.https_redirect_status_code ?? 426;
    if (code === 426 || this.host === '') return this.fail(new ProxyError('PROTOCOL_NOT_ALLOWED'));
    this.answer({ status: code, headers: ['Location', 'https://' + this.host + this.url], body: '' });
  }

  /** answer sends a response the proxy (or a plugin) made itself. */
  private answer(a: PluginAnswer): void {
    this.status = a.status;
    this.bytesOut = Buffer.byteLength(a.body);
    this.res.writeHead(a.status, a.headers.concat('Content-Length', String(this.bytesOut)));
    this.res.end(a.body);
    this.settle();
  }

  /** tryNext picks a target (excluding those that failed) and dials it through its pool. */
  private tryNext(): void {
    this.setCookie = undefined;
    this.setHeader = undefined;
    const service = this.route!.service;
    let target = service.upstream.balancer.pick(this, this.exclude ?? undefined);
    // A Gateway API retry goes back to a target already tried when no other is left.
    if (target === null && this.exclude !== null && service.retryStatuses !== null) target = service.upstream.balancer.pick(this);
    if (target === null) return this.fail(this.lastError === null ? new ProxyError('NO_PEER') : this.spent(this.lastError));
    if (target === UNRESOLVED_BACKEND) return this.fail(new ProxyError('BACKEND_UNRESOLVED'));
    this.target = target;
    this.picked = target;
    if (service.backendPlugins !== null) this.useBackend(service.backendPlugins.get(target) ?? null);
    this.tries++;
    target.inFlight++;
    target.totalRequests++;
    this.upstreamMs = -1;
    this.tryStartedAt = performance.now();
    if (service.backendRequestTimeout > 0) this.tryTimer = setTimeout(onTryTimeout, service.backendRequestTimeout, this);
    if (service.h2) return void (this.h2 = this.ctx.h2Pools.open(this, target, service.tls));
    this.conn = service.pool(target).acquire(this, service.connectTimeout);
    if (this.conn.connected) this.onConnected();
  }

  /** onConnected writes the request head (and starts streaming the body). */
  onConnected(): void {
    const conn = this.conn!;
    const service = this.route!.service;
    // An upgrade offering nothing berth passes on goes up as a plain request: a 101 to it is refused.
    const offer = this.upgrade ? upgradeOffer(this.headers.upgrade) : '';
    conn.parser.expect(this, this.method === 'HEAD', offer !== '');
    // node reads no body for an upgrade request; what follows its head belongs to the tunnel.
    const kind = this.upgrade ? BODY_NONE : requestBodyKind(this.req);
    conn.setTimeout(kind === BODY_NONE ? service.readTimeout : service.writeTimeout);
    const extra = this.upgrade ? upgradeHeaderLines(offer) : kind === BODY_CHUNKED ? 'Transfer-Encoding: chunked\r\n' : '';
    // latin1: node decoded the client's header bytes as latin1, so this writes them back unchanged.
    conn.socket.write(buildUpstreamHead(this, extra), 'latin1');
    if (kind !== BODY_NONE) this.body = new RequestBody(this.req, conn, kind, service.readTimeout);
  }

  /**
   * onResponseHead keeps the head until the end of this socket read (onReadEnd) or the first body
   * byte: a framing error in the same read (a bad first chunk) still gets a clean 502.
   */
  onResponseHead(status: number, headers: string[]): void {
    this.headArrived(status);
    if (this.retriesStatus(status)) return this.retryAfterStatus();
    this.addResponseHeaders(headers);
    this.pendingHead = headers;
  }

  onReadEnd(): void {
    if (this.pendingHead !== null) this.flushHead();
  }

  /** flushHead writes the kept head; false when node refused it (the request failed instead). */
  private flushHead(): boolean {
    const headers = this.pendingHead!;
    this.pendingHead = null;
    try {
      this.res.writeHead(this.status, headers);
      return true;
    } catch {
      // node refuses header bytes it would not send itself (control characters): a bad upstream.
      this.onConnectionError(new ProxyError('BAD_UPSTREAM_RESPONSE', 'invalid response header'));
      return false;
    }
  }

  /** onUpgrade: the upstream said 101, so (and only now) the two connections become a tunnel. */
  onUpgrade(headers: string[], upgrade: string, rest: Buffer): void {
    this.headArrived(101);
    const client = this.client!;
    if (client instanceof StreamTunnelClient && !client.accepts(headers)) {
      return this.onConnectionError(new ProxyError('BAD_UPSTREAM_RESPONSE', 'WebSocket handshake not accepted'));
    }
    this.addResponseHeaders(headers);
    // The exchange is over once the tunnel opens: request limits do not bound its lifetime.
    this.clearTimers();
    const conn = this.conn!;
    this.conn = null;
    this.tunneled = true;
    const idleMs = this.route!.service.readTimeout;
    if (client instanceof StreamTunnelClient) {
      this.status = 200; // what the HTTP/2 client is answered (RFC 8441 s5)
      client.open(this, conn.detachForTunnel(), headers, rest, idleMs);
    } else openTunnel(this, client, conn.detachForTunnel(), headers, upgrade, rest, idleMs);
  }

  private headArrived(status: number): void {
    const target = this.target!;
    const upstream = this.route!.service.upstream;
    this.status = status;
    this.upstreamMs = performance.now() - this.tryStartedAt;
    const health = upstream.health;
    if (health !== null && health.enabled) health.reportPassive(target, { status });
    upstream.balancer.done?.(target, this.upstreamMs);
  }

  private addResponseHeaders(headers: string[]): void {
    if (this.setCookie !== undefined) headers.push('Set-Cookie', this.setCookie);
    if (this.setHeader !== undefined) headers.push(this.setHeader[0], this.setHeader[1]);
    if (this.route!.plugins !== null) this.route!.plugins.response(this, headers);
    if (this.backend !== null) this.backend.response(this, headers);
  }

  /**
   * useBackend applies the picked target's backend plugins for this try, on top of what the
   * route's plugins made of the request (a retry on another backend starts from that again).
   */
  private useBackend(plugins: RoutePlugins | null): void {
    if (this.routeHeaders === undefined) {
      this.routeHeaders = this.requestHeaders;
      this.routePath = this.upstreamPath;
    }
    this.requestHeaders = this.routeHeaders === null ? null : this.routeHeaders.slice();
    this.upstreamPath = this.routePath;
    this.backend = plugins;
    plugins?.request(this);
  }

  onResponseBody(chunk: Buffer): void {
    if (this.pendingHead !== null && !this.flushHead()) return;
    this.bytesOut += chunk.length;
    if (!this.res.write(chunk)) {
      if (this.h2 !== null) return this.clientBehind();
      const socket = this.conn!.socket;
      if (socket.isPaused()) return; // already waiting for 'drain' (several chunks in one read)
      socket.pause();
      // While the client is behind, the upstream is not slow: its read timeout stops, and the
      // client gets write_timeout to take the data (nginx's send_timeout) or is cut off.
      this.conn!.setTimeout(0);
      this.res.setTimeout(this.route!.service.writeTimeout);
      this.res.once('drain', onClientDrain);
    }
  }

  /** clientBehind: an HTTP/2 upstream waits (stream flow control) while the client catches up. */
  private clientBehind(): void {
    this.h2!.pauseForClient();
    this.res.setTimeout(this.route!.service.writeTimeout);
    this.res.once('drain', onClientDrain);
  }

  onResponseEnd(last: Buffer | null, keepAlive: boolean): void {
    if (this.pendingHead !== null && !this.flushHead()) return;
    const conn = this.conn;
    const bodySent = this.body === null || this.body.complete;
    this.conn = null;
    this.h2 = null;
    if (!bodySent) this.body!.stop();
    conn?.release(keepAlive && bodySent);
    this.endTry(null);
    if (last === null) this.res.end();
    else {
      this.bytesOut += last.length;
      // A small body as a latin1 string (a byte-exact round trip) lets node send head and body in
      // one plain write instead of a writev of two buffers.
      if (last.length <= SMALL_BODY) this.res.end(last.toString('latin1'), 'latin1');
      else this.res.end(last);
    }
    this.settle();
  }

  onResponseError(reason: string): void {
    this.onConnectionError(new ProxyError('BAD_UPSTREAM_RESPONSE', reason));
  }

  onTimeout(): void {
    const code = this.body !== null && !this.body.complete ? 'WRITE_TIMEOUT' : 'READ_TIMEOUT';
    this.onConnectionError(new ProxyError(code, 'upstream timed out'));
  }

  onDrain(): void {
    this.body?.resume();
  }

  /** onConnectionError: the upstream failed; retry when nothing was sent, else answer 502/504. */
  onConnectionError(err: ProxyError): void {
    if (this.settled) return;
    const conn = this.conn;
    // A reused keep-alive connection the upstream closed as we wrote: not the target's fault. With
    // a Gateway API retry policy it is one of the counted retries (attempts are exact there).
    const stale = conn !== null && conn.reused && this.body === null && !this.staleRetried && err.code === 'UPSTREAM_RESET' && conn.parser.awaitingHead
      && this.route!.service.retryStatuses === null;
    this.dropUpstream();
    this.endTry(stale ? null : err);
    if (this.res.headersSent) return this.abortClient(err);
    if (stale) this.staleRetried = true;
    this.lastError = err;
    if (stale || this.retryable(err)) return this.tryNext();
    this.fail(this.spent(err));
  }

  /** spent: the error that ends the request once no try is left (errors.ts UPSTREAM_UNAVAILABLE). */
  private spent(err: ProxyError): ProxyError {
    const refusedOrReset = err.code === 'CONNECT_FAILED' || err.code === 'UPSTREAM_RESET';
    return refusedOrReset && this.route!.service.retryStatuses !== null ? new ProxyError('UPSTREAM_UNAVAILABLE', err.message) : err;
  }

  /**
   * retryable: Kong retries a failure before anything was sent; a Gateway API retry policy also
   * retries one after (reset, timeout: the spec's SHOULD) when the request can be sent again.
   */
  private retryable(err: ProxyError): boolean {
    const service = this.route!.service;
    if (this.retried >= service.retries) return false;
    if (!err.beforeSend && !(service.retryStatuses !== null && this.replayable())) return false;
    this.retried++;
    (this.exclude ??= new Set()).add(this.picked!);
    return true;
  }

  /** replayable: nothing of the request but its head was sent (berth streams bodies, it cannot resend one). */
  private replayable(): boolean {
    // bytesIn counts an HTTP/2 upstream try's streamed body (http2/upstream-stream.ts).
    return this.body === null && !this.upgrade && this.bytesIn === 0;
  }

  /** retriesStatus: the route's retry policy (HTTPRoute retry.codes) wants another try for `status`. */
  private retriesStatus(status: number): boolean {
    const service = this.route!.service;
    return service.retryStatuses !== null && service.retryStatuses.has(status) && this.retried < service.retries && this.replayable();
  }

  /** retryAfterStatus drops the answer (and its connection) and tries again after the backoff. */
  private retryAfterStatus(): void {
    const conn = this.conn;
    this.conn = null;
    conn?.destroy();
    this.h2?.destroy();
    this.h2 = null;
    this.endTry(null);
    this.retried++;
    (this.exclude ??= new Set()).add(this.picked!);
    // Never synchronously: this runs inside the old connection's parser callback.
    this.backoffTimer = setTimeout(onBackoffOver, this.route!.service.retryBackoff, this);
  }

  backoffOver(): void {
    this.backoffTimer = null;
    if (!this.settled) this.tryNext();
  }

  /** tryTimedOut: the try outlived the backend request timeout (HTTPRoute timeouts.backendRequest). */
  tryTimedOut(): void {
    this.tryTimer = null;
    if (this.conn !== null || this.h2 !== null) this.onConnectionError(new ProxyError('READ_TIMEOUT', 'backend request timeout'));
  }

  /** requestTimedOut: the whole request outlived HTTPRoute timeouts.request; 504, or cut if answering. */
  requestTimedOut(): void {
    this.requestTimer = null;
    if (this.settled) return;
    const err = new ProxyError('REQUEST_TIMEOUT', 'request timeout');
    this.dropUpstream();
    this.endTry(err);
    if (this.res.headersSent) return this.abortClient(err);
    this.fail(err);
  }

  /** dropUpstream ends the current try's upstream side: its connection or h2 stream, and the body feed. */
  private dropUpstream(): void {
    const conn = this.conn;
    this.conn = null;
    this.pendingHead = null;
    if (conn !== null) conn.destroy();
    this.h2?.destroy();
    this.h2 = null;
    this.body?.stop();
  }

  private clearTimers(): void {
    if (this.requestTimer !== null) clearTimeout(this.requestTimer);
    if (this.tryTimer !== null) clearTimeout(this.tryTimer);
    if (this.backoffTimer !== null) clearTimeout(this.backoffTimer);
    this.requestTimer = this.tryTimer = this.backoffTimer = null;
  }

  /** endTry closes the try in progress: in-flight count and, on failure, passive health. Idempotent. */
  private endTry(err: ProxyError | null): void {
    const target = this.target;
    if (target === null) return;
    this.target = null;
    if (this.tryTimer !== null) {
      clearTimeout(this.tryTimer);
      this.tryTimer = null;
    }
    target.inFlight--;
    if (err !== null) this.route!.service.upstream.health?.reportPassive(target, passiveOutcome(err));
  }

  /** clientClosed: the client went away before the response ended; drop the upstream side. */
  clientClosed(): void {
    // An open tunnel reports its own end (tunnelClosed), with the bytes it carried.
    if (this.settled || this.tunneled) return;
    const conn = this.conn;
    this.conn = null;
    if (conn !== null) conn.destroy();
    this.h2?.destroy();
    this.h2 = null;
    this.body?.stop();
    this.endTry(null);
    if (!this.res.headersSent) this.status = 499; // what Kong (nginx) logs for it
    this.errorCode = 'CLIENT_GONE';
    this.settle();
  }

  /** tunnelClosed: the upgraded connection is over (either side closed, or it idled out). */
  tunnelClosed(bytesIn: number, bytesOut: number, idledOut: boolean): void {
    this.bytesIn = bytesIn;
    this.bytesOut = bytesOut;
    if (idledOut) this.errorCode = 'READ_TIMEOUT';
    this.settle();
  }

  resumeUpstream(): void {
    if (this.h2 !== null) {
      this.res.setTimeout(0);
      return this.h2.resume();
    }
    const conn = this.conn;
    if (conn === null) return;
    this.res.setTimeout(0);
    conn.setTimeout(this.route!.service.readTimeout);
    conn.socket.resume();
  }

  private abortClient(err: ProxyError): void {
    this.errorCode = err.code;
    this.res.destroy();
    this.settle();
  }

  /** fail answers with the error's status and Kong's JSON body. */
  fail(err: ProxyError): void {
    this.errorCode = err.code;
    // gRPC clients read failures from grpc-status (14 UNAVAILABLE, 4 DEADLINE_EXCEEDED), not the HTTP status.
    this.status = isGrpc(this.headers['content-type'] as string | undefined) ? sendGrpcError(this.res, err) : sendError(this.res, err);
    if (this.status >= 500) {
      this.ctx.log.warn({ code: err.code, upstream: this.upstreamName ?? '', path: this.path, reason: err.message }, 'proxy error');
    }
    this.settle();
  }

  /** settle: the request is over; metrics, the sticky outcome and the observer, exactly once. */
  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.endTry(null);
    if (this.requestTimer !== null || this.backoffTimer !== null) this.clearTimers();
    if (this.body !== null) this.bytesIn = this.body.bytes;
    this.endedAt = performance.now();
    const metrics = this.ctx.metrics;
    const upstream = this.route === null ? '' : this.route.service.upstream.name;
    metrics.request(upstream, this.picked === null ? '' : this.picked.address, this.status, (this.endedAt - this.startedAt) / 1000);
    if (this.stickyOutcome !== undefined) metrics.sticky(upstream, this.stickyOutcome);
    const observer = this.ctx.observer;
    if (observer !== null) this.observe(observer);
  }

  private observe(observer: RequestObserver): void {
    try {
      observer.onRequestEnd(this);
    } catch (err) {
      this.ctx.log.error({ err }, 'request observer failed');
    }
  }
}

function passiveOutcome(err: ProxyError): { status?: number; tcpFailure?: boolean; timeout?: boolean } {
  if (err.isTimeout) return { timeout: true };
  return err.code === 'BAD_UPSTREAM_RESPONSE' ? { status: 502 } : { tcpFailure: true };
}

// Timer callbacks take the Attempt as their argument: no per-request closure.
function onRequestTimeout(attempt: Attempt): void {
  attempt.requestTimedOut();
}

function onTryTimeout(attempt: Attempt): void {
  attempt.tryTimedOut();
}

function onBackoffOver(attempt: Attempt): void {
  attempt.backoffOver();
}

function onClientClose(this: DownstreamResponse): void {
  const attempt = (this as Tagged)[kAttempt];
  if (attempt !== undefined && !this.writableFinished) attempt.clientClosed();
}

function onClientDrain(this: DownstreamResponse): void {
  (this as Tagged)[kAttempt]?.resumeUpstream();
}
