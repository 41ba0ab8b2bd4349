import type { PluginAnswer } from '../plugins/index.js';
import type { RouteRequest } from '../router/types.js';
import { sendGrpcError } from '../http2/grpc-response.js';
import { isGrpc } from '../http2/grpc-status.js';
import type { ProxyContext } from './context.js';
import type { DownstreamRequest, DownstreamResponse } from './downstream.js';
import { ProxyError } from './errors.js';
import type { RequestObserver } from './observer.js';
import { sendError } from './respond.js';
import { StreamTunnelClient } from './stream-tunnel.js';
import { openTunnel, type TunnelOwner, type UpgradeClient } from './tunnel.js';
import { UpstreamTry } from './upstream-try.js';

const kAttempt = Symbol('berth.attempt');
const SMALL_BODY = 4096;
type Tagged = { [kAttempt]?: Attempt };

/**
 * Attempt: one client request (plain or upgrade) from route match to its end, on one path:
 * match -> plugins -> pick -> dial (pool) -> retry/exclude -> settle. It is also the router's
 * RouteRequest, the balancer's PickRequest, the plugins' PluginRequest, the connection's
 * ResponseHandler and the observer's FinishedRequest, so a request allocates this one object (plus
 * node's own) and no per-request closures. This class routes, relays the response to the client
 * and settles the request; the upstream side, tries and retries, is UpstreamTry's
 * (upstream-try.ts). `settle` runs its bookkeeping (metrics, sticky outcome, observer) exactly once.
 */
export class Attempt extends UpstreamTry implements RouteRequest, TunnelOwner {
  constructor(ctx: ProxyContext, req: DownstreamRequest, res: DownstreamResponse, client: UpgradeClient | StreamTunnelClient | null = null) {
    super(ctx, req, res, client);
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
    if (this.res.writeTimeoutMs !== undefined) this.res.writeTimeoutMs = route.service.writeTimeout;
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

  protected abortClient(err: ProxyError): void {
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

// Timer and event callbacks take the Attempt as their argument or `this`: no per-request closure.
function onRequestTimeout(attempt: Attempt): void {
  attempt.requestTimedOut();
}

function onClientClose(this: DownstreamResponse): void {
  const attempt = (this as Tagged)[kAttempt];
  if (attempt !== undefined && !this.writableFinished) attempt.clientClosed();
}

function onClientDrain(this: DownstreamResponse): void {
  (this as Tagged)[kAttempt]?.resumeUpstream();
}
