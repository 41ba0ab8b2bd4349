// The request side of the ported conformance cases: one raw HTTP/1.1 request to a Gateway
// listener's socket with the case's Host, method and headers, redirects not followed; over TLS
// with the Host as SNI, trusting `ca` (conformance/utils/tls MakeTLSRequest...).
import { request } from 'node:http';
import { request as tlsRequest } from 'node:https';
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

export function send(port: number, req: { method?: string; host?: string; path: string; headers?: Record<string, string>; ca?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const host = req.host ?? 'example.com';
    const options = {
      host: '127.0.0.1', port, method: req.method ?? 'GET', path: req.path, setHost: false, agent: false, timeout: 5000,
      headers: { host, ...req.headers },
    };
    const r = (req.ca === undefined ? request : tlsRequest)(req.ca === undefined ? options : { ...options, ca: req.ca, servername: host.replace(/:\d+$/, '') }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        let echoed: EchoedRequest | undefined;
        try {
          const parsed = JSON.parse(body);
          if (typeof parsed?.pod === 'string') echoed = parsed;
        } catch {
          // not an echo reply (an error or a redirect from the gateway)
        }
        resolve({ status: res.statusCode ?? 0, headers: joinLines(res.headersDistinct), echoed });
      });
    });
    r.on('timeout', () => r.destroy(new Error('request timed out')));
    r.on('error', reject);
    r.end();
  });
}
