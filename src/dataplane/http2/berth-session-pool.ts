import net from 'node:net';
import tls from 'node:tls';
import { ProxyError } from '../proxy/errors.js';
import { H2ClientConnection, type ClientConnectionOwner } from './client-connection.js';
import type { ClientStream, ClientStreamSink } from './client-stream.js';
import { DEFAULT_STREAMS_PER_SESSION, IDLE_SESSION_MS } from './session-pool.js';

/** A stream's user as the session sees it: told when the session is up, to start the body. */
export interface SessionWaiter {
  sessionReady(): void;
}

/**
 * BerthUpstreamSession: one multiplexed HTTP/2 connection to a target on berth's own client
 * (client-connection.ts), with the lifecycle of session-pool.ts's UpstreamSession: a connect
 * timeout, no new streams after GOAWAY or an error, closed when idle for idleMs.
 */
export class BerthUpstreamSession implements ClientConnectionOwner {
  readonly conn: H2ClientConnection;
  active = 0;
  /** Why the connection failed before it was up (connect timeout), for the streams' errors. */
  failure: ProxyError | null = null;
  private waiting: SessionWaiter[] | null = [];
  private connectTimer: NodeJS.Timeout | null;
  private idleSince = performance.now();
  private readonly idleCheck: NodeJS.Timeout;

  constructor(
    private readonly pool: BerthH2Pool,
    socket: net.Socket,
    connectTimeoutMs: number,
    private readonly idleMs: number,
  ) {
    this.conn = new H2ClientConnection(socket, this);
    this.connectTimer = setTimeout(onConnectTimeout, connectTimeoutMs, this);
    this.idleCheck = setInterval(checkIdle, idleMs / 2, this).unref();
    socket.once('close', () => this.closed());
  }

  get ready(): boolean {
    return this.conn.ready;
  }

  get available(): boolean {
    const limit = Math.min(this.pool.maxStreamsPerSession, this.conn.peerMaxStreams);
    return !this.conn.retired && this.active < limit;
  }

  request(fields: string[], endStream: boolean, sink: ClientStreamSink & SessionWaiter): ClientStream {
    this.active++;
    const stream = this.conn.request(fields, endStream, sink);
    if (this.waiting !== null) this.waiting.push(sink);
    else sink.sessionReady();
    return stream;
  }

  onReady(): void {
    this.clearConnectTimer();
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting !== null) for (const w of waiting) w.sessionReady();
  }

  onRetire(): void {
    this.pool.forget(this);
  }

  onStreamClosed(): void {
    if (--this.active === 0) this.idleSince = performance.now();
  }

  timedOut(): void {
    this.connectTimer = null;
    if (this.conn.ready) return;
    this.failure = new ProxyError('CONNECT_TIMEOUT', 'connect timeout', true);
    this.conn.destroy();
  }

  retireIfIdle(): void {
    if (this.active === 0 && performance.now() - this.idleSince >= this.idleMs) this.conn.shutdown();
  }

  shutdown(): void {
    this.conn.shutdown();
  }

  private closed(): void {
    this.clearConnectTimer();
    clearInterval(this.idleCheck);
    this.waiting = null;
    this.pool.forget(this);
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== null) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }
}

/**
 * BerthH2Pool: the sessions to one target (h2c, or h2 over TLS with ALPN), as session-pool.ts's
 * H2SessionPool: a stream goes on the first session with a free slot; a new session opens only
 * when every live one is full.
 */
export class BerthH2Pool {
  private readonly sessions: BerthUpstreamSession[] = [];
  retired = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly useTls: boolean,
    readonly maxStreamsPerSession = DEFAULT_STREAMS_PER_SESSION,
    private readonly idleMs = IDLE_SESSION_MS,
  ) {}

  get open(): number {
    return this.sessions.length;
  }

  request(fields: string[], connectTimeoutMs: number, endStream: boolean, sink: ClientStreamSink & SessionWaiter): { stream: ClientStream; session: BerthUpstreamSession } {
    let session: BerthUpstreamSession | undefined;
    for (let i = 0; i < this.sessions.length; i++) {
      if (this.sessions[i]!.available) {
        session = this.sessions[i];
        break;
      }
    }
    session ??= this.connect(connectTimeoutMs);
    return { stream: session.request(fields, endStream, sink), session };
  }

  forget(session: BerthUpstreamSession): void {
    const i = this.sessions.indexOf(session);
    if (i >= 0) this.sessions.splice(i, 1);
  }

  close(): void {
    this.retired = true;
    for (const s of this.sessions.splice(0)) s.shutdown();
  }

  private connect(connectTimeoutMs: number): BerthUpstreamSession {
    const { host, port } = this;
    // Upstream certificates are not verified, as with Kong's default tls_verify=false.
    const socket = this.useTls
      ? tls.connect({ host, port, servername: net.isIP(host) === 0 ? host : undefined, ALPNProtocols: ['h2'], rejectUnauthorized: false })
      : net.connect({ host, port, noDelay: true });
    if (this.useTls) {
      // An upstream that does not agree to h2 over TLS (RFC 9113 s3.2) is no h2 upstream.
      socket.once('secureConnect', () => {
        if ((socket as tls.TLSSocket).alpnProtocol !== 'h2') socket.destroy();
      });
    }
    const session = new BerthUpstreamSession(this, socket, connectTimeoutMs, this.idleMs);
    if (!this.retired) this.sessions.push(session);
    return session;
  }
}

function onConnectTimeout(session: BerthUpstreamSession): void {
  session.timedOut();
}

function checkIdle(session: BerthUpstreamSession): void {
  session.retireIfIdle();
}

/** berthPool: the pool of one target on berth's client, for an H2PoolSet (pool-set.ts). */
export function berthPool(host: string, port: number, tls: boolean): BerthH2Pool {
  return new BerthH2Pool(host, port, tls);
}
