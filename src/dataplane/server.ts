import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type tls from 'node:tls';
import { H1Server } from './http1/server.js';
import { createH2FrontEnd, DEFAULT_HTTP2_ENGINE, type Http2Engine } from './http2/engine.js';
import { plainListener, tlsListener, type H2Acceptor } from './http2/listeners.js';
import type { ProxyContext } from './proxy/context.js';
import { kEntryPoint, type EntryPoint, type EntryPointTagged } from './router/entry-point.js';
import { selectContext } from './proxy/tls.js';

export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * ProxyServer: the proxy's listeners (plain, and TLS with SNI from the live config). Each listener
 * hands a connection to the HTTP/1.1 front end (http1/) or the HTTP/2 one (http2/listeners.ts);
 * each request, HTTP/1.1, Upgrade or HTTP/2 stream, becomes an Attempt. Malformed HTTP never
 * reaches the engine: http1/request-parser.ts (held to llhttp's verdicts) and the HTTP/2
 * engine's parser (node's, or http2/connection.ts) reject it.
 */
export class ProxyServer {
  /** HTTP/1.1 front ends (they never listen themselves: the listeners hand them connections). */
  private readonly servers: H1Server[] = [];
  private readonly listeners: net.Server[] = [];
  /**
   * Every accepted connection until it closes, whatever stage it is in (sniffing its protocol,
   * a TLS handshake, HTTP/1.1, HTTP/2, a tunnel), so that close() can cut all of them at its
   * deadline: the front ends only know the connections handed to them.
   */
  private readonly open = new Set<Duplex>();
  private readonly h2: H2Acceptor;
  private tlsServer: tls.Server | null = null;
  /** Counters for the admin API's GET /status; `refused`: connections over --max-connections. */
  readonly stats = connectionStats(this.open);
  /** A drain began: every HTTP/1.1 answer carries `Connection: close` (see Gateway.drain). */
  draining = false;

  constructor(
    private readonly ctx: ProxyContext,
    /** Open client connections accepted at most, over all listeners; 0 = no limit. */
    private readonly maxConnections = 0,
    /** --http2-engine: whose HTTP/2 serves h2 clients. */
    http2Engine: Http2Engine = DEFAULT_HTTP2_ENGINE,
  ) {
    this.h2 = createH2FrontEnd(http2Engine, ctx, this.stats);
  }

  beginDrain(): void {
    this.draining = true;
  }

  private h1(): H1Server {
    const server = new H1Server(this.ctx, this.stats, this);
    this.servers.push(server);
    return server;
  }

  /**
   * listen starts a plain HTTP listener and resolves with its bound address. With `entry`, its
   * sockets stand for those Gateway listeners only (router/entry-point.ts).
   */
  listen(addr: ListenAddress, entry?: EntryPoint): Promise<ListenAddress> {
    const listener = plainListener(this.h1(), this.h2);
    if (entry !== undefined) listener.on('connection', (socket: EntryPointTagged) => void (socket[kEntryPoint] = entry));
    return this.bind(listener, addr);
  }

  /** listenTls starts the HTTPS listener (ALPN h2, http/1.1); certificates come from the live config by SNI. */
  listenTls(addr: ListenAddress): Promise<ListenAddress> {
    const { listener, tls: tlsServer } = tlsListener(this.h1(), this.h2, (servername, cb) => cb(null, selectContext(this.ctx.runtime.tls, servername) ?? undefined));
    this.tlsServer = tlsServer;
    this.refreshTls();
    return this.bind(listener, addr);
  }

  private bind(listener: net.Server, addr: ListenAddress): Promise<ListenAddress> {
    const stats = this.stats;
    const open = this.open;
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
      open.add(socket);
      socket.once('close', () => open.delete(socket));
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
    // Answers in flight finish with Connection: close and their connections then close; only
    // keep-alive connections idle since before the drain are closed here (not fresh connections
    // whose first request is on its way).
    while (Date.now() < deadline && this.open.size > 0) {
      for (const s of this.servers) s.closeIdle();
      await new Promise((r) => setTimeout(r, 25));
    }
    for (const s of this.servers) s.close();
    this.h2.destroyAll();
    // Upgraded tunnels' client sockets are among them, and a listener's close callback waits for
    // every connection it accepted, handed over or not.
    for (const socket of this.open) socket.destroy();
    await Promise.all(closed);
  }
}

/** ConnectionStats: the proxy's connection counters; `active` is read from the open set, never kept apart from it. */
export interface ConnectionStats {
  accepted: number;
  readonly active: number;
  requests: number;
  refused: number;
}

function connectionStats(open: ReadonlySet<Duplex>): ConnectionStats {
  return {
    accepted: 0,
    requests: 0,
    refused: 0,
    get active() {
      return open.size;
    },
  };
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
