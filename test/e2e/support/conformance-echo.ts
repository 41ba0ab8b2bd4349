// A stand-in for Gateway API conformance's echo-basic backend (kubernetes-sigs/
// gateway-api-conformance-images echo-basic/echo-basic.go), on loopback: it echoes the request
// as JSON with its pod name, honours `?delay=`, simulates flaky backends under /retry/ and echoes
// WebSocket frames on /ws. Every request it receives is recorded (mirror checks read them).
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface EchoRequest {
  path: string;
  host: string;
  method: string;
  headers: Record<string, string>;
  pod: string;
  bodyBytes: number;
}

export interface ConformanceEcho {
  readonly pod: string;
  readonly ip: string;
  readonly port: number;
  readonly received: EchoRequest[];
  close(): Promise<void>;
}

/** parseGoDuration reads the Go durations the suite sends ("1s", "300ms"). */
function parseGoDuration(value: string | null): number {
  const m = /^(\d+)(ms|s)$/.exec(value ?? '');
  return m === null ? 0 : Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

/** flatHeaders joins repeated request headers with "," as Go's echo does for the suite's checks. */
function flatHeaders(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    out[name] = out[name] === undefined ? req.rawHeaders[i + 1]! : `${out[name]},${req.rawHeaders[i + 1]!}`;
  }
  return out;
}

/** startConformanceEcho listens on ip:port (port 0 = any) as pod `pod`. */
export async function startConformanceEcho(pod: string, ip: string, port = 0): Promise<ConformanceEcho> {
  const received: EchoRequest[] = [];
  const attempts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let bodyBytes = 0;
    req.on('data', (c: Buffer) => (bodyBytes += c.length));
    req.on('end', () => {
      const echo: EchoRequest = { path: req.url ?? '/', host: req.headers.host ?? '', method: req.method ?? '', headers: flatHeaders(req), pod, bodyBytes };
      received.push(echo);
      const reply = (): void => {
        const body = JSON.stringify(echo);
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      };
      if (url.pathname.startsWith('/retry/')) return retry(url, res, attempts, reply);
      setTimeout(reply, parseGoDuration(url.searchParams.get('delay')));
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (!req.url?.startsWith('/ws')) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, ip, () => resolve()));
  return {
    pod,
    ip,
    port: (server.address() as AddressInfo).port,
    received,
    close: () => new Promise<void>((resolve) => {
      for (const ws of wss.clients) ws.terminate();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** retry: echo-basic's retrySimulationHandler: fail `succeedAfter` times per uuid, then echo. */
function retry(url: URL, res: http.ServerResponse, attempts: Map<string, number>, reply: () => void): void {
  const uuid = url.searchParams.get('uuid') ?? '';
  const succeedAfter = Number(url.searchParams.get('succeedAfter'));
  const seen = attempts.get(uuid) ?? 0;
  if (uuid === '' || !Number.isInteger(succeedAfter) || seen >= succeedAfter) return reply();
  attempts.set(uuid, seen + 1);
  const code = Number(url.searchParams.get('responseCode'));
  setTimeout(() => {
    if (code > 0) {
      res.writeHead(code, { 'Content-Length': '0' });
      res.end();
    } else {
      // TCP failure mode: reset the connection instead of answering.
      res.socket?.resetAndDestroy();
    }
  }, parseGoDuration(url.searchParams.get('delayRetry')));
}

/**
 * startH2cEcho: echo-basic's h2c port (runH2CServer): HTTP/2 over cleartext only, answering with
 * the pod name and the protocol the request arrived in.
 */
export async function startH2cEcho(pod: string, ip: string, port = 0): Promise<{ port: number; close(): Promise<void> }> {
  const server = http2.createServer((req, res) => {
    const body = JSON.stringify({ pod, protocol: `HTTP/${req.httpVersion}`, path: req.url });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, ip, () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
