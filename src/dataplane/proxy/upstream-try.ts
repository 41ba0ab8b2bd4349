import { UNRESOLVED_BACKEND } from '../balancers/unresolved-share.js';
import type { H2UpstreamTry } from '../http2/engine.js';
import type { RoutePlugins } from '../plugins/index.js';
import type { TargetState } from '../targets/target.js';
import type { ProxyContext } from './context.js';
import type { DownstreamRequest, DownstreamResponse } from './downstream.js';
import { ProxyError } from './errors.js';
import type { ConnectionUser, UpstreamConnection } from './pool.js';
import { ProxiedRequest } from './proxied-request.js';
import { buildUpstreamHead, upgradeHeaderLines, upgradeOffer } from './request-head.js';
import { BODY_CHUNKED, BODY_NONE, RequestBody, requestBodyKind } from './request-body.js';
import type { StreamTunnelClient } from './stream-tunnel.js';
import type { UpgradeClient } from './tunnel.js';

/**
 * UpstreamTry: the upstream side of a request (attempt.ts's Attempt is the rest of it): picking a
 * target, dialing it through its pool or HTTP/2 session, sending the head and body, and what
 * happens when a try fails: Kong's retries before anything was sent, a Gateway API retry policy's
 * after (statuses, resets, timeouts, with backoff), the try and request timeouts, in-flight counts
 * and passive health. One try is in progress at a time; its state lives in these fields and
 * `endTry` closes it exactly once.
 */
export abstract class UpstreamTry extends ProxiedRequest implements ConnectionUser {
  protected conn: UpstreamConnection | null = null;
  /** The try in progress on an HTTP/2 upstream (service protocol grpc/grpcs) instead of `conn`. */
  protected h2: H2UpstreamTry | null = null;
  protected body: RequestBody | null = null;
  private exclude: Set<TargetState> | null = null;
  private retried = 0;
  private staleRetried = false;
  private lastError: ProxyError | null = null;
  protected settled = false;
  /** Gateway API timeouts and retry backoff (null when not running). */
  protected requestTimer: NodeJS.Timeout | null = null;
  private tryTimer: NodeJS.Timeout | null = null;
  protected backoffTimer: NodeJS.Timeout | null = null;
  /** The response head, kept until the end of the read it arrived in (Attempt.onResponseHead). */
  protected pendingHead: string[] | null = null;
  /** The picked target's backend plugins (HTTPRoute backendRef filters), and the headers before them. */
  protected backend: RoutePlugins | null = null;
  private routeHeaders: string[] | null | undefined = undefined;
  private routePath = '';

  constructor(
    ctx: ProxyContext,
    req: DownstreamRequest,
    readonly res: DownstreamResponse,
    /** The client side of an upgrade: its HTTP/1.1 connection, or an HTTP/2 stream (RFC 8441). */
    protected readonly client: UpgradeClient | StreamTunnelClient | null,
  ) {
    super(ctx, req, client !== null);
  }

  /** fail answers the client with the error (the request is over). */
  abstract fail(err: ProxyError): void;
  /** abortClient cuts a client whose answer had begun (the request is over). */
  protected abstract abortClient(err: ProxyError): void;
  // The response side, relayed to the client by Attempt.
  abstract onResponseHead(status: number, headers: string[]): void;
  abstract onReadEnd(): void;
  abstract onResponseBody(chunk: Buffer): void;
  abstract onResponseEnd(last: Buffer | null, keepAlive: boolean): void;
  abstract onResponseError(reason: string): void;
  abstract onUpgrade(headers: string[], upgrade: string, rest: Buffer): void;

  /** tryNext picks a target (excluding those that failed) and dials it through its pool. */
  protected tryNext(): void {
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
  protected retriesStatus(status: number): boolean {
    const service = this.route!.service;
    return service.retryStatuses !== null && service.retryStatuses.has(status) && this.retried < service.retries && this.replayable();
  }

  /** retryAfterStatus drops the answer (and its connection) and tries again after the backoff. */
  protected retryAfterStatus(): void {
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

  onTimeout(): void {
    const code = this.body !== null && !this.body.complete ? 'WRITE_TIMEOUT' : 'READ_TIMEOUT';
    this.onConnectionError(new ProxyError(code, 'upstream timed out'));
  }

  onDrain(): void {
    this.body?.resume();
  }

  /** dropUpstream ends the current try's upstream side: its connection or h2 stream, and the body feed. */
  protected dropUpstream(): void {
    const conn = this.conn;
    this.conn = null;
    this.pendingHead = null;
    if (conn !== null) conn.destroy();
    this.h2?.destroy();
    this.h2 = null;
    this.body?.stop();
  }

  protected clearTimers(): void {
    if (this.requestTimer !== null) clearTimeout(this.requestTimer);
    if (this.tryTimer !== null) clearTimeout(this.tryTimer);
    if (this.backoffTimer !== null) clearTimeout(this.backoffTimer);
    this.requestTimer = this.tryTimer = this.backoffTimer = null;
  }

  /** endTry closes the try in progress: in-flight count and, on failure, passive health. Idempotent. */
  protected endTry(err: ProxyError | null): void {
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
}

function passiveOutcome(err: ProxyError): { status?: number; tcpFailure?: boolean; timeout?: boolean } {
  if (err.isTimeout) return { timeout: true };
  return err.code === 'BAD_UPSTREAM_RESPONSE' ? { status: 502 } : { tcpFailure: true };
}

// Timer callbacks take the request as their argument: no per-request closure.
function onTryTimeout(attempt: UpstreamTry): void {
  attempt.tryTimedOut();
}

function onBackoffOver(attempt: UpstreamTry): void {
  attempt.backoffOver();
}
