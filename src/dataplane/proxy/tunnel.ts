import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type { DownstreamResponse } from './downstream.js';

/**
 * UpgradeClient: the client side of an upgrade request (http1/connection.ts). `response` is bound
 * to the client's socket with Connection: close, so every answer that is not a 101 (errors,
 * redirects, the upstream's own non-101 response) is written by the same code as for plain
 * requests, and the connection then closes.
 */
export interface UpgradeClient {
  readonly socket: Duplex;
  /** Bytes the client sent after its request head (already tunnel data); held until the 101. */
  readonly head: Buffer;
  readonly response: UpgradeResponse;
}

/** UpgradeResponse: a response that hands its socket over to the tunnel after a 101. */
export interface UpgradeResponse extends DownstreamResponse {
  release(): void;
}

/** TunnelOwner: told once when the tunnel is over, with the bytes each way after the 101 head. */
export interface TunnelOwner {
  tunnelClosed(bytesIn: number, bytesOut: number, idledOut: boolean): void;
}

/**
 * openTunnel answers the client with the upstream's 101 (hop-by-hop headers rebuilt:
 * Connection: Upgrade and its Upgrade value) and pipes both connections raw until either side
 * closes, or the upstream sends nothing for `idleMs` (nginx applies proxy_read_timeout to
 * WebSocket tunnels the same way).
 */
export function openTunnel(
  owner: TunnelOwner,
  client: UpgradeClient,
  upstream: net.Socket,
  headers: string[],
  upgrade: string,
  rest: Buffer,
  idleMs: number,
): void {
  const socket = client.socket;
  client.response.release();
  if (socket.destroyed) {
    upstream.destroy();
    return owner.tunnelClosed(0, 0, false);
  }
  socket.write(switchingProtocols(headers, upgrade), 'latin1');
  if (rest.length > 0) socket.write(rest);
  const readAtStart = upstream.bytesRead - rest.length;
  const writtenAtStart = upstream.bytesWritten;
  if (client.head.length > 0) upstream.write(client.head);
  let open = true;
  let idledOut = false;
  const close = (): void => {
    if (!open) return;
    open = false;
    upstream.destroy();
    socket.destroy();
    owner.tunnelClosed(upstream.bytesWritten - writtenAtStart, upstream.bytesRead - readAtStart, idledOut);
  };
  upstream.setTimeout(idleMs);
  upstream.on('timeout', () => {
    idledOut = true;
    close();
  });
  upstream.on('error', close).on('close', close);
  socket.on('close', close);
  socket.pipe(upstream);
  upstream.pipe(socket);
}

/** switchingProtocols: the 101 head with the upstream's end-to-end `headers` and the hop-by-hop pair rebuilt. */
function switchingProtocols(headers: string[], upgrade: string): string {
  let head = 'HTTP/1.1 101 Switching Protocols\r\n';
  for (let i = 0; i < headers.length; i += 2) head += headers[i] + ': ' + headers[i + 1] + '\r\n';
  return head + 'Connection: Upgrade\r\nUpgrade: ' + upgrade + '\r\n\r\n';
}
