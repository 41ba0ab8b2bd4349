import type net from 'node:net';
import type tls from 'node:tls';
import type { ProxyContext } from '../proxy/context.js';
import { kEntryPoint, type EntryPointTagged } from '../router/entry-point.js';
import { H2ServerConnection, type ConnectionHost } from './connection.js';
import type { StreamConnection } from './downstream-stream.js';
import type { H2Acceptor } from './listeners.js';
import type { H2ServerStream } from './server-stream.js';
import { dispatchStream } from './stream-dispatch.js';

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
    dispatchStream(this.ctx, stream, info.encrypted === true, info.servername);
  }
}
