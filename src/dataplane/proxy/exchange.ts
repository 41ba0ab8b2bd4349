import type { IncomingMessage, ServerResponse } from 'node:http';
import { UNRESOLVED_BACKEND } from '../balancers/unresolved-share.js';
import type { TargetState } from '../targets/target.js';
import type { RouteRequest } from '../router/types.js';
import type { ProxyContext } from './context.js';
import type { ConnectionUser, UpstreamConnection } from './pool.js';
import { ProxyError } from './errors.js';
import { ProxiedRequest } from './proxied-request.js';
import { buildUpstreamHead } from './request-head.js';
import { BODY_CHUNKED, RequestBody, requestBodyKind } from './request-body.js';
import { sendError } from './respond.js';

const kExchange = Symbol('berth.exchange');
const SMALL_BODY = 4096;
type Tagged = { [kExchange]?: Exchange };

/**
 * Exchange: one proxied request from route match to the end of the response. It is also the
 * router's RouteRequest, the balancer's PickRequest and the connection's ResponseHandler, so a
 * request allocates this one object (plus node's own), and no per-request closures.
 */
export class Exchange extends ProxiedRequest implements RouteRequest, ConnectionUser {
  private conn: UpstreamConnection | null = null;
  private body: RequestBody | null = null;
  private exclude: Set<TargetState> | null = null;
  private attempts = 0;
  private staleRetried = false;
  private lastError: ProxyError | null = null;
  private startedAt = 0;
  private status = 0;
  private finished = false;

  constructor(
    ctx: ProxyContext,
    req: IncomingMessage,
    readonly res: ServerResponse,
  ) {
    super(ctx, req);
  }

  /** start routes the request and sends it to a target (or answers with an error). */
  start(): void {
    const match = this.ctx.runtime.router.match(this);
    if (match === null) return this.noRoute();
    const route = this.ctx.runtime.routes.get(match.route);
    if (route === undefined) return this.fail(new ProxyError('NO_ROUTE'));
    this.route = route;
    this.uriCaptures = match.captures;
    this.upstreamPath = match.upstreamPath;
    if (route.plugins !== null && route.plugins.intercept(this)) return;
    (this.res as Tagged)[kExchange] = this;
    this.res.on('close', onClientClose);
    this.attempt();
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
    this.finished = true;
    this.res.writeHead(code, ['Location', 'https://' + this.host + this.req.url, 'Content-Length', '0']);
    this.res.end();
  }

  private attempt(): void {
    this.setCookie = undefined;
    this.setHeader = undefined;
    const service = this.route!.service;
    const target = service.upstream.balancer.pick(this, this.exclude ?? undefined);
    if (target === null) return this.fail(this.lastError ?? new ProxyError('NO_PEER'));
    if (target === UNRESOLVED_BACKEND) return this.fail(new ProxyError('BACKEND_UNRESOLVED'));
    this.target = target;
    target.inFlight++;
    target.totalRequests++;
    if (this.stickyOutcome !== undefined) this.ctx.metrics.sticky(service.upstream.name, this.stickyOutcome);
    this.startedAt = performance.now();
    this.conn = service.pool(target).acquire(this, service.connectTimeout);
    if (this.conn.connected) this.onConnected();
  }

  /** onConnected writes the request head (and starts streaming the body). */
  onConnected(): void {
    const conn = this.conn!;
    const service = this.route!.service;
    conn.parser.expect(this, this.method === 'HEAD');
    const kind = requestBodyKind(this.req);
    conn.setTimeout(kind === 0 ? service.readTimeout : service.writeTimeout);
    // latin1: node decoded the client's header bytes as latin1, so this writes them back unchanged.
    conn.socket.write(buildUpstreamHead(this, kind === BODY_CHUNKED ? 'Transfer-Encoding: chunked\r\n' : ''), 'latin1');
    if (kind !== 0) this.body = new RequestBody(this.req, conn, kind, service.readTimeout);
  }

  onResponseHead(status: number, headers: string[]): void {
    const target = this.target!;
    const upstream = this.route!.service.upstream;
    this.status = status;
    const health = upstream.health;
    if (health !== null && health.enabled) health.reportPassive(target, { status });
    upstream.balancer.done?.(target, performance.now() - this.startedAt);
    if (this.setCookie !== undefined) headers.push('Set-Cookie', this.setCookie);
    if (this.setHeader !== undefined) headers.push(this.setHeader[0], this.setHeader[1]);
    if (this.route!.plugins !== null) this.route!.plugins.response(headers);
    try {
      this.res.writeHead(status, headers);
    } catch {
      // node refuses header bytes it would not send itself (control characters): a bad upstream.
      this.onConnectionError(new ProxyError('BAD_UPSTREAM_RESPONSE', 'invalid response header'));
    }
  }

  onResponseBody(chunk: Buffer): void {
    if (!this.res.write(chunk)) {
      const socket = this.conn!.socket;
      if (socket.isPaused()) return; // already waiting for 'drain' (several chunks in one read)
      socket.pause();
      // While the client is behind, the upstream is not slow: its read timeout stops, and the
      // client gets write_timeout to take the data (nginx's send_timeout) or is cut off.
      this.conn!.setTimeout(0);
      this.res.socket?.setTimeout(this.route!.service.writeTimeout);
      this.res.once('drain', onClientDrain);
    }
  }

  onResponseEnd(last: Buffer | null, keepAlive: boolean): void {
    const conn = this.conn!;
    const bodySent = this.body === null || this.body.complete;
    this.conn = null;
    if (!bodySent) this.body!.stop();
    conn.release(keepAlive && bodySent);
    this.finish();
    if (last === null) this.res.end();
    // A small body as a latin1 string (a byte-exact round trip) lets node send head and body in one
    // plain write instead of a writev of two buffers.
    else if (last.length <= SMALL_BODY) this.res.end(last.toString('latin1'), 'latin1');
    else this.res.end(last);
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
    if (this.finished) return;
    const conn = this.conn;
    const target = this.target!;
    // A reused keep-alive connection the upstream closed as we wrote: not the target's fault.
    const stale = conn !== null && conn.reused && this.body === null && !this.staleRetried && err.code === 'UPSTREAM_RESET' && conn.parser.awaitingHead;
    this.conn = null;
    this.target = null;
    if (conn !== null) conn.destroy();
    this.body?.stop();
    target.inFlight--;
    if (!stale) this.route!.service.upstream.health?.reportPassive(target, passiveOutcome(err));
    if (this.res.headersSent) return this.abortClient();
    if (stale) this.staleRetried = true;
    this.lastError = err;
    if (stale || this.retryable(err, target)) return this.attempt();
    this.fail(err);
  }

  private retryable(err: ProxyError, target: TargetState): boolean {
    if (!err.beforeSend || this.attempts >= this.route!.service.retries) return false;
    this.attempts++;
    (this.exclude ??= new Set()).add(target);
    return true;
  }

  /** clientClosed: the client went away before the response ended; drop the upstream side. */
  clientClosed(): void {
    if (this.finished) return;
    const conn = this.conn;
    this.conn = null;
    if (conn !== null) conn.destroy();
    this.body?.stop();
    if (this.target !== null) this.target.inFlight--;
    this.target = null;
    this.finished = true;
  }

  resumeUpstream(): void {
    const conn = this.conn;
    if (conn === null) return;
    this.res.socket?.setTimeout(0);
    conn.setTimeout(this.route!.service.readTimeout);
    conn.socket.resume();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    const target = this.target!;
    target.inFlight--;
    this.ctx.metrics.request(this.route!.service.upstream.name, target.address, this.status, (performance.now() - this.startedAt) / 1000);
  }

  private abortClient(): void {
    this.finished = true;
    this.res.destroy();
  }

  /** fail answers with the error's status and Kong's JSON body. */
  fail(err: ProxyError): void {
    this.finished = true;
    const upstream = this.route?.service.upstream.name ?? '';
    const status = sendError(this.res, err);
    this.ctx.metrics.request(upstream, '', status, 0);
    if (status >= 500) this.ctx.log.warn({ code: err.code, upstream, path: this.path, reason: err.message }, 'proxy error');
  }
}

function passiveOutcome(err: ProxyError): { status?: number; tcpFailure?: boolean; timeout?: boolean } {
  if (err.isTimeout) return { timeout: true };
  return err.code === 'BAD_UPSTREAM_RESPONSE' ? { status: 502 } : { tcpFailure: true };
}

function onClientClose(this: ServerResponse): void {
  const ex = (this as Tagged)[kExchange];
  if (ex !== undefined && !this.writableFinished) ex.clientClosed();
}

function onClientDrain(this: ServerResponse): void {
  (this as Tagged)[kExchange]?.resumeUpstream();
}
