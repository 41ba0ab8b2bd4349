import http from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type tls from 'node:tls';
import { H2FrontEnd } from './http2/front-end.js';
import { plainListener, tlsListener } from './http2/listeners.js';
import { rejectMisdirected } from './http2/misdirected.js';
import type { ProxyContext } from './proxy/context.js';
import { Attempt } from './proxy/attempt.js';
import { kEntryPoint, type EntryPoint, type EntryPointTagged } from './router/entry-point.js';
import { sendError } from './proxy/respond.js';
import { selectContext } from './proxy/tls.js';
import { upgradeClient } from './proxy/tunnel.js';

export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * ProxyServer: the proxy's listeners (plain, and TLS with SNI from the live config). Each listener
 * hands a connection to the HTTP/1.1 server or the HTTP/2 front end (http2/listeners.ts); each
 * request, HTTP/1.1, Upgrade or HTTP/2 stream, becomes an Attempt. Malformed HTTP never reaches
 * us: node's parsers answer 400 (or a protocol error) and close.
 */
export class ProxyServer {
  /** HTTP/1.1 servers (they never listen themselves: the listeners hand them connections). */
  private readonly servers: http.Server[] = [];
  private readonly listeners: net.Server[] = [];
  private readonly upgraded = new Set<Duplex>();
  private readonly h2: H2FrontEnd;
  private tlsServer: tls.Server | null = null;
  /** Counters for the admin API's GET /status. */
  readonly stats = { accepted: 0, active: 0, requests: 0 };

  constructor(private readonly ctx: ProxyContext) {
    this.h2 = new H2FrontEnd(ctx, this.stats);
  }

  private configure(server: http.Server): void {
    const ctx = this.ctx;
    server.keepAliveTimeout = 75_000;
    server.headersTimeout = 60_000;
    server.requestTimeout = 0; // long uploads are bounded by the service's timeouts instead
    // A client may send its request and half-close (`printf ... | nc`): answer it, as HAProxy
    // and nginx do, instead of node's default of dropping the request unanswered.
    (server as http.Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
    const stats = this.stats;
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      stats.requests++;
      try {
        if (!rejectMisdirected(ctx.runtime.tls, req, res)) new Attempt(ctx, req, res).start();
      } catch (err) {
        // A bug must cost one request, never the process.
        ctx.log.error({ err, url: req.url }, 'request failed');
        sendError(res, err);
      }
    });
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      stats.requests++;
      try {
        const client = upgradeClient(req, socket, head, this.upgraded);
        new Attempt(ctx, req, client.response, client).start();
      } catch (err) {
        ctx.log.error({ err, url: req.url }, 'upgrade failed');
        socket.destroy();
      }
    });
    // It never listens itself, so start node's own connection tracking (headersTimeout, idle
    // keep-alive checks) the way listen() would.
    server.emit('listening');
    this.servers.push(server);
  }

  /**
   * listen starts a plain HTTP listener and resolves with its bound address. With `entry`, its
   * sockets stand for those Gateway listeners only (router/entry-point.ts).
   */
  listen(addr: ListenAddress, entry?: EntryPoint): Promise<ListenAddress> {
    const server = http.createServer({ noDelay: true });
    this.configure(server);
    const listener = plainListener(server, this.h2);
    if (entry !== undefined) listener.on('connection', (socket: EntryPointTagged) => void (socket[kEntryPoint] = entry));
    return this.bind(listener, addr);
  }

  /** listenTls starts the HTTPS listener (ALPN h2, http/1.1); certificates come from the live config by SNI. */
  listenTls(addr: ListenAddress): Promise<ListenAddress> {
    const server = http.createServer({ noDelay: true });
    this.configure(server);
    this.tlsServer = tlsListener(server, this.h2, (servername, cb) => cb(null, selectContext(this.ctx.runtime.tls, servername) ?? undefined));
    this.refreshTls();
    return this.bind(this.tlsServer, addr);
  }

  private bind(listener: net.Server, addr: ListenAddress): Promise<ListenAddress> {
    const stats = this.stats;
    listener.on('connection', (socket: Duplex) => {
      stats.accepted++;
      stats.active++;
      socket.once('close', () => stats.active--);
    });
    this.listeners.push(listener);
    return bind(listener, addr);
  }

  /** refreshTls installs the default certificate for clients that send no SNI. */
  refreshTls(): void {
    const pem = this.ctx.runtime.tls.fallbackPem;
    if (this.tlsServer !== null && pem !== null) this.tlsServer.setSecureContext({ cert: pem.cert, key: pem.key });
  }

  /**
   * close stops accepting, lets in-flight requests (and upgraded connections, and HTTP/2 streams
   * after a GOAWAY) finish, and cuts whatever is left at the deadline.
   */
  async close(deadlineMs: number): Promise<void> {
    const closed = this.listeners.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    this.h2.shutdown();
    const deadline = Date.now() + deadlineMs;
    while (Date.now() < deadline && !(await this.idle())) {
      for (const s of this.servers) s.closeIdleConnections();
      await new Promise((r) => setTimeout(r, 25));
    }
    for (const s of this.servers) {
      s.closeAllConnections();
      s.close(); // stops the connection tracking timer
    }
    this.h2.destroyAll();
    for (const socket of this.upgraded) socket.destroy();
    await Promise.all(closed);
  }

  private async idle(): Promise<boolean> {
    if (this.upgraded.size > 0 || this.h2.openSessions > 0) return false;
    const counts = await Promise.all(
      this.listeners.map((s) => new Promise<number>((resolve) => s.getConnections((_e, n) => resolve(n ?? 0)))),
    );
    return counts.every((n) => n === 0);
  }
}

function bind(server: net.Server, addr: ListenAddress): Promise<ListenAddress> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.host, () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      resolve({ host: a.address, port: a.port });
    });
  });
}
