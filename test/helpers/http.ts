// A small HTTP client for tests: one fresh connection per call (no agent reuse surprises).
import http from 'node:http';
import https from 'node:https';

export interface TestResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  method?: string;
  headers?: http.OutgoingHttpHeaders;
  body?: string | Buffer;
  /** Abort the request after this many ms (default 10 s). */
  timeoutMs?: number;
  /** For https: the TLS server name, and CA/insecure handling. */
  servername?: string;
  ca?: string;
}

/** request sends one request and reads the whole response body as UTF-8 text. */
export function request(url: string, opts: RequestOptions = {}): Promise<TestResponse> {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      u,
      {
        method: opts.method ?? 'GET',
        headers: opts.headers,
        agent: false,
        timeout: opts.timeoutMs ?? 10_000,
        servername: opts.servername,
        ca: opts.ca,
        rejectUnauthorized: opts.ca !== undefined,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${url} timed out`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** json sends a request and parses the JSON body. */
export async function json<T = unknown>(url: string, opts: RequestOptions = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: T }> {
  const res = await request(url, opts);
  return { status: res.status, headers: res.headers, body: JSON.parse(res.body) as T };
}
