// berth's own upstream HTTP/2 client (client-connection.ts + berth-session-pool.ts) against a real
// node:http2 server: the cases of session-pool.test.ts (node's client) plus a GOAWAY's last stream
// id, ported to berth's pool.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { BerthH2Pool, type BerthUpstreamSession } from './berth-session-pool.js';
import type { ClientStreamSink } from './client-stream.js';
import { ErrorCode } from './frames.js';

let server: http2.Http2Server;
let port = 0;
let sessionsAccepted = 0;
const held: http2.ServerHttp2Stream[] = [];

before(async () => {
  server = http2.createServer();
  server.on('session', () => sessionsAccepted++);
  server.on('stream', (stream, headers) => {
    const path = headers[':path'];
    stream.on('error', () => {});
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
    if (path === '/goaway-after-1') return stream.session!.goaway(http2.constants.NGHTTP2_NO_ERROR, 1);
    if (path === '/trailers') {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'fine' }));
      return void stream.end('body');
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
  trailers: string[];
  reset: ErrorCode | null;
  unprocessed: boolean;
  session: BerthUpstreamSession;
}

function call(pool: BerthH2Pool, path: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const out = { status: 0, body: '', trailers: [] as string[], reset: null as ErrorCode | null, unprocessed: false } as Outcome;
    const sink: ClientStreamSink & { sessionReady(): void } = {
      sessionReady() {},
      onHead: (status) => void (out.status = status),
      onData: (c) => void (out.body += c.toString()),
      onTrailers: (t) => void (out.trailers = t),
      onEnd: () => resolve(out),
      onReset: (code, unprocessed) => {
        out.reset = code;
        out.unprocessed = unprocessed;
        resolve(out);
      },
      onDrain() {},
    };
    out.session = pool.request([':method', 'GET', ':scheme', 'http', ':path', path, ':authority', 'up'], 2000, true, sink).session;
  });
}

async function waitFor(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

describe("berth's HTTP/2 client pool against a real node:http2 server", () => {
  test('concurrent streams share one session; sequential calls reuse it; trailers arrive', async () => {
    const pool = new BerthH2Pool('127.0.0.1', port, false);
    const before = sessionsAccepted;
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => call(pool, `/c${i}`)));
    assert.deepEqual(results.map((r) => r.body), ['ok /c1', 'ok /c2', 'ok /c3', 'ok /c4', 'ok /c5']);
    assert.equal((await call(pool, '/again')).body, 'ok /again');
    const grpc = await call(pool, '/trailers');
    assert.equal(grpc.body, 'body');
    assert.deepEqual(grpc.trailers, ['grpc-status', '0', 'grpc-message', 'fine']);
    assert.equal(sessionsAccepted - before, 1);
    assert.equal(pool.open, 1);
    pool.close();
  });

  test('streams per session are bounded: a full session makes the pool open another', async () => {
    const pool = new BerthH2Pool('127.0.0.1', port, false, 2);
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
    const pool = new BerthH2Pool('127.0.0.1', (strict.address() as net.AddressInfo).port, false);
    const first = call(pool, '/1');
    await waitFor(() => pending.length === 1);
    void call(pool, '/2');
    await waitFor(() => pending.length === 2);
    assert.equal(accepted, 2);
    for (const s of pending) s.destroy();
    await first;
    pool.close();
    strict.close();
  });

  test('GOAWAY retires the session: the next call opens a new one and succeeds', async () => {
    const pool = new BerthH2Pool('127.0.0.1', port, false);
    const before = sessionsAccepted;
    assert.equal((await call(pool, '/goaway')).body, 'bye');
    await waitFor(() => pool.open === 0);
    assert.equal((await call(pool, '/after')).body, 'ok /after');
    assert.equal(sessionsAccepted - before, 2);
    pool.close();
  });

  test("streams above a GOAWAY's last stream id fail as unprocessed; those below it finish (RFC 9113 s6.8)", async () => {
    const pool = new BerthH2Pool('127.0.0.1', port, false);
    held.length = 0;
    const kept = call(pool, '/hold'); // stream 1
    await waitFor(() => held.length === 1);
    const above = call(pool, '/hold'); // stream 3
    await waitFor(() => held.length === 2);
    const trigger = call(pool, '/goaway-after-1'); // stream 5
    const [a, t] = await Promise.all([above, trigger]);
    assert.equal(a.unprocessed, true);
    assert.equal(t.unprocessed, true);
    const first = held.shift()!;
    first.respond({ ':status': 200 });
    first.end('kept');
    assert.equal((await kept).body, 'kept');
    held.length = 0;
    pool.close();
  });

  test('a refused stream was never processed (retryable); a reset one was (not retryable)', async () => {
    const pool = new BerthH2Pool('127.0.0.1', port, false);
    const refused = await call(pool, '/refuse');
    assert.equal(refused.reset, ErrorCode.REFUSED_STREAM);
    assert.equal(refused.unprocessed, true);
    const reset = await call(pool, '/reset');
    assert.equal(reset.reset, ErrorCode.INTERNAL_ERROR);
    assert.equal(reset.unprocessed, false);
    pool.close();
  });

  test('connection refused fails the stream before the session was ever up; the session leaves the pool', async () => {
    const free = net.createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', () => r()));
    const deadPort = (free.address() as net.AddressInfo).port;
    await new Promise<void>((r) => free.close(() => r()));
    const pool = new BerthH2Pool('127.0.0.1', deadPort, false);
    const out = await call(pool, '/x');
    assert.notEqual(out.reset, null);
    assert.equal(out.session.ready, false);
    await waitFor(() => pool.open === 0);
    assert.equal(pool.open, 0);
  });

  test('close lets an in-flight stream finish', async () => {
    const pool = new BerthH2Pool('127.0.0.1', port, false);
    held.length = 0;
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
    const pool = new BerthH2Pool('127.0.0.1', (secure.address() as net.AddressInfo).port, true);
    assert.equal((await call(pool, '/one')).body, 'tls /one h2');
    assert.equal((await call(pool, '/two')).body, 'tls /two h2');
    assert.equal(sessions, 1);
    pool.close();
    secure.close();
  });

  test('a session without streams for its idle time closes; one carrying a stream stays', async () => {
    const pool = new BerthH2Pool('127.0.0.1', port, false, 100, 200);
    assert.equal((await call(pool, '/idle')).body, 'ok /idle');
    assert.equal(pool.open, 1);
    const started = Date.now();
    await waitFor(() => pool.open === 0);
    const waited = Date.now() - started;
    assert.ok(waited >= 150 && waited < 1000, `closed after ${waited} ms`);
    const slow = call(pool, '/slow');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(pool.open, 1);
    assert.equal((await slow).body, 'slow');
    pool.close();
  });
});

describe("berth's HTTP/2 client against a hostile upstream", () => {
  test('garbage frames (fast-check) fail the call or the connection, never the process', async () => {
    const fc = (await import('fast-check')).default;
    const { frame } = await import('./frames.js');
    let script: Buffer = Buffer.alloc(0);
    // A raw upstream: it answers our preface with SETTINGS, then the frames of the run.
    const raw = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => socket.write(Buffer.concat([frame(4, 0, 0, null), script])));
      socket.resume();
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', () => r()));
    const rawPort = (raw.address() as net.AddressInfo).port;
    const frameArb = fc.record({
      type: fc.integer({ min: 0, max: 10 }),
      flags: fc.integer({ min: 0, max: 255 }),
      id: fc.constantFrom(0, 1, 2, 3),
      payload: fc.uint8Array({ maxLength: 40 }),
    });
    await fc.assert(fc.asyncProperty(fc.array(frameArb, { minLength: 1, maxLength: 10 }), async (frames) => {
      script = Buffer.concat(frames.map((f) => frame(f.type, f.flags, f.id, Buffer.from(f.payload))));
      const pool = new BerthH2Pool('127.0.0.1', rawPort, false);
      let settled = false;
      const sink: ClientStreamSink & { sessionReady(): void } = {
        sessionReady() {}, onHead() {}, onData() {}, onTrailers() {}, onDrain() {},
        onEnd: () => void (settled = true),
        onReset: () => void (settled = true),
      };
      const { session } = pool.request([':method', 'GET', ':scheme', 'http', ':path', '/x', ':authority', 'up'], 2000, true, sink);
      await new Promise((r) => setTimeout(r, 50));
      // Whatever came back (an answer, a reset, or nothing yet), the session can be dropped cleanly
      // and a dropped session fails its open stream.
      session.conn.destroy();
      await new Promise((r) => setTimeout(r, 10));
      assert.ok(settled, 'the stream was answered or failed');
      pool.close();
    }), { numRuns: 60 });
    raw.close();
  });
});
