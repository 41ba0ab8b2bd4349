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
import { idleKeepAlive, onClientError, trackResponse } from './connections.js';

export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * ProxyServer: the proxy's listeners (plain, and TLS with SNI from the live config). Each listener
 * hands a connection to the HTTP/1.1 server or the HTTP/2 front end (http2/listeners.ts); each
 * request, HTTP/1.1, Upgrade or HTTP/2 stream, becomes an Attempt. Malformed HTTP never reaches
 * the engine: node's parsers reject it; for HTTP/1.1 connections.ts answers (after any answer
 * still in flight on that connection).
 */
export class ProxyServer {
  /** HTTP/1.1 servers (they never listen themselves: the listeners hand them connections). */
  private readonly servers: http.Server[] = [];
  private readonly listeners: net.Server[] = [];
  private readonly upgraded = new Set<Duplex>();
  private readonly h2: H2FrontEnd;
  private tlsServer: tls.Server | null = null;
  /** Open HTTP/1.1 client connections (shutdown closes the idle keep-alive ones). */
  private readonly sockets = new Set<Duplex>();
  /** Counters for the admin API's GET /status; `refused`: connections over --max-connections. */
  readonly stats = { accepted: 0, active: 0, requests: 0, refused: 0 };
  /** A drain began: every HTTP/1.1 answer carries `Connection: close` (see Gateway.drain). */
  draining = false;

  constructor(
    private readonly ctx: ProxyContext,
    /** Open client connections accepted at most, over all listeners; 0 = no limit. */
    private readonly maxConnections = 0,
  ) {
    this.h2 = new H2FrontEnd(ctx, this.stats);
  }

  beginDrain(): void {
    this.draining = true;
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
    const sockets = this.sockets;
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      stats.requests++;
      if (this.draining) res.shouldKeepAlive = false;
      trackResponse(req.socket, res);
      try {
        if (!rejectMisdirected(ctx.runtime.tls, req, res)) new Attempt(ctx, req, res).start();
      } catch (err) {
        // A bug must cost one request, never the process.
        ctx.log.error({ err, url: req.url }, 'request failed');
        sendError(res, err);
      }
    });
    server.on('connection', (socket: Duplex) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    server.on('clientError', onClientError);
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
    const max = this.maxConnections;
    const metrics = this.ctx.metrics;
    // First listener: over the cap a connection is closed before HTTP/1.1 or HTTP/2 sees it;
    // open connections are unharmed.
    listener.prependListener('connection', (socket: Duplex) => {
      if (max > 0 && stats.active >= max) {
        stats.refused++;
        metrics.connectionRefused();
        return void socket.destroy();
      }
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
    this.draining = true;
    const closed = this.listeners.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    this.h2.shutdown();
    const deadline = Date.now() + deadlineMs;
    // Answers in flight finish with Connection: close and node then closes their connections;
    // only keep-alive connections idle since before the drain are closed here (node's
    // closeIdleConnections would also cut fresh connections whose first request is on its way).
    while (Date.now() < deadline && !(await this.idle())) {
      for (const socket of this.sockets) if (idleKeepAlive(socket)) socket.destroy();
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
