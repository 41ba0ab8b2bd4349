import net from 'node:net';
import tls from 'node:tls';
import { ResponseParser, type ResponseHandler } from './response-parser.js';
import { ProxyError, toProxyError } from './errors.js';

/** ConnectionUser: the request currently driving an upstream connection. */
export interface ConnectionUser extends ResponseHandler {
  onConnected(): void;
  /** The connection failed or closed while in use. */
  onConnectionError(err: ProxyError): void;
  onTimeout(): void;
  /** The socket's write buffer drained (request body backpressure). */
  onDrain(): void;
  /** One socket read was fully parsed (the user may flush what it held back). */
  onReadEnd(): void;
}

/**
 * UpstreamConnection: one keep-alive connection to a target, with its own response parser. Socket
 * listeners are attached once per connection, never per request; they forward to `user`.
 */
export class UpstreamConnection {
  readonly socket: net.Socket;
  readonly parser = new ResponseParser();
  user: ConnectionUser | null;
  connected = false;
  /** Has carried an earlier request (a failure may be a stale keep-alive race, not a dead target). */
  reused = false;
  /** Requests this connection was given (upstream_keepalive_max_requests). */
  requests = 1;
  closed = false;
  /** Epoch ms after which the upstream may have closed this idle connection (its Keep-Alive hint). */
  expiresAt = Infinity;
  private timeoutMs: number;
  private lastError: Error | null = null;

  constructor(readonly pool: ConnectionPool, user: ConnectionUser, connectTimeoutMs: number) {
    this.user = user;
    this.timeoutMs = connectTimeoutMs;
    this.socket = pool.tls
      ? tls.connect({ host: pool.host, port: pool.port, servername: pool.servername, rejectUnauthorized: false })
      : net.connect({ host: pool.host, port: pool.port, noDelay: true });
    this.socket.setTimeout(connectTimeoutMs);
    this.socket.on(pool.tls ? 'secureConnect' : 'connect', () => this.onConnect());
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('end', () => this.onEnd());
    this.socket.on('error', (err) => (this.lastError = err));
    this.socket.on('close', () => this.onClose());
    this.socket.on('timeout', () => this.onSocketTimeout());
    this.socket.on('drain', () => this.user?.onDrain());
  }

  /** setTimeout sets the inactivity timeout (read or write), touching the socket only on change. */
  setTimeout(ms: number): void {
    if (ms === this.timeoutMs) return;
    this.timeoutMs = ms;
    this.socket.setTimeout(ms);
  }

  /** release hands the connection back: to the idle list when reusable, else closes it. */
  release(keepAlive: boolean): void {
    this.user = null;
    if (keepAlive && !this.closed) {
      // The last response may have paused the socket for client backpressure; an idle connection
      // must read again (to see the upstream close it, and to get the next response).
      this.socket.resume();
      this.pool.putIdle(this);
    } else this.destroy();
  }

  /**
   * detachForTunnel hands the socket to a tunnel after a 101: no more parsing, timeouts or
   * pooling. It stays counted as an open connection of its pool until it closes.
   */
  detachForTunnel(): net.Socket {
    this.user = null;
    for (const event of ['data', 'end', 'timeout', 'drain'] as const) this.socket.removeAllListeners(event);
    this.socket.setTimeout(0);
    this.timeoutMs = 0;
    return this.socket;
  }

  destroy(): void {
    this.user = null;
    this.parser.abort();
    this.socket.destroy();
  }

  private onConnect(): void {
    this.connected = true;
    if (this.user === null) this.pool.putIdle(this);
    else this.user.onConnected();
  }

  private onData(chunk: Buffer): void {
    if (this.user === null || !this.parser.busy) return void this.socket.destroy(); // out of step
    try {
      this.parser.execute(chunk);
      this.user?.onReadEnd();
    } catch (err) {
      // A bug in a response callback must cost this request, never the process.
      const user = this.user;
      this.destroy();
      user?.onConnectionError(new ProxyError('INTERNAL', err instanceof Error ? err.message : String(err)));
    }
  }

  private onEnd(): void {
    if (this.user !== null && this.parser.endsAtClose) this.parser.finishAtClose();
  }

  private onClose(): void {
    this.closed = true;
    this.pool.forget(this);
    const user = this.user;
    if (user === null) return;
    this.user = null;
    if (!this.connected) user.onConnectionError(toProxyError(this.lastError ?? closedError(), true));
    else user.onConnectionError(toProxyError(this.lastError ?? resetError(), false));
  }

  private onSocketTimeout(): void {
    const user = this.user;
    if (user === null) return void this.socket.destroy();
    if (!this.connected) {
      this.user = null;
      this.socket.destroy();
      return user.onConnectionError(new ProxyError('CONNECT_TIMEOUT', 'connect timeout', true));
    }
    user.onTimeout();
  }
}

function closedError(): Error {
  return Object.assign(new Error('connection closed before it was established'), { code: 'ECONNREFUSED' });
}

function resetError(): Error {
  return Object.assign(new Error('upstream closed the connection'), { code: 'ECONNRESET' });
}

/**
 * KeepaliveSettings: Kong's upstream keep-alive settings (kong.conf `upstream_keepalive_pool_size`,
 * `upstream_keepalive_max_requests`, `upstream_keepalive_idle_timeout`), per address.
 */
export interface KeepaliveSettings {
  /** Idle connections kept per address; 0 = no keep-alive (a connection per request). */
  readonly poolSize: number;
  /** Requests one connection carries before it is closed; 0 = no limit. */
  readonly maxRequests: number;
  /** ms an idle connection is kept; 0 = until the upstream closes it. */
  readonly idleTimeoutMs: number;
}

export const KONG_KEEPALIVE: KeepaliveSettings = { poolSize: 512, maxRequests: 10_000, idleTimeoutMs: 60_000 };

/** ConnectionPool: keep-alive connections to one address (and scheme), most recently used first. */
export class ConnectionPool {
  private readonly idle: UpstreamConnection[] = [];
  /** Live connections, idle and busy. */
  open = 0;
  /** Its address left the config: connections close when their request ends. */
  retired = false;

  constructor(
    readonly address: string,
    readonly host: string,
    readonly port: number,
    readonly tls: boolean,
    readonly servername: string | undefined,
    private readonly keepalive: KeepaliveSettings = KONG_KEEPALIVE,
  ) {}

  /** acquire returns an idle connection (already connected) or starts a new one. */
  acquire(user: ConnectionUser, connectTimeoutMs: number): UpstreamConnection {
    let conn = this.idle.pop();
    while (conn !== undefined && conn.expiresAt !== Infinity && conn.expiresAt <= Date.now()) {
      conn.destroy();
      conn = this.idle.pop();
    }
    if (conn !== undefined) {
      conn.user = user;
      conn.reused = true;
      conn.requests++;
      return conn;
    }
    this.open++;
    return new UpstreamConnection(this, user, connectTimeoutMs);
  }

  putIdle(conn: UpstreamConnection): void {
    const k = this.keepalive;
    if (this.retired || this.idle.length >= k.poolSize || (k.maxRequests > 0 && conn.requests >= k.maxRequests)) return conn.destroy();
    // An idle connection's inactivity limit is the idle timeout (the socket's 'timeout' closes it).
    conn.setTimeout(k.idleTimeoutMs);
    const hint = conn.parser.keepAliveHintMs;
    // Leave a second of margin so we never write to a connection the upstream is closing.
    conn.expiresAt = hint > 0 ? Date.now() + hint - 1000 : Infinity;
    this.idle.push(conn);
  }

  forget(conn: UpstreamConnection): void {
    this.open--;
    const i = this.idle.lastIndexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
  }

  /** closeIdle closes every idle connection now; busy ones finish their request first. */
  closeIdle(): void {
    for (const conn of this.idle.splice(0)) conn.destroy();
  }

  get idleCount(): number {
    return this.idle.length;
  }
}

/**
 * PoolSet: every upstream connection pool of the process, keyed by scheme + address, so a target
 * that survives a reload (or appears in two upstreams) keeps its warm connections. The admin API
 * reads open connection counts from here.
 */
export class PoolSet {
  private readonly pools = new Map<string, ConnectionPool>();

  constructor(private readonly keepalive: KeepaliveSettings = KONG_KEEPALIVE) {}

  get(address: string, host: string, port: number, useTls: boolean): ConnectionPool {
    const key = (useTls ? 'https://' : 'http://') + address;
    let pool = this.pools.get(key);
    if (pool === undefined) {
      pool = new ConnectionPool(address, host, port, useTls, net.isIP(host) === 0 ? host : undefined, this.keepalive);
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** openConnections: pooled connections to `address`: idle, busy and tunneled (upgrades). */
  openConnections(address: string): number {
    const plain = this.pools.get('http://' + address)?.open ?? 0;
    const secure = this.pools.get('https://' + address)?.open ?? 0;
    return plain + secure;
  }

  /**
   * retire: a target at `address` left the config. Its idle connections close now, busy ones when
   * their request ends; the next config's requests get a fresh pool, so the map stays bounded.
   */
  retire(address: string): void {
    for (const key of ['http://' + address, 'https://' + address]) {
      const pool = this.pools.get(key);
      if (pool === undefined) continue;
      pool.retired = true;
      pool.closeIdle();
      this.pools.delete(key);
    }
  }

  closeAllIdle(): void {
    for (const pool of this.pools.values()) pool.closeIdle();
  }
}
