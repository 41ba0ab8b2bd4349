import net from 'node:net';
import tls from 'node:tls';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { UNRESOLVED_BACKEND } from '../balancers/unresolved-share.js';
import type { TargetState } from '../targets/target.js';
import type { ProxyContext } from './context.js';
import { errorResponse, ProxyError, toProxyError } from './errors.js';
import { validHeaderValue } from './headers.js';
import { ProxiedRequest } from './proxied-request.js';
import { buildUpstreamHead } from './request-head.js';

/**
 * Upgrade: a WebSocket (or other Upgrade) request. After the route and target are chosen and the
 * upstream accepted the TCP connection, both sockets are piped to each other raw: the upstream's
 * 101 answer and every frame pass through untouched, for as long as either side keeps it open.
 */
export class Upgrade extends ProxiedRequest {
  private exclude: Set<TargetState> | null = null;
  private attempts = 0;

  constructor(
    ctx: ProxyContext,
    req: IncomingMessage,
    private readonly client: Duplex,
    private readonly head: Buffer,
    private readonly tracked: Set<Duplex>,
  ) {
    super(ctx, req);
    client.on('error', () => client.destroy());
  }

  start(): void {
    const match = this.ctx.runtime.router.match(this);
    const route = match === null ? undefined : this.ctx.runtime.routes.get(match.route);
    if (match === null || route === undefined) return this.reject(new ProxyError('NO_ROUTE'));
    this.route = route;
    this.uriCaptures = match.captures;
    this.upstreamPath = match.upstreamPath;
    route.plugins?.rewrite(this);
    this.connect(null);
  }

  private connect(lastError: ProxyError | null): void {
    const service = this.route!.service;
    const target = service.upstream.balancer.pick(this, this.exclude ?? undefined);
    if (target === null) return this.reject(lastError ?? new ProxyError('NO_PEER'));
    if (target === UNRESOLVED_BACKEND) return this.reject(new ProxyError('BACKEND_UNRESOLVED'));
    this.target = target;
    const upstream = service.tls
      ? tls.connect({ host: target.host, port: target.port, rejectUnauthorized: false, servername: net.isIP(target.host) ? undefined : target.host })
      : net.connect({ host: target.host, port: target.port, noDelay: true });
    upstream.setTimeout(service.connectTimeout);
    upstream.once('timeout', () => upstream.destroy(new ProxyError('CONNECT_TIMEOUT', 'connect timeout', true)));
    upstream.once('error', (err) => this.connectFailed(upstream, toProxyError(err, true)));
    upstream.once(service.tls ? 'secureConnect' : 'connect', () => this.connected(upstream, target));
  }

  private connectFailed(upstream: net.Socket, err: ProxyError): void {
    upstream.destroy();
    const target = this.target!;
    this.route!.service.upstream.health?.reportPassive(target, err.isTimeout ? { timeout: true } : { tcpFailure: true });
    if (this.client.destroyed || this.attempts >= this.route!.service.retries) return this.reject(err);
    this.attempts++;
    (this.exclude ??= new Set()).add(target);
    this.connect(err);
  }

  private connected(upstream: net.Socket, target: TargetState): void {
    upstream.removeAllListeners('timeout');
    upstream.removeAllListeners('error');
    upstream.setTimeout(0);
    if (this.client.destroyed) return void upstream.destroy();
    const upgrade = this.headers.upgrade ?? 'websocket';
    const extra = validHeaderValue(upgrade) ? 'Connection: Upgrade\r\nUpgrade: ' + upgrade + '\r\n' : '';
    upstream.write(buildUpstreamHead(this, extra), 'latin1');
    if (this.head.length > 0) upstream.write(this.head);
    this.track(upstream, target);
    this.client.pipe(upstream);
    const extraHeaders = this.responseHeaderLines();
    if (extraHeaders === '') upstream.pipe(this.client);
    else injectIntoHead(upstream, this.client, extraHeaders);
  }

  /** responseHeaderLines: the sticky Set-Cookie / session header the 101 answer must carry. */
  private responseHeaderLines(): string {
    let lines = '';
    if (this.setCookie !== undefined) lines += 'Set-Cookie: ' + this.setCookie + '\r\n';
    if (this.setHeader !== undefined) lines += this.setHeader[0] + ': ' + this.setHeader[1] + '\r\n';
    return lines;
  }

  private track(upstream: net.Socket, target: TargetState): void {
    const pools = this.ctx.pools;
    target.inFlight++;
    pools.upgradeOpened(target.address);
    this.tracked.add(this.client);
    let open = true;
    const close = (): void => {
      if (!open) return;
      open = false;
      target.inFlight--;
      pools.upgradeClosed(target.address);
      this.tracked.delete(this.client);
      upstream.destroy();
      this.client.destroy();
    };
    upstream.on('error', close).on('close', close);
    this.client.on('close', close);
  }

  /** reject answers on the raw socket (no ServerResponse exists for an upgrade request). */
  private reject(err: ProxyError): void {
    const r = errorResponse(err);
    if (this.client.destroyed) return;
    this.client.end(
      `HTTP/1.1 ${r.status} ${statusText(r.status)}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(r.body)}\r\nConnection: close\r\n\r\n${r.body}`,
    );
  }
}

/**
 * injectIntoHead copies the upstream's response head to the client with `lines` added before its
 * blank line, then pipes the rest untouched. A head over 64 KiB is not HTTP we can work with.
 */
function injectIntoHead(upstream: Duplex, client: Duplex, lines: string): void {
  let pending = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    pending = Buffer.concat([pending, chunk]);
    const end = pending.indexOf('\r\n\r\n');
    if (end < 0) {
      if (pending.length > 64 * 1024) upstream.destroy();
      return;
    }
    upstream.off('data', onData);
    upstream.pause();
    client.write(Buffer.concat([pending.subarray(0, end + 2), Buffer.from(lines + '\r\n', 'latin1'), pending.subarray(end + 4)]));
    upstream.pipe(client);
  };
  upstream.on('data', onData);
}

function statusText(status: number): string {
  switch (status) {
    case 404:
      return 'Not Found';
    case 500:
      return 'Internal Server Error';
    case 503:
      return 'Service Unavailable';
    case 504:
      return 'Gateway Timeout';
    default:
      return 'Bad Gateway';
  }
}
