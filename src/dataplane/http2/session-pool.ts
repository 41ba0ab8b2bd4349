import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { ProxyError, toProxyError } from '../proxy/errors.js';

const { NGHTTP2_REFUSED_STREAM } = http2.constants;
const kPooled = Symbol('berth.h2pooled');
type PooledStream = http2.ClientHttp2Stream & { [kPooled]?: UpstreamSession };

/** Streams per session when the upstream advertises no SETTINGS_MAX_CONCURRENT_STREAMS (RFC 9113 s6.5.2: unlimited). */
export const DEFAULT_STREAMS_PER_SESSION = 100;
/** A session without streams this long closes, so a pool to a scaled-down target does not linger. */
export const IDLE_SESSION_MS = 60_000;

/**
 * UpstreamSession: one multiplexed HTTP/2 connection to a target. `active` counts its open
 * streams; `closing` is set on GOAWAY, error or close, after which it takes no new stream
 * (RFC 9113 s6.8: streams above the GOAWAY's last id were never processed).
 */
export class UpstreamSession {
  active = 0;
  connected = false;
  closing = false;
  /** Streams this session carried, for tests and the admin view. */
  streams = 0;
  private connectTimer: NodeJS.Timeout | null;
  /**
   * Idle means no open stream: noted when the last one closes and checked by a slow interval,
   * rather than node's session.setTimeout, which re-arms its timer on every frame of every stream.
   */
  private idleSince = performance.now();
  private readonly idleCheck: NodeJS.Timeout;

  constructor(
    readonly pool: H2SessionPool,
    readonly session: http2.ClientHttp2Session,
    /** The raw socket (node's session.socket is a proxy that refuses destroy()). */
    private readonly socket: net.Socket,
    connectTimeoutMs: number,
    private readonly idleMs: number,
  ) {
    this.connectTimer = setTimeout(() => session.destroy(new ProxyError('CONNECT_TIMEOUT', 'connect timeout', true)), connectTimeoutMs);
    session.once('connect', () => this.onConnect());
    session.on('goaway', () => this.retire());
    session.on('error', () => this.retire());
    session.once('close', () => this.onClose());
    // Checked every idleMs/2: an idle session goes between idleMs and 1.5 x idleMs after its last stream.
    this.idleCheck = setInterval(checkIdle, idleMs / 2, this).unref();
  }

  /** limit: how many concurrent streams this session may carry (ours, capped by the upstream's). */
  get limit(): number {
    const remote = this.connected ? this.session.remoteSettings.maxConcurrentStreams : undefined;
    const max = this.pool.maxStreamsPerSession;
    return remote === undefined || remote > max ? max : remote;
  }

  get available(): boolean {
    return !this.closing && !this.session.destroyed && this.active < this.limit;
  }

  private onConnect(): void {
    this.connected = true;
    this.clearConnectTimer();
  }

  /** streamClosed: one of its streams ended; a retired session closes once none are left. */
  streamClosed(): void {
    if (--this.active === 0) this.idleSince = performance.now();
    if (this.closing && this.active === 0) this.endIdle();
  }

  private retire(): void {
    if (this.closing) return;
    this.closing = true;
    this.pool.forget(this);
    if (this.active === 0) this.endIdle();
  }

  /**
   * endIdle: a retired session with no stream left goes now, socket included: after a graceful
   * close node half-closes the socket and waits for the peer's FIN, which an idle peer (node's
   * own http2 server among them) never sends.
   */
  endIdle(): void {
    this.session.destroy();
    this.socket.destroy();
  }

  /** shutdown: no new streams; the open ones finish, then the session goes (GOAWAY, RFC 9113 s6.8). */
  shutdown(): void {
    this.closing = true;
    if (this.active === 0) this.endIdle();
    else if (!this.session.closed) this.session.close();
  }

  /** retireIfIdle: called by the idle check; a session without streams for idleMs retires. */
  retireIfIdle(): void {
    if (this.active === 0 && performance.now() - this.idleSince >= this.idleMs) this.retire();
  }

  private onClose(): void {
    this.clearConnectTimer();
    clearInterval(this.idleCheck);
    this.retire();
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== null) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }
}

export interface H2PoolOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly maxStreamsPerSession?: number;
  /** Default IDLE_SESSION_MS. */
  readonly idleSessionMs?: number;
}

/**
 * H2SessionPool: the HTTP/2 sessions to one target (h2c, or h2 over TLS with ALPN). A stream goes
 * on the first session with a free stream slot; a new session opens only when every live one is
 * full, so a target normally costs one TCP connection however many calls are in flight.
 */
export class H2SessionPool {
  readonly maxStreamsPerSession: number;
  private readonly sessions: UpstreamSession[] = [];
  private readonly origin: string;
  /** Its target left the config: no new sessions; live ones finish their streams. */
  retired = false;

  constructor(private readonly opts: H2PoolOptions) {
    this.maxStreamsPerSession = opts.maxStreamsPerSession ?? DEFAULT_STREAMS_PER_SESSION;
    const host = net.isIPv6(opts.host) ? `[${opts.host}]` : opts.host;
    this.origin = `${opts.tls ? 'https' : 'http'}://${host}:${opts.port}`;
  }

  /** open: live sessions (connecting, busy or idle). */
  get open(): number {
    return this.sessions.length;
  }

  /**
   * request opens a stream for `headers` (pseudo-headers included) on a session with room, and
   * returns it with its session; errors surface on the stream, classified by `streamError`.
   */
  request(headers: http2.OutgoingHttpHeaders, connectTimeoutMs: number, endStream: boolean): { stream: http2.ClientHttp2Stream; session: UpstreamSession } {
    let session = this.pick() ?? this.connect(connectTimeoutMs);
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.session.request(headers, { endStream });
    } catch {
      // The session went away between two events (node refuses new streams on it): use a new one.
      session.shutdown();
      this.forget(session);
      session = this.connect(connectTimeoutMs);
      stream = session.session.request(headers, { endStream });
    }
    session.active++;
    session.streams++;
    // A shared listener reading the session off the stream: no closure per stream.
    (stream as PooledStream)[kPooled] = session;
    stream.on('close', onPooledStreamClose);
    return { stream, session };
  }

  forget(session: UpstreamSession): void {
    const i = this.sessions.indexOf(session);
    if (i >= 0) this.sessions.splice(i, 1);
  }

  /** close ends every session gracefully: in-flight streams finish (GOAWAY, RFC 9113 s6.8). */
  close(): void {
    this.retired = true;
    for (const s of this.sessions.splice(0)) s.shutdown();
  }

  private pick(): UpstreamSession | undefined {
    for (let i = 0; i < this.sessions.length; i++) if (this.sessions[i]!.available) return this.sessions[i];
    return undefined;
  }

  private connect(connectTimeoutMs: number): UpstreamSession {
    const { host, port } = this.opts;
    // Upstream certificates are not verified, as with Kong's default tls_verify=false.
    const socket = this.opts.tls
      ? tls.connect({ host, port, servername: net.isIP(host) === 0 ? host : undefined, ALPNProtocols: ['h2'], rejectUnauthorized: false })
      : net.connect({ host, port, noDelay: true });
    const h2 = http2.connect(this.origin, { peerMaxConcurrentStreams: this.maxStreamsPerSession, createConnection: () => socket });
    const session = new UpstreamSession(this, h2, socket, connectTimeoutMs, this.opts.idleSessionMs ?? IDLE_SESSION_MS);
    // Errors are reported per stream; a session 'error' without a listener would crash the process.
    if (!this.retired) this.sessions.push(session);
    return session;
  }
}

function checkIdle(session: UpstreamSession): void {
  session.retireIfIdle();
}

function onPooledStreamClose(this: PooledStream): void {
  this[kPooled]!.streamClosed();
}

/**
 * streamError classifies a failed upstream stream. `beforeSend` (safe to try another target)
 * holds only when the upstream cannot have processed the request: the session never connected,
 * the stream never got an id, or the upstream refused it (REFUSED_STREAM, or above a GOAWAY's
 * last stream id, which nghttp2 reports the same way; RFC 9113 s8.7).
 */
export function streamError(err: unknown, stream: http2.ClientHttp2Stream, session: UpstreamSession): ProxyError {
  if (err instanceof ProxyError) return err;
  const neverSent = !session.connected || stream.id === undefined || stream.rstCode === NGHTTP2_REFUSED_STREAM;
  const classified = toProxyError(err, neverSent);
  if (classified.code === 'UPSTREAM_RESET' && !session.connected) return new ProxyError('CONNECT_FAILED', classified.message, true);
  return classified;
}

/** nodePool: the pool of one target on node's http2 client, for an H2PoolSet (pool-set.ts). */
export function nodePool(host: string, port: number, tls: boolean): H2SessionPool {
  return new H2SessionPool({ host, port, tls });
}
