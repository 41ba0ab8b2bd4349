// End-to-end HTTP/2 with real clients: curl (nghttp2) with --http2-prior-knowledge on the plain
// port and --http2 over TLS (ALPN), Chromium negotiating h2, 421 for a host of another
// certificate, request bodies from h2 clients to HTTP/1.1 upstreams, and GOAWAY on shutdown.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type http from 'node:http';
import http2 from 'node:http2';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { Gateway } from '../../src/dataplane/gateway.js';
import { testHttp2Engine } from '../helpers/gateway.js';
import { loadSessionSecrets } from '../../src/dataplane/sticky/token.js';
import { createLogger } from '../../src/lib/log.js';
import { echoHandler, startBackend, type Backend } from '../helpers/backend.js';

const run = promisify(execFile);
const STEP = { timeout: 60_000 };
const CHROMIUM = process.env['BERTH_CHROMIUM'] ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const fixture = (name: string): string => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url), 'utf8');
const COOKIE = 'h2-session';

let backends: Backend[] = [];
let gateway: Gateway;
let plainPort = 0;
let tlsPort = 0;

/** slowHandler: /slow answers after 400 ms (a request in flight during shutdown); the rest echo. */
function slowHandler(req: http.IncomingMessage, res: http.ServerResponse, backend: Backend): void {
  if (req.url === '/slow') return void setTimeout(() => res.end('slow done'), 400);
  echoHandler(req, res, backend);
}

function config(): unknown {
  return {
    _format_version: '3.0',
    services: [{ name: 'web', host: 'up', routes: [{ name: 'web', paths: ['/'] }] }],
    upstreams: [{
      name: 'up', algorithm: 'sticky-sessions', sticky_sessions_cookie: COOKIE,
      targets: backends.map((b) => ({ target: b.address, tags: [`berth.identity=${b.name}`] })),
    }],
    certificates: [
      { cert: fixture('a.crt'), key: fixture('a.key'), snis: ['a.example.test'] },
      { cert: fixture('wild.crt'), key: fixture('wild.key'), snis: ['*.wild.test'] },
    ],
  };
}

async function startGateway(): Promise<Gateway> {
  const { keyring } = loadSessionSecrets({ secret: 'test-secret-0123456789abcdef' });
  const gw = new Gateway({ http2Engine: testHttp2Engine(),
    proxyListen: { host: '127.0.0.1', port: 0 },
    proxyListenTls: { host: '127.0.0.1', port: 0 },
    keyring,
    log: createLogger('silent'),
    shutdownTimeoutMs: 3000,
  });
  const r = gw.apply(config());
  assert.ok(r.ok, JSON.stringify(!r.ok && r.flat));
  await gw.start();
  return gw;
}

/** curl runs curl with a bounded time and returns the body plus the -w line after a marker. */
async function curl(args: string[]): Promise<{ body: string; status: number; version: string }> {
  const { stdout } = await run('curl', ['-sS', '--max-time', '10', '-w', '\n@@%{http_code} %{http_version}', ...args], { timeout: 15_000 });
  const at = stdout.lastIndexOf('\n@@');
  const [status, version] = stdout.slice(at + 3).split(' ');
  return { body: stdout.slice(0, at), status: Number(status), version: version! };
}

const resolve = (host: string): string[] => ['--resolve', `${host}:${tlsPort}:127.0.0.1`];

describe('HTTP/2 clients through berth', () => {
  before(async () => {
    backends = await Promise.all(['A', 'B'].map((name, i) => startBackend({ name, host: `127.0.0.${71 + i}`, handler: slowHandler })));
    gateway = await startGateway();
    plainPort = gateway.proxyAddress().port;
    tlsPort = gateway.proxyTlsAddress()!.port;
  });

  after(async () => {
    await gateway?.stop();
    await Promise.all(backends.map((b) => b.close()));
  });

  test('curl --http2-prior-knowledge speaks h2c on the plain port, next to HTTP/1.1', STEP, async () => {
    const h2 = await curl(['--http2-prior-knowledge', `http://127.0.0.1:${plainPort}/hello?x=1`]);
    assert.equal(h2.version, '2');
    assert.equal(h2.status, 200);
    const seen = JSON.parse(h2.body);
    assert.equal(seen.url, '/hello?x=1');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
    assert.equal(seen.headers.host, backends.find((b) => b.name === seen.backend)!.address, 'the upstream gets Host, not :authority');
    const h1 = await curl([`http://127.0.0.1:${plainPort}/hello`]);
    assert.equal(h1.version, '1.1');
    assert.equal(h1.status, 200);
  });

  test('curl --http2 negotiates h2 with ALPN on the TLS port; --http1.1 still gets HTTP/1.1', STEP, async () => {
    const h2 = await curl(['--http2', '-k', ...resolve('a.example.test'), `https://a.example.test:${tlsPort}/tls`]);
    assert.equal(h2.version, '2');
    assert.equal(JSON.parse(h2.body).headers['x-forwarded-proto'], 'https');
    const h1 = await curl(['--http1.1', '-k', ...resolve('a.example.test'), `https://a.example.test:${tlsPort}/tls`]);
    assert.equal(h1.version, '1.1');
    assert.equal(h1.status, 200);
  });

  test('a request body from an h2 client reaches an HTTP/1.1 upstream whole', STEP, async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'berth-h2-')), 'body');
    writeFileSync(file, 'x'.repeat(200_000));
    const r = await curl(['--http2-prior-knowledge', '-H', 'Content-Type: text/plain', '--data-binary', `@${file}`, `http://127.0.0.1:${plainPort}/upload`]);
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).bodyBytes, 200_000);
  });

  test('the sticky cookie works over h2: the session keeps its backend', STEP, async () => {
    const first = await curl(['--http2-prior-knowledge', '-D', '-', `http://127.0.0.1:${plainPort}/s`]);
    const cookie = /set-cookie: (h2-session=[^;]+)/i.exec(first.body)?.[1];
    assert.ok(cookie, first.body);
    const backend = /x-backend: (\w+)/i.exec(first.body)![1];
    for (let i = 0; i < 4; i++) {
      const again = await curl(['--http2-prior-knowledge', '-H', `Cookie: ${cookie}`, `http://127.0.0.1:${plainPort}/s`]);
      assert.equal(JSON.parse(again.body).backend, backend);
    }
  });

  test('a host served with another certificate than the SNI chose gets 421 (h2 and HTTP/1.1)', STEP, async () => {
    for (const proto of ['--http2', '--http1.1']) {
      const wrong = await curl([proto, '-k', ...resolve('a.example.test'), '-H', 'Host: x.wild.test', `https://a.example.test:${tlsPort}/`]);
      assert.equal(wrong.status, 421, `${proto}: ${wrong.body}`);
      const right = await curl([proto, '-k', ...resolve('x.wild.test'), `https://x.wild.test:${tlsPort}/`]);
      assert.equal(right.status, 200, proto);
    }
  });

  test('Chromium negotiates h2 over TLS and its page and subresource go through', { ...STEP, skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} not installed` }, async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...ARGS, `--host-resolver-rules=MAP a.example.test 127.0.0.1`], timeout: 30_000 });
    try {
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      const page = await context.newPage();
      const res = await page.goto(`https://a.example.test:${tlsPort}/page`);
      assert.equal(res?.status(), 200);
      const protocol = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).nextHopProtocol);
      assert.equal(protocol, 'h2');
      const cookies = (await context.cookies()).filter((c) => c.name === COOKIE);
      assert.equal(cookies.length, 1, 'the sticky cookie came over h2');
      assert.equal(cookies[0]!.secure, true);
    } finally {
      await browser.close();
    }
  });

  test('shutdown sends GOAWAY and lets the stream in flight finish', STEP, async () => {
    const gw = await startGateway();
    const client = http2.connect(`http://127.0.0.1:${gw.proxyAddress().port}`);
    client.on('error', () => {});
    const goaway = new Promise<void>((r) => client.once('goaway', () => r()));
    const answer = new Promise<{ status: number; body: string }>((resolveAnswer, reject) => {
      const s = client.request({ ':path': '/slow' });
      let status = 0;
      let body = '';
      s.on('response', (h) => (status = Number(h[':status'])));
      s.on('data', (c: Buffer) => (body += c.toString()));
      s.on('end', () => resolveAnswer({ status, body }));
      s.on('error', reject);
    });
    await new Promise((r) => setTimeout(r, 100));
    const stopped = gw.stop();
    await goaway;
    assert.deepEqual(await answer, { status: 200, body: 'slow done' });
    client.close();
    await stopped;
  });
});
