// End-to-end: `berth gateway` as a real process in front of real backends on 127.0.0.x.
import { normalizePath } from '../../src/dataplane/proxy/normalize-path.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import fc from 'fast-check';
import { closedPort, startBackend, type Backend } from '../helpers/backend.js';
import { spawnGateway, type GatewayProcess } from '../helpers/gateway.js';
import { json, request } from '../helpers/http.js';

const MB = 1024 * 1024;
let b1: Backend, b2: Backend, b3: Backend, hang: Backend, big: Backend, early: Backend, garbage: net.Server, garbagePort: number;
let gw: GatewayProcess;
/** Bytes the big backend has received of the upload in progress (read by the test while sending). */
let uploadSeen = 0;
let releaseDownload: (() => void) | null = null;

/** bigHandler: hashes the upload as it streams in; GET streams `?mb=N` MB, pausing after the first MB. */
function bigHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.method === 'POST') {
    const hash = createHash('sha256');
    uploadSeen = 0;
    req.on('data', (c: Buffer) => {
      uploadSeen += c.length;
      hash.update(c);
    });
    req.on('end', () => res.end(JSON.stringify({ bytes: uploadSeen, sha256: hash.digest('hex') })));
    return;
  }
  const total = Number(new URL(req.url!, 'http://x').searchParams.get('mb') ?? '1') * MB;
  res.writeHead(200, { 'Content-Type': 'application/octet-stream' }); // no length: chunked
  const chunk = Buffer.alloc(64 * 1024, 7);
  let sent = 0;
  const pump = (): void => {
    while (sent < total) {
      sent += chunk.length;
      if (sent === MB) {
        res.write(chunk);
        releaseDownload = pump; // wait until the client has seen the first MB
        return;
      }
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

function config(deadPort: number): unknown {
  return {
    _format_version: '3.0',
    services: [
      { name: 'echo', host: 'up-echo', routes: [{ name: 'echo', paths: ['/echo'] }] },
      { name: 'keep', host: 'up-echo', routes: [{ name: 'keep', paths: ['/keep'], strip_path: false, preserve_host: true }] },
      { name: 'hang', host: hang.host, port: hang.port, read_timeout: 400, routes: [{ name: 'hang', paths: ['/hang'] }] },
      { name: 'refuse', host: 'up-refuse', retries: 3, routes: [{ name: 'refuse', paths: ['/refuse'] }] },
      { name: 'dead', host: 'up-dead', retries: 1, routes: [{ name: 'dead', paths: ['/dead'] }] },
      { name: 'zero', host: 'up-zero', routes: [{ name: 'zero', paths: ['/zero'] }] },
      { name: 'big', host: big.host, port: big.port, routes: [{ name: 'big', paths: ['/big'] }] },
      { name: 'early', host: early.host, port: early.port, routes: [{ name: 'early', paths: ['/early'] }] },
      {
        name: 'https-only',
        host: 'up-echo',
        routes: [
          { name: 'tls-426', paths: ['/tls-only'], protocols: ['https'] },
          { name: 'tls-301', paths: ['/tls-redirect'], protocols: ['https'], https_redirect_status_code: 301 },
        ],
      },
      { name: 'garbage', host: '127.0.0.1', port: garbagePort, retries: 0, routes: [{ name: 'garbage', paths: ['/garbage'] }] },
    ],
    upstreams: [
      { name: 'up-echo', targets: [{ target: b1.address }, { target: b2.address }] },
      { name: 'up-refuse', targets: [{ target: `127.0.0.6:${deadPort}` }, { target: b3.address }] },
      { name: 'up-dead', targets: [{ target: `127.0.0.6:${deadPort}` }] },
      { name: 'up-zero', targets: [{ target: b1.address, weight: 0 }] },
    ],
  };
}

before(async () => {
  b1 = await startBackend({ name: 'b1', host: '127.0.0.2' });
  b2 = await startBackend({ name: 'b2', host: '127.0.0.3' });
  b3 = await startBackend({ name: 'b3', host: '127.0.0.4' });
  hang = await startBackend({ name: 'hang', host: '127.0.0.5', handler: () => {} });
  big = await startBackend({ name: 'big', host: '127.0.0.7', handler: bigHandler });
  early = await startBackend({ name: 'early', host: '127.0.0.17', handler: (_req, res) => res.writeHead(413).end('too large') });
  garbage = net.createServer((s) => s.once('data', () => s.end('HTTP/1.1 2OO NOPE\r\n\r\n')));
  await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', () => r()));
  garbagePort = (garbage.address() as net.AddressInfo).port;
  gw = await spawnGateway({ config: config(await closedPort('127.0.0.6')) });
});

after(async () => {
  await gw?.stop();
  await Promise.all([b1, b2, b3, hang, big, early].map((b) => b?.close()));
  garbage?.close();
});

/** rawRequest writes `text` (latin1) on a fresh connection and returns everything read until close. */
function rawRequest(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(gw.proxy.port, gw.proxy.host, () => s.write(text, 'latin1'));
    let out = '';
    s.setEncoding('latin1');
    s.on('data', (c: string) => (out += c));
    s.on('close', () => resolve(out));
    s.on('error', reject);
  });
}

type Echo = { backend: string; url: string; headers: Record<string, string>; bodyBytes: number };

describe('gateway proxy', () => {
  test('routes by prefix, strips the path, balances over targets and sets forwarding headers', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const res = await json<Echo>(`${gw.proxyUrl}/echo/abc?x=1`, { headers: { 'X-Forwarded-For': '10.9.8.7' } });
      assert.equal(res.status, 200);
      assert.equal(res.body.url, '/abc?x=1');
      assert.equal(res.headers['x-backend'], res.body.backend);
      const h = res.body.headers;
      assert.equal(h['x-forwarded-for'], '127.0.0.1'); // an untrusted peer's chain is replaced
      assert.equal(h['x-forwarded-proto'], 'http');
      assert.equal(h['x-forwarded-host'], '127.0.0.1');
      assert.equal(h['x-forwarded-port'], String(gw.proxy.port));
      assert.equal(h['x-forwarded-path'], '/echo/abc');
      assert.equal(h['x-real-ip'], '127.0.0.1');
      assert.equal(h.via, '1.1 berth');
      seen.add(res.body.backend);
    }
    assert.deepEqual([...seen].sort(), ['b1', 'b2']);
  });

  test('strip_path false keeps the path; preserve_host keeps the Host', async () => {
    const res = await json<Echo>(`${gw.proxyUrl}/keep/x`, { headers: { Host: 'shop.example:8080' } });
    assert.equal(res.body.url, '/keep/x');
    assert.equal(res.body.headers.host, 'shop.example:8080');
    const plain = await json<Echo>(`${gw.proxyUrl}/echo`);
    assert.match(plain.body.headers.host!, /^127\.0\.0\.[23]:\d+$/);
    assert.equal(plain.body.url, '/');
  });

  test('hop-by-hop headers, including those named in Connection, are removed', async () => {
    const res = await json<Echo>(`${gw.proxyUrl}/echo/h`, {
      headers: { Connection: 'keep-alive, X-Secret', 'X-Secret': 's', 'Keep-Alive': 'timeout=5', TE: 'trailers', 'X-Kept': 'yes' },
    });
    const h = res.body.headers;
    assert.equal(h['x-secret'], undefined);
    assert.equal(h['keep-alive'], undefined);
    assert.equal(h.te, undefined);
    assert.equal(h['x-kept'], 'yes');
  });

  test('no route: 404 with Kong body; all targets weight 0: 503', async () => {
    const nf = await request(`${gw.proxyUrl}/nothing-here`);
    assert.equal(nf.status, 404);
    assert.deepEqual(JSON.parse(nf.body), { message: 'no Route matched with those values' });
    const zero = await request(`${gw.proxyUrl}/zero`);
    assert.equal(zero.status, 503);
    assert.deepEqual(JSON.parse(zero.body), { message: 'failure to get a peer from the ring-balancer' });
  });

  test('a plain-HTTP request to an https-only route gets 426, or its redirect', async () => {
    const res = await request(`${gw.proxyUrl}/tls-only/x`);
    assert.equal(res.status, 426);
    assert.deepEqual(JSON.parse(res.body), { message: 'Please use HTTPS protocol' });
    const moved = await request(`${gw.proxyUrl}/tls-redirect/x?q=1`, { headers: { Host: 'Shop.Example:8000' } });
    assert.equal(moved.status, 301);
    assert.equal(moved.headers.location, 'https://shop.example/tls-redirect/x?q=1');
  });

  test('a backend that hangs gives 504 after read_timeout', async () => {
    const t0 = Date.now();
    const res = await request(`${gw.proxyUrl}/hang`);
    assert.equal(res.status, 504);
    assert.deepEqual(JSON.parse(res.body), { message: 'The upstream server is timing out' });
    assert.ok(Date.now() - t0 >= 350, 'answered before the read timeout');
  });

  test('a refused connection is retried on another target; all refused gives 502', async () => {
    for (let i = 0; i < 6; i++) {
      const res = await json<Echo>(`${gw.proxyUrl}/refuse`);
      assert.equal(res.status, 200);
      assert.equal(res.body.backend, 'b3');
    }
    const dead = await request(`${gw.proxyUrl}/dead`);
    assert.equal(dead.status, 502);
    assert.equal(JSON.parse(dead.body).message, 'An invalid response was received from the upstream server');
  });

  test('an upstream answering garbage gives 502; garbage from a client gives 400; the gateway lives on', async () => {
    assert.equal((await request(`${gw.proxyUrl}/garbage`)).status, 502);
    const raw = await new Promise<string>((resolve) => {
      const s = net.connect(gw.proxy.port, gw.proxy.host, () => s.write('GARBAGE \x01\x02 NOT HTTP\r\n\r\n'));
      let text = '';
      s.on('data', (c) => (text += c.toString()));
      s.on('close', () => resolve(text));
    });
    assert.match(raw, /^HTTP\/1\.1 400/);
    assert.equal((await request(`${gw.proxyUrl}/echo`)).status, 200);
  });

  test('an absolute-form request target is routed by its path and host', async () => {
    const raw = await new Promise<string>((resolve) => {
      const s = net.connect(gw.proxy.port, gw.proxy.host, () =>
        s.write('GET http://ignored.example:81/echo/abs?x=2 HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n'),
      );
      let text = '';
      s.on('data', (c) => (text += c.toString()));
      s.on('close', () => resolve(text));
    });
    assert.match(raw, /^HTTP\/1\.1 200/);
    const echo = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as Echo;
    assert.equal(echo.url, '/abs?x=2');
    assert.equal(echo.headers['x-forwarded-host'], 'ignored.example');
  });

  test('header values with any bytes node accepts reach the backend unchanged (property)', async () => {
    const value = fc
      .array(fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff })), { minLength: 1, maxLength: 60 })
      .map((codes) => String.fromCharCode(...codes).trim())
      .filter((v) => v.length > 0);
    // Paths the proxy normalizes (dot segments, '//', escapes) are covered by gateway-paths.test.ts.
    const path = fc
      .stringMatching(/^[A-Za-z0-9._~%!$&'()*+,;=:@/-]{0,40}$/)
      .filter((p) => normalizePath(`/echo/${p}`) === `/echo/${p}`);
    await fc.assert(
      fc.asyncProperty(value, path, async (v, p) => {
        const raw = await rawRequest(`GET /echo/${p} HTTP/1.1\r\nHost: x\r\nX-Odd: ${v}\r\nConnection: close\r\n\r\n`);
        assert.match(raw, /^HTTP\/1\.1 200 /);
        const body = Buffer.from(raw.slice(raw.indexOf('\r\n\r\n') + 4), 'latin1').toString('utf8');
        const echo = JSON.parse(body) as Echo;
        assert.equal(Buffer.from(echo.headers['x-odd']!, 'latin1').toString('latin1'), v);
        assert.equal(echo.url, `/${p}`);
      }),
      { numRuns: 40 },
    );
  });

  test('HEAD gets headers and no body', async () => {
    const res = await request(`${gw.proxyUrl}/echo/x`, { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.body, '');
  });
});

describe('gateway streaming', () => {
  test('a 20 MB upload streams to the backend before the client has sent it all', async () => {
    const total = 20 * MB;
    const chunk = Buffer.alloc(MB, 3);
    const expected = createHash('sha256');
    const result = new Promise<{ bytes: number; sha256: string }>((resolve, reject) => {
      const req = http.request(`${gw.proxyUrl}/big`, { method: 'POST', headers: { 'Content-Length': total }, agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(JSON.parse(body)));
      });
      req.on('error', reject);
      void (async () => {
        req.write(chunk);
        expected.update(chunk);
        const deadline = Date.now() + 10_000;
        while (uploadSeen === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        assert.ok(uploadSeen > 0, 'backend saw nothing while the client was still sending');
        for (let sent = MB; sent < total; sent += MB) {
          expected.update(chunk);
          if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
        }
        req.end();
      })().catch(reject);
    });
    const got = await result;
    assert.equal(got.bytes, total);
    assert.equal(got.sha256, expected.digest('hex'));
  });

  test('a chunked 20 MB download reaches the client while the backend is still producing it', async () => {
    releaseDownload = null;
    const got = await new Promise<number>((resolve, reject) => {
      http.get(`${gw.proxyUrl}/big?mb=20`, { agent: false }, (res) => {
        assert.equal(res.headers['content-length'], undefined);
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          // The backend waits for this: the first MB got through without the rest existing.
          if (bytes >= MB && releaseDownload !== null) {
            const go = releaseDownload;
            releaseDownload = null;
            go();
          }
        });
        res.on('end', () => resolve(bytes));
      }).on('error', reject);
    });
    assert.equal(got, 20 * MB);
  });

  test('an upstream answering before the upload ends leaves the client connection usable', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(`${gw.proxyUrl}/early`, { method: 'POST', agent, headers: { 'Content-Length': 4 * MB } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(Buffer.alloc(4 * MB, 1));
      });
      assert.equal(status, 413);
      const next = await new Promise<number>((resolve, reject) => {
        http.get(`${gw.proxyUrl}/echo/again`, { agent, timeout: 5000 }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        }).on('error', reject).on('timeout', () => reject(new Error('the keep-alive connection stalled')));
      });
      assert.equal(next, 200);
    } finally {
      agent.destroy();
    }
  });

  test('a chunked upload (no Content-Length) arrives whole', async () => {
    const res = await new Promise<Echo>((resolve, reject) => {
      const req = http.request(`${gw.proxyUrl}/echo/up`, { method: 'POST', agent: false }, (r) => {
        let body = '';
        r.on('data', (c) => (body += c));
        r.on('end', () => resolve(JSON.parse(body)));
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write(Buffer.alloc(1000 + i, 1));
      req.end();
    });
    assert.equal(res.bodyBytes, 10 * 1000 + 45);
    assert.equal(res.headers['transfer-encoding'], 'chunked');
  });
});

describe('gateway configuration', () => {
  test('POST /config answers 201 and the next request uses the new config', async () => {
    const next = JSON.parse(JSON.stringify(config(1))) as { services: Array<{ routes: Array<{ paths: string[] }> }> };
    next.services[0]!.routes[0]!.paths = ['/moved'];
    const res = await json<{ configuration_hash: string }>(`${gw.adminUrl}/config`, { method: 'POST', body: JSON.stringify(next), headers: { 'Content-Type': 'application/json' } });
    assert.equal(res.status, 201);
    assert.equal((await request(`${gw.proxyUrl}/moved/a`)).status, 200);
    assert.equal((await request(`${gw.proxyUrl}/echo/a`)).status, 404);
    const status = await json<{ configuration_hash: string }>(`${gw.adminUrl}/status`);
    assert.equal(status.body.configuration_hash, res.body.configuration_hash);
  });

  test('an invalid POST /config answers 400 in Kong shape and the old config keeps serving', async () => {
    const bad = { _format_version: '3.0', services: [{ name: 'x', host: 'up-x', port: 'eighty' }] };
    const res = await json<{ code: number; name: string; fields: unknown }>(`${gw.adminUrl}/config`, { method: 'POST', body: JSON.stringify(bad) });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 14);
    assert.equal(res.body.name, 'invalid declarative configuration');
    const flat = await json<{ flattened_errors: unknown[] }>(`${gw.adminUrl}/config?flatten_errors=1`, { method: 'POST', body: JSON.stringify(bad) });
    assert.ok(Array.isArray(flat.body.flattened_errors) && flat.body.flattened_errors.length > 0);
    const yaml = await request(`${gw.adminUrl}/config`, { method: 'POST', body: 'services: [unclosed' });
    assert.equal(yaml.status, 400);
    assert.equal((await request(`${gw.proxyUrl}/moved/a`)).status, 200);
  });
});
