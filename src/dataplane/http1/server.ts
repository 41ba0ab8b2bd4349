import { EventEmitter } from 'node:events';
import type net from 'node:net';
import type { ProxyContext } from '../proxy/context.js';
import { H1Connection, type ConnectionHost } from './connection.js';

/** Whose drain flag the answers follow (ProxyServer). */
export interface DrainState {
  readonly draining: boolean;
}

/**
 * H1Server: the HTTP/1.1 front end on `net` sockets. It never listens itself: the proxy's
 * listeners (http2/listeners.ts) emit 'connection' on it, as on node's http.Server, whose place
 * it takes. One timer a second ticks a coarse clock and enforces the head and keep-alive
 * timeouts over all connections, instead of a timer per request.
 */
export class H1Server extends EventEmitter implements ConnectionHost {
  private readonly connections = new Set<H1Connection>();
  private readonly timer: NodeJS.Timeout;
  now = Date.now();

  constructor(
    readonly ctx: ProxyContext,
    readonly stats: { requests: number },
    private readonly drain: DrainState,
  ) {
    super();
    this.on('connection', (socket: net.Socket) => this.connections.add(new H1Connection(this, socket)));
    this.timer = setInterval(sweep, 1000, this).unref();
  }

  get draining(): boolean {
    return this.drain.draining;
  }

  forget(conn: H1Connection): void {
    this.connections.delete(conn);
  }

  /** tick advances the clock (tests pass a later time) and applies the timeouts. */
  tick(now = Date.now()): void {
    this.now = now;
    for (const conn of this.connections) conn.tick(now);
  }

  /** closeIdle closes the keep-alive connections idle since their last answer (a drain's end). */
  closeIdle(): void {
    for (const conn of this.connections) if (conn.idleKeepAlive) conn.socket.destroy();
  }

  /** close cuts every connection and stops the clock. */
  close(): void {
    clearInterval(this.timer);
    for (const conn of this.connections) conn.socket.destroy();
    this.connections.clear();
  }
}

function sweep(server: H1Server): void {
  server.tick();
}
