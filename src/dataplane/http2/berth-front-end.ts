import type net from 'node:net';
import type tls from 'node:tls';
import type { ProxyContext } from '../proxy/context.js';
import { Attempt } from '../proxy/attempt.js';
import { sendError } from '../proxy/respond.js';
import { kEntryPoint, type EntryPointTagged } from '../router/entry-point.js';
import { H2ServerConnection, type ConnectionHost } from './connection.js';
import type { StreamConnection } from './downstream-stream.js';
import type { H2Acceptor } from './listeners.js';
import { sendGrpcError } from './grpc-response.js';
import { isGrpc } from './grpc-status.js';
import { isMisdirected, MISDIRECTED_BODY } from './misdirected.js';
import type { H2ServerStream } from './server-stream.js';

interface ConnectionInfo extends StreamConnection, EntryPointTagged {
  readonly servername: string | undefined;
}

/**
 * BerthH2FrontEnd: the HTTP/2 side of the proxy listeners on berth's own HTTP/2 (connection.ts),
 * selected by `--http2-engine berth`. It does what front-end.ts does on node's http2: each
 * stream becomes an Attempt, misdirected requests get 421, shutdown sends GOAWAY and lets streams
 * in flight finish.
 */
export class BerthH2FrontEnd implements H2Acceptor, ConnectionHost {
  private readonly connections = new Set<H2ServerConnection>();
  private closing = false;

  constructor(
    private readonly ctx: ProxyContext,
    private readonly stats: { requests: number },
  ) {}

  accept(socket: net.Socket | tls.TLSSocket): void {
    const s = socket as net.Socket & EntryPointTagged & { servername?: string | false; encrypted?: boolean };
    const info: ConnectionInfo = {
      remoteAddress: s.remoteAddress, localPort: s.localPort, encrypted: s.encrypted === true,
      servername: typeof s.servername === 'string' ? s.servername : undefined,
      // The Gateway listener port this connection came in on (server.ts tags the socket).
      [kEntryPoint]: s[kEntryPoint],
    };
    const conn = new H2ServerConnection(socket, this, info);
    this.connections.add(conn);
    if (this.closing) conn.shutdown();
  }

  get openSessions(): number {
    return this.connections.size;
  }

  shutdown(): void {
    this.closing = true;
    for (const conn of this.connections) conn.shutdown();
  }

  destroyAll(): void {
    for (const conn of this.connections) conn.destroy();
  }

  forget(conn: H2ServerConnection): void {
    this.connections.delete(conn);
  }

  onStream(stream: H2ServerStream): void {
    this.stats.requests++;
    const info = stream.socket as ConnectionInfo;
    const attempt = new Attempt(this.ctx, stream, stream);
    try {
      if (info.encrypted === true && isMisdirected(this.ctx.runtime.tls, info.servername, attempt.host)) return misdirected(stream);
      attempt.start();
    } catch (err) {
      // A bug must cost one stream, never the process.
      this.ctx.log.error({ err, path: attempt.path }, 'h2 request failed');
      if (isGrpc(stream.headers['content-type'])) sendGrpcError(stream, err);
      else sendError(stream, err);
    }
  }
}

function misdirected(res: H2ServerStream): void {
  res.writeHead(421, ['content-type', 'application/json; charset=utf-8', 'content-length', String(Buffer.byteLength(MISDIRECTED_BODY))]);
  res.end(MISDIRECTED_BODY);
}
