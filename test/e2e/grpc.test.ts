// End-to-end gRPC through berth: a @grpc/grpc-js client -> berth (h2c on the plain port, h2 over
// TLS with ALPN) -> @grpc/grpc-js servers on an upstream with Kong `protocol: grpc`. Unary, server
// streaming, error statuses and trailers, berth's own gRPC errors (deadline, no target, connect
// failure), all through the one engine HTTP/1.1 uses.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import { Gateway } from '../../src/dataplane/gateway.js';
import { testHttp2Engine } from '../helpers/gateway.js';
import { loadSessionSecrets } from '../../src/dataplane/sticky/token.js';
import { createLogger } from '../../src/lib/log.js';
import { count, echoClient, grpc, say, startGrpcBackend, type GrpcBackend } from '../helpers/grpc.js';

const STEP = { timeout: 30_000 };
const CERT = readFileSync(new URL('../fixtures/tls/a.crt', import.meta.url));
const KEY = readFileSync(new URL('../fixtures/tls/a.key', import.meta.url));
let backends: GrpcBackend[] = [];
let gateway: Gateway;
let plain = '';
let secure = '';
let deadPort = 0;

function config(): unknown {
  const grpcService = (name: string, prefix: string, extra: Record<string, unknown> = {}) => ({
    name, host: `up-${name}`, protocol: 'grpc', ...extra,
    routes: [{ name, protocols: ['grpc', 'grpcs'], paths: [prefix], strip_path: false }],
  });
  return {
    _format_version: '3.0',
    services: [
      grpcService('echo', '/berth.test.Echo/'),
    ],
    upstreams: [{ name: 'up-echo', targets: backends.map((b) => ({ target: b.address })) }],
    certificates: [{ cert: CERT.toString(), key: KEY.toString(), snis: ['a.example.test'] }],
  };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** withRoute applies the base config plus one more gRPC service on `prefix`. */
function withService(service: Record<string, unknown>, upstream?: Record<string, unknown>): void {
  const base = config() as { services: unknown[]; upstreams: unknown[] };
  base.services.push(service);
  if (upstream) base.upstreams.push(upstream);
  const r = gateway.apply(base);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.flat));
}

describe('gRPC through berth', () => {
  before(async () => {
    backends = await Promise.all(['pod-a', 'pod-b'].map((n) => startGrpcBackend(n)));
    deadPort = await freePort();
    const { keyring } = loadSessionSecrets({ secret: 'test-secret-0123456789abcdef' });
    gateway = new Gateway({ http2Engine: testHttp2Engine(),
      proxyListen: { host: '127.0.0.1', port: 0 },
      proxyListenTls: { host: '127.0.0.1', port: 0 },
      keyring,
      log: createLogger('silent'),
      shutdownTimeoutMs: 2000,
    });
    const r = gateway.apply(config());
    assert.ok(r.ok, JSON.stringify(!r.ok && r.flat));
    await gateway.start();
    plain = `127.0.0.1:${gateway.proxyAddress().port}`;
    secure = `127.0.0.1:${gateway.proxyTlsAddress()!.port}`;
  });

  after(async () => {
    await gateway?.stop();
    await Promise.all(backends.map((b) => b.close()));
  });

  test('unary calls over h2c are balanced over the pods', STEP, async () => {
    const client = echoClient(plain);
    const pods = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const r = await say(client, { text: `hello ${i}` });
      assert.equal(r.error, null, r.error?.message);
      assert.equal(r.reply!.text, `hello ${i}`);
      pods.add(r.reply!.pod);
    }
    assert.deepEqual([...pods].sort(), ['pod-a', 'pod-b']);
    client.close();
  });

  test('server streaming passes every message and the final status', STEP, async () => {
    const client = echoClient(plain);
    const r = await count(client, 25);
    assert.equal(r.error, null, r.error?.message);
    assert.deepEqual(r.replies.map((x) => x.text), Array.from({ length: 25 }, (_, i) => String(i)));
    client.close();
  });

  test("an upstream's error status and message arrive in the trailers unchanged", STEP, async () => {
    const client = echoClient(plain);
    const r = await say(client, { text: 'nope', fail_code: grpc.status.NOT_FOUND });
    assert.equal(r.error?.code, grpc.status.NOT_FOUND);
    assert.match(r.error!.details, /^failed on pod-[ab]: nope$/);
    client.close();
  });

  test('unary and streaming calls over TLS negotiate h2 with ALPN', STEP, async () => {
    const client = echoClient(secure, { ca: CERT, servername: 'a.example.test' });
    const r = await say(client, { text: 'over tls' });
    assert.equal(r.error, null, r.error?.message);
    assert.equal(r.reply!.text, 'over tls');
    const s = await count(client, 3);
    assert.equal(s.replies.length, 3);
    client.close();
  });

  // Both with write_timeout left at its default and equal to read_timeout: upstream-stream.ts keeps
  // the timer armed for the body when the two are equal instead of re-arming it.
  for (const writeTimeout of [undefined, 200]) test(`an upstream slower than read_timeout is DEADLINE_EXCEEDED from berth (write_timeout ${writeTimeout ?? 'default'})`, STEP, async () => {
    withService(
      { name: 'slow', host: 'up-echo', protocol: 'grpc', read_timeout: 200, ...(writeTimeout === undefined ? {} : { write_timeout: writeTimeout }), retries: 0, routes: [{ name: 'slow', strip_path: false, paths: ['/berth.test.Echo/Say'], headers: { 'x-slow': ['1'] } }] },
    );
    const client = echoClient(plain);
    const md = new grpc.Metadata();
    md.set('x-slow', '1');
    const started = Date.now();
    const r = await say(client, { text: 'late', delay_ms: 2000 }, { metadata: md, deadlineMs: 10_000 });
    assert.equal(r.error?.code, grpc.status.DEADLINE_EXCEEDED);
    assert.match(r.error!.details, /timing out/);
    assert.ok(Date.now() - started < 1500, 'berth answered at its read timeout, not the client deadline');
    client.close();
  });

  test('no target is UNAVAILABLE; a refused connection is UNAVAILABLE after the retries', STEP, async () => {
    withService(
      { name: 'none', host: 'up-none', protocol: 'grpc', routes: [{ name: 'none', strip_path: false, paths: ['/berth.test.Echo/Say'], headers: { 'x-none': ['1'] } }] },
      { name: 'up-none', targets: [] },
    );
    const client = echoClient(plain);
    const none = new grpc.Metadata();
    none.set('x-none', '1');
    const r = await say(client, { text: 'x' }, { metadata: none });
    assert.equal(r.error?.code, grpc.status.UNAVAILABLE);
    withService(
      { name: 'dead', host: 'up-dead', protocol: 'grpc', retries: 2, routes: [{ name: 'dead', strip_path: false, paths: ['/berth.test.Echo/Say'], headers: { 'x-dead': ['1'] } }] },
      { name: 'up-dead', targets: [{ target: `127.0.0.1:${deadPort}` }] },
    );
    const dead = new grpc.Metadata();
    dead.set('x-dead', '1');
    const d = await say(client, { text: 'x' }, { metadata: dead });
    assert.equal(d.error?.code, grpc.status.UNAVAILABLE);
    client.close();
  });

  test('a refused target is retried on another one before anything was sent', STEP, async () => {
    withService(
      { name: 'mixed', host: 'up-mixed', protocol: 'grpc', retries: 3, routes: [{ name: 'mixed', strip_path: false, paths: ['/berth.test.Echo/Say'], headers: { 'x-mixed': ['1'] } }] },
      { name: 'up-mixed', targets: [{ target: `127.0.0.1:${deadPort}` }, { target: backends[0]!.address }] },
    );
    const client = echoClient(plain);
    const md = new grpc.Metadata();
    md.set('x-mixed', '1');
    for (let i = 0; i < 4; i++) {
      const r = await say(client, { text: `m${i}` }, { metadata: md });
      assert.equal(r.error, null, r.error?.message);
      assert.equal(r.reply!.pod, 'pod-a');
    }
    client.close();
  });

  test('a hostile h2 upstream (reset mid-body, GOAWAY with PROTOCOL_ERROR, connection dropped) costs the call, never the process', STEP, async () => {
    const hostile = http2.createServer();
    let n = 0;
    hostile.on('stream', (stream) => {
      stream.on('error', () => {});
      const mode = n++ % 3;
      if (mode === 0) {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
        stream.write(Buffer.from([0, 0, 0, 0, 9]));
        setTimeout(() => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR), 20);
      } else if (mode === 1) {
        stream.session!.goaway(http2.constants.NGHTTP2_PROTOCOL_ERROR);
        stream.session!.destroy();
      } else {
        stream.session!.destroy(); // the connection drops with the call open
      }
    });
    await new Promise<void>((r) => hostile.listen(0, '127.0.0.1', () => r()));
    withService(
      { name: 'hostile', host: 'up-hostile', protocol: 'grpc', retries: 0, routes: [{ name: 'hostile', strip_path: false, paths: ['/berth.test.Echo/Say'], headers: { 'x-hostile': ['1'] } }] },
      { name: 'up-hostile', targets: [{ target: `127.0.0.1:${(hostile.address() as net.AddressInfo).port}` }] },
    );
    const client = echoClient(plain);
    const md = new grpc.Metadata();
    md.set('x-hostile', '1');
    for (let i = 0; i < 6; i++) {
      const r = await say(client, { text: 'x' }, { metadata: md });
      assert.notEqual(r.error, null, 'a broken upstream never yields a reply');
    }
    const ok = await say(client, { text: 'still here' });
    assert.equal(ok.reply?.text, 'still here', 'berth still serves other calls');
    client.close();
    hostile.close();
  });

  test('calls from many clients share pooled upstream sessions', STEP, async () => {
    gateway.apply(config());
    const clients = Array.from({ length: 5 }, () => echoClient(plain));
    const results = await Promise.all(clients.flatMap((c) => [1, 2, 3].map((i) => say(c, { text: String(i) }))));
    assert.ok(results.every((r) => r.error === null));
    for (const b of backends) assert.equal(gateway.openConnections(b.address), 1, `one h2 session to ${b.name}`);
    for (const c of clients) c.close();
  });
});
