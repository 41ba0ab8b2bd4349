// Real HTTP backends for tests, on 127.0.0.x loopback addresses (Linux routes all of 127/8 to lo).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Backend: a running test server; `requests` counts what it received. */
export interface Backend {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** "host:port", the form a Kong target takes. */
  readonly address: string;
  readonly server: http.Server;
  requests: number;
  close(): Promise<void>;
}

export type BackendHandler = (req: http.IncomingMessage, res: http.ServerResponse, backend: Backend) => void;

/**
 * echoHandler answers 200 with JSON describing the request (backend name, method, url, headers)
 * and an `X-Backend` header, after reading the whole request body (its byte count is in `bodyBytes`).
 */
export const echoHandler: BackendHandler = (req, res, backend) => {
  let bodyBytes = 0;
  req.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
  req.on('end', () => {
    const text = JSON.stringify({ backend: backend.name, method: req.method, url: req.url, headers: req.headers, bodyBytes });
    res.writeHead(200, { 'Content-Type': 'application/json', 'X-Backend': backend.name, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  });
};

/** startBackend listens on host:0 (default 127.0.0.1) and serves `handler` (default echoHandler). */
export async function startBackend(opts: { name?: string; host?: string; port?: number; handler?: BackendHandler } = {}): Promise<Backend> {
  const host = opts.host ?? '127.0.0.1';
  const handler = opts.handler ?? echoHandler;
  const server = http.createServer();
  const backend: Backend = {
    name: opts.name ?? host,
    host,
    port: 0,
    address: '',
    server,
    requests: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  server.on('request', (req, res) => {
    backend.requests++;
    handler(req, res, backend);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(opts.port ?? 0, host, () => resolve()));
  const port = (server.address() as AddressInfo).port;
  Object.assign(backend, { port, address: `${host}:${port}` });
  return backend;
}

/** closedPort returns a port on `host` that nothing listens on (bound, then released). */
export async function closedPort(host = '127.0.0.1'): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
