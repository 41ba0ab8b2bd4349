import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { H2PoolSet } from './pool-set.js';
import { H2SessionPool, nodePool, streamError } from './session-pool.js';
import type { ProxyError } from '../proxy/errors.js';

/** A real h2c upstream; `behaviour` decides per request path what it does. */
let server: http2.Http2Server;
let port = 0;
let sessionsAccepted = 0;
const held: http2.ServerHttp2Stream[] = [];

before(async () => {
  server = http2.createServer();
  server.on('session', () => sessionsAccepted++);
  server.on('stream', (stream, headers) => {
    const path = headers[':path'];
    stream.on('error', () => {}); // our own RST_STREAMs below surface here
    if (path === '/hold') return void held.push(stream);
    if (path === '/slow') return void setTimeout(() => {
      stream.respond({ ':status': 200 });
      stream.end('slow');
    }, 700);
    if (path === '/refuse') return stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
    if (path === '/reset') return stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    if (path === '/goaway') {
      stream.respond({ ':status': 200 });
      stream.end('bye');
      return stream.session!.goaway(http2.constants.NGHTTP2_NO_ERROR);
    }
    stream.respond({ ':status': 200 });
    stream.end('ok ' + String(path));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as net.AddressInfo).port;
});

after(() => {
  for (const s of held) s.destroy();
  server.close();
});

interface Outcome {
  status: number;
  body: string;
  error: ProxyError | null;
}

function call(pool: H2SessionPool, path: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const { stream, session } = pool.request({ ':method': 'GET', ':path': path, ':authority': 'up', ':scheme': 'http' }, 2000, true);
    let status = 0;
    let body = '';
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.on('data', (c: Buffer) => (body += c.toString()));
    stream.on('end', () => resolve({ status, body, error: null }));
    stream.on('error', (err) => resolve({ status, body, error: streamError(err, stream, session) }));
    stream.on('close', () => {
      if (stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR) resolve({ status, body, error: streamError(new Error('stream reset'), stream, session) });
    });
  });
}

async function waitFor(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

describe('H2SessionPool against a real node:http2 server', () => {
  test('concurrent streams share one session; sequential calls reuse it', async () => {
    const pool = new H2SessionPool({ host: '127.0.0.1', port, tls: false });
    const before = sessionsAccepted;
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => call(pool, `/c${i}`)));
    assert.deepEqual(results.map((r) => r.body), ['ok /c1', 'ok /c2', 'ok /c3', 'ok /c4', 'ok /c5']);
    assert.equal((await call(pool, '/again')).body, 'ok /again');
    assert.equal(sessionsAccepted - before, 1);
    assert.equal(pool.open, 1);
    pool.close();
  });

  test('streams per session are bounded: a full session makes the pool open another', async () => {
    const pool = new H2SessionPool({ host: '127.0.0.1', port, tls: false, maxStreamsPerSession: 2 });
    const before = sessionsAccepted;
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => call(pool, `/b${i}`)));
    assert.ok(results.every((r) => r.status === 200));
    assert.equal(sessionsAccepted - before, 3);
    pool.close();
  });

  test("the upstream's SETTINGS_MAX_CONCURRENT_STREAMS caps a session below our bound", async () => {
    const strict = http2.createServer({ settings: { maxConcurrentStreams: 1 } });
    let accepted = 0;
    const pending: http2.ServerHttp2Stream[] = [];
    strict.on('session', () => accepted++);
    strict.on('stream', (s) => pending.push(s));
    await new Promise<void>((r) => strict.listen(0, '127.0.0.1', () => r()));
    const pool = new H2SessionPool({ host: '127.0.0.1', port: (strict.address() as net.AddressInfo).port, tls: false });
    const first = pool.request({ ':path': '/1', ':authority': 'up' }, 2000, true);
    await new Promise((r) => first.session.session.once('remoteSettings', r));
    await waitFor(() => pending.length === 1);
    pool.request({ ':path': '/2', ':authority': 'up' }, 2000, true);
    await waitFor(() => pending.length === 2);
    assert.equal(accepted, 2);
    for (const s of pending) s.destroy();
    pool.close();
    strict.close();
  });

  test('GOAWAY retires the session: the next call opens a new one and succeeds', async () => {
    const pool = new H2SessionPool({ host: '127.0.0.1', port, tls: false });
    const before = sessionsAccepted;
    assert.equal((await call(pool, '/goaway')).body, 'bye');
    await waitFor(() => pool.open === 0);
    assert.equal((await call(pool, '/after')).body, 'ok /after');
    assert.equal(sessionsAccepted - before, 2);
    pool.close();
  });

  test('a refused stream was never processed (retryable); a reset one was (not retryable)', async () => {
    const pool = new H2SessionPool({ host: '127.0.0.1', port, tls: false });
    const refused = await call(pool, '/refuse');
    assert.equal(refused.error?.beforeSend, true);
    const reset = await call(pool, '/reset');
    assert.equal(reset.error?.code, 'UPSTREAM_RESET');
    assert.equal(reset.error?.beforeSend, false);
    pool.close();
  });

  test('connection refused is CONNECT_FAILED before send', async () => {
    const free = net.createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', () => r()));
    const deadPort = (free.address() as net.AddressInfo).port;
    await new Promise<void>((r) => free.close(() => r()));
    const pool = new H2SessionPool({ host: '127.0.0.1', port: deadPort, tls: false });
    const out = await call(pool, '/x');
    assert.equal(out.error?.code, 'CONNECT_FAILED');
    assert.equal(out.error?.beforeSend, true);
    await waitFor(() => pool.open === 0);
    assert.equal(pool.open, 0, 'a dead session leaves the pool');
  });

  test('close lets an in-flight stream finish', async () => {
    const pool = new H2SessionPool({ host: '127.0.0.1', port, tls: false });
    const pendingCall = call(pool, '/hold');
    await waitFor(() => held.length === 1);
    pool.close();
    const s = held.pop()!;
    s.respond({ ':status': 200 });
    s.end('late');
    assert.equal((await pendingCall).body, 'late');
  });

  test('a TLS upstream (grpcs) is reached as h2 over TLS with ALPN, its session reused', async () => {
    const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/tls/${name}`, import.meta.url));
    const secure = http2.createSecureServer({ cert: fixture('a.crt'), key: fixture('a.key') });
    let sessions = 0;
    secure.on('session', () => sessions++);
    secure.on('stream', (stream, headers) => {
      stream.respond({ ':status': 200 });
      stream.end(`tls ${String(headers[':path'])} ${(stream.session!.socket as unknown as { alpnProtocol: string }).alpnProtocol}`);
    });
    await new Promise<void>((r) => secure.listen(0, '127.0.0.1', () => r()));
    const pool = new H2SessionPool({ host: '127.0.0.1', port: (secure.address() as net.AddressInfo).port, tls: true });
    assert.equal((await call(pool, '/one')).body, 'tls /one h2');
    assert.equal((await call(pool, '/two')).body, 'tls /two h2');
    assert.equal(sessions, 1);
    pool.close();
    secure.close();
  });

  test('a session without streams for its idle time closes; one carrying a stream stays', async () => {
    const pool = new H2SessionPool({ host: '127.0.0.1', port, tls: false, idleSessionMs: 200 });
    assert.equal((await call(pool, '/idle')).body, 'ok /idle');
    assert.equal(pool.open, 1);
    const started = Date.now();
    await waitFor(() => pool.open === 0);
    const waited = Date.now() - started;
    assert.ok(waited >= 150 && waited < 1000, `closed after ${waited} ms`);
    // A session with a stream open is not idle, however long that stream lasts.
    const slow = call(pool, '/slow');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(pool.open, 1);
    assert.equal((await slow).body, 'slow');
    pool.close();
  });

  test('H2PoolSet keeps one pool per scheme and address and retires them', () => {
    const set = new H2PoolSet(nodePool);
    const a = set.get('127.0.0.1:1', '127.0.0.1', 1, false);
    assert.equal(set.get('127.0.0.1:1', '127.0.0.1', 1, false), a);
    assert.notEqual(set.get('127.0.0.1:1', '127.0.0.1', 1, true), a);
    set.retire('127.0.0.1:1');
    assert.equal(a.retired, true);
    assert.notEqual(set.get('127.0.0.1:1', '127.0.0.1', 1, false), a);
  });
});
