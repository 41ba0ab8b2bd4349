// The request side of the ported conformance cases: one raw HTTP/1.1 request to a Gateway
// listener's socket with the case's Host, method and headers, redirects not followed; over TLS
// with the Host as SNI (or the case's), trusting `ca` (conformance/utils/tls MakeTLSRequest...);
// sendH2 the same over HTTP/2 (roundtripper.H2Protocol).
import { request } from 'node:http';
import { request as tlsRequest } from 'node:https';
import { connect, type IncomingHttpHeaders } from 'node:http2';
import type { EchoedRequest } from './backends.js';

export interface Reply {
  status: number;
  /** Each header's lines joined with "," (conformance/utils/http/http.go compares them so). */
  headers: Record<string, string>;
  echoed: EchoedRequest | undefined;
}

export function joinLines(headers: NodeJS.Dict<string[]>): Record<string, string> {
  const joined: Record<string, string> = {};
  for (const [name, lines] of Object.entries(headers)) joined[name] = (lines ?? []).join(',');
  return joined;
}

export interface Sent {
  method?: string;
  host?: string;
  path: string;
  headers?: Record<string, string>;
  /** Over TLS, trusting this CA. */
  ca?: string;
  /** The TLS SNI; the Host without port when absent. */
  sni?: string;
}

export function send(port: number, req: Sent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const host = req.host ?? 'example.com';
    const options = {
      host: '127.0.0.1', port, method: req.method ?? 'GET', path: req.path, setHost: false, agent: false, timeout: 5000,
      headers: { host, ...req.headers },
    };
    const r = (req.ca === undefined ? request : tlsRequest)(req.ca === undefined ? options : { ...options, ca: req.ca, servername: req.sni ?? host.replace(/:\d+$/, '') }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: joinLines(res.headersDistinct), echoed: echoedIn(body) });
      });
    });
    r.on('timeout', () => r.destroy(new Error('request timed out')));
    r.on('error', reject);
    r.end();
  });
}

/** sendH2: the request over HTTP/2 on a new TLS connection (Host as :authority), closed after. */
export function sendH2(port: number, req: Sent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const host = req.host ?? 'example.com';
    const session = connect(`https://127.0.0.1:${port}`, { ca: req.ca, servername: req.sni ?? host.replace(/:\d+$/, '') });
    const fail = (err: Error) => {
      session.destroy();
      reject(err);
    };
    session.on('error', fail);
    session.setTimeout(5000, () => fail(new Error('request timed out')));
    const stream = session.request({ ':method': req.method ?? 'GET', ':path': req.path, ':authority': host, ...req.headers });
    let head: IncomingHttpHeaders = {};
    let body = '';
    stream.setEncoding('utf8');
    stream.on('response', (h) => (head = h));
    stream.on('data', (d) => (body += d));
    stream.on('error', fail);
    stream.on('end', () => {
      session.close();
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(head)) if (!name.startsWith(':') && value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : String(value);
      resolve({ status: Number(head[':status'] ?? 0), headers, echoed: echoedIn(body) });
    });
    stream.end();
  });
}

function echoedIn(body: string): EchoedRequest | undefined {
  try {
    const parsed = JSON.parse(body);
    return typeof parsed?.pod === 'string' ? parsed : undefined;
  } catch {
    return undefined; // not an echo reply (an error or a redirect from the gateway)
  }
}
