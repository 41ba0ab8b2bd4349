import http2 from 'node:http2';
import type net from 'node:net';
import type tls from 'node:tls';
import type { ProxyContext } from '../proxy/context.js';
import { kEntryPoint, type EntryPointTagged } from '../router/entry-point.js';
import { H2Downstream, type StreamConnection } from './downstream-stream.js';
import type { H2Acceptor } from './listeners.js';
import { dispatchStream } from './stream-dispatch.js';

/** Concurrent streams we accept per client connection (SETTINGS_MAX_CONCURRENT_STREAMS). */
export const MAX_CLIENT_STREAMS = 256;

interface ConnectionInfo extends StreamConnection, EntryPointTagged {
  readonly servername: string | undefined;
}

const kInfo = Symbol('berth.h2conn');
type Tracked = http2.ServerHttp2Session & { [kInfo]?: ConnectionInfo };

/**
 * H2FrontEnd: the HTTP/2 side of the proxy listeners. It gets connections the listener already
 * identified as HTTP/2 (ALPN h2 on TLS, the prior-knowledge preface on plain TCP), and turns each
 * stream into an Attempt, the engine HTTP/1.1 requests run through. The http2 server here never
 * listens itself; it is node's session factory.
 */
export class H2FrontEnd implements H2Acceptor {
  private readonly server: http2.Http2Server;
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private closing = false;

  constructor(
    private readonly ctx: ProxyContext,
    private readonly stats: { requests: number },
  ) {
    // enableConnectProtocol: WebSockets over HTTP/2 (RFC 8441 s3), stream-dispatch.ts.
    this.server = http2.createServer({ settings: { maxConcurrentStreams: MAX_CLIENT_STREAMS, enableConnectProtocol: true } });
    this.server.on('session', (session: http2.ServerHttp2Session) => this.track(session));
    this.server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, _flags: number, rawHeaders: string[]) =>
      this.onStream(stream, headers, rawHeaders));
    // A client that breaks the protocol costs its own session only.
    this.server.on('sessionError', () => {});
  }

  /** accept takes a connection that speaks HTTP/2 (plain or TLS). */
  accept(socket: net.Socket | tls.TLSSocket): void {
    this.server.emit('connection', socket);
  }

  /** shutdown: GOAWAY to every client; streams in flight finish (RFC 9113 s6.8). */
  shutdown(): void {
    this.closing = true;
    for (const session of this.sessions) if (!session.closed) session.close();
  }

  /** destroyAll cuts whatever is still open at the shutdown deadline. */
  destroyAll(): void {
    for (const session of this.sessions) session.destroy();
  }

  private track(session: http2.ServerHttp2Session): void {
    const socket = session.socket as net.Socket & EntryPointTagged & { servername?: string | false; encrypted?: boolean };
    const servername = typeof socket.servername === 'string' ? socket.servername : undefined;
    (session as Tracked)[kInfo] = {
      remoteAddress: socket.remoteAddress, localPort: socket.localPort, encrypted: socket.encrypted === true, servername,
      // The Gateway listener port this connection came in on (server.ts tags the socket).
      [kEntryPoint]: socket[kEntryPoint],
    };
    this.sessions.add(session);
    session.once('close', () => this.sessions.delete(session));
    session.on('error', () => {});
    // The client half-closed: it sends nothing more. Its streams in flight are answered, then the
    // session ends (berth's own engine does the same, connection.ts); node's session would keep a
    // listener that allows half-open sockets in CLOSE-WAIT for as long as the socket lives.
    socket.once('end', () => session.close());
    if (this.closing) session.close();
  }

  private onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, rawHeaders: string[]): void {
    this.stats.requests++;
    const info = (stream.session as Tracked)[kInfo]!;
    dispatchStream(this.ctx, new H2Downstream(stream, headers, rawHeaders, info), info.encrypted === true, info.servername);
  }
}
