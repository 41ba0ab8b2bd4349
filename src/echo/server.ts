import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { acceptWebSocket } from './websocket.js';

/** EchoIdentity is what the guide's echo image reports about itself (from the downward API). */
export interface EchoIdentity {
  pod: string;
  namespace: string;
  node: string;
  /** The pod IP to report; default the address the request arrived on. */
  ip?: string;
}

/**
 * echoText is the body the guide's echo image (kong/go-echo) answers with, which is how a user sees
 * which pod served a request.
 */
export function echoText(id: EchoIdentity, ip: string): string {
  return `Welcome, you are connected to node ${id.node}.\nRunning on Pod ${id.pod}.\nIn namespace ${id.namespace}.\nWith IP address ${ip}.\n`;
}

/**
 * createEchoServer answers every path and method with echoText (request bodies are read and
 * dropped), and echoes WebSocket messages back on any path.
 */
export function createEchoServer(id: EchoIdentity): Server {
  const server = createServer((req, res) => handle(id, req, res));
  server.on('upgrade', (req, socket, head) => acceptWebSocket(req, socket, head));
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });
  return server;
}

function handle(id: EchoIdentity, req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  const body = echoText(id, id.ip ?? stripV4Mapped(req.socket.localAddress ?? ''));
  res.writeHead(200, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-echo-pod': id.pod,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function stripV4Mapped(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** listenEcho binds host:port (port 0 = any free one) and resolves with the bound address. */
export async function listenEcho(server: Server, host: string, port: number): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}
