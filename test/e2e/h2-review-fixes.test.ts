// Regression tests for three findings of a review of berth's HTTP/2 server engine; each failed
// before its fix. A client that never opens its flow-control window cannot hold an answer (and the
// bytes it buffers) past the route's write timeout; a client that makes berth reset its streams
// (WINDOW_UPDATE 0, a self-dependent PRIORITY) meets the rapid-reset budget as one that resets them
// itself; a client that provokes RST_STREAM frames without reading them cannot grow berth's write
// buffer without bound (they count with the SETTINGS/PING acks: CVE-2019-9514's class).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Gateway } from '../../src/dataplane/gateway.js';
import { startBackend, type Backend } from '../helpers/backend.js';
import { E, F, T, H2RawClient, commonHeaders, describeEvent, encodeHeaders, frameBytes, u32 } from '../helpers/h2-raw.js';
import { startGateway } from '../helpers/inprocess.js';

let upstream: Backend;
let gateway: Gateway;
let port = 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('h2 review fixes (berth engine)', () => {
  before(async () => {
    ({ upstream, gateway } = await startWriteTimeoutGateway('berth'));
    port = gateway.proxyAddress().port;
  });
  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  windowCases(() => port);

  for (const [name, provoke] of [
    ['WINDOW_UPDATE 0 on each', (id: number) => frameBytes(T.WINDOW_UPDATE, 0, id, u32(0))],
    ['a self-dependent PRIORITY on each', (id: number) => frameBytes(T.PRIORITY, 0, id, Buffer.from([0, 0, (id >> 8) & 0xff, id & 0xff, 16]))],
  ] as const) {
    test(`streams opened and then reset by berth for the client's errors (${name}) meet the rapid-reset budget`, { timeout: 30_000 }, async () => {
      const c = await H2RawClient.connect(port);
      try {
        const block = encodeHeaders(commonHeaders('/slow'));
        let id = 1;
        for (let round = 0; round < 40 && !c.closed; round++) {
          const ids: number[] = [];
          for (let i = 0; i < 100; i++, id += 2) {
            ids.push(id);
            c.frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, id, block);
          }
          await sleep(20);
          c.send(Buffer.concat(ids.map(provoke)));
        }
        const ev = await c.wait((f) => f.type === T.GOAWAY, 3000);
        assert.ok(ev?.kind === 'frame', `4,000 streams opened and reset, no GOAWAY: ${describeEvent(ev)}`);
        assert.equal(ev.frame.payload.readUInt32BE(4), E.ENHANCE_YOUR_CALM);
      } finally { c.close(); }
    });
  }

  test('RST_STREAM frames a non-reading client provokes are bounded: its connection is ended', { timeout: 30_000 }, async () => {
    const serverConnections = (): number => (gateway as any).proxy.h2.connections.size;
    const c = await H2RawClient.connect(port);
    try {
      c.socket.pause();
      // A PRIORITY of the wrong length on an idle stream is a stream error: one RST_STREAM each.
      const burst = Buffer.concat(Array.from({ length: 20_000 }, () => frameBytes(T.PRIORITY, 0, 1, Buffer.alloc(0))));
      const deadline = Date.now() + 10_000;
      for (let sent = 0; !c.closed && Date.now() < deadline && sent < 1_000_000; sent += 20_000) {
        if (!c.socket.write(burst)) await new Promise<void>((resolve) => { c.socket.once('drain', resolve); setTimeout(resolve, 200); });
      }
      // The paused client sees nothing; berth's side of the connection must be gone.
      for (let i = 0; i < 50 && serverConnections() > 0; i++) await sleep(100);
      assert.equal(serverConnections(), 0, 'berth kept the connection of a client it answers with RST_STREAM it never reads');
    } finally { c.close(); }
  });
});

// node's HTTP/2 engine (--http2-engine node) bounds the same two cases by the stream's timeout.
describe('h2 review fixes (node engine): answers held back by the client\'s window', () => {
  let nodeUpstream: Backend;
  let nodeGateway: Gateway;
  let nodePort = 0;
  before(async () => {
    ({ upstream: nodeUpstream, gateway: nodeGateway } = await startWriteTimeoutGateway('node'));
    nodePort = nodeGateway.proxyAddress().port;
  });
  after(async () => {
    await nodeGateway?.stop();
    await nodeUpstream?.close();
  });

  windowCases(() => nodePort);
});

/**
 * startWriteTimeoutGateway: a gateway on `engine` whose one route (write_timeout 300 ms) goes to
 * an upstream where /?n=N answers N bytes at once and /slow answers after 5 s (streams stay open
 * meanwhile).
 */
async function startWriteTimeoutGateway(engine: 'berth' | 'node'): Promise<{ upstream: Backend; gateway: Gateway }> {
  const upstream = await startBackend({ handler: (req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/slow') setTimeout(() => res.destroyed || res.end('late'), 5000).unref();
      else res.end(Buffer.alloc(Number(new URL(req.url!, 'http://x').searchParams.get('n') ?? 100), 0x61));
    });
  } });
  upstream.server.keepAliveTimeout = 1;
  const gateway = await startGateway({
    _format_version: '3.0',
    services: [{ name: 'web', url: `http://${upstream.address}`, write_timeout: 300, routes: [{ name: 'web', paths: ['/'] }] }],
  }, { http2Engine: engine });
  return { upstream, gateway };
}

/** The two answers a client's flow-control window holds back for good, on a gateway whose route's write_timeout is 300 ms. */
function windowCases(portOf: () => number): void {
  test('an answer held back by a zero stream window is cancelled at the route\'s write timeout', { timeout: 10_000 }, async () => {
    const c = await H2RawClient.connect(portOf(), [[0x4 /* INITIAL_WINDOW_SIZE */, 0]]);
    try {
      c.headers(1, commonHeaders('/?n=1000'));
      const ev = await c.wait((f) => f.id === 1 && (f.type === T.RST_STREAM || (f.flags & F.END_STREAM) !== 0) || f.type === T.GOAWAY, 4000);
      assert.ok(ev?.kind === 'frame' && ev.frame.type === T.RST_STREAM, `stream 1 still held after 4 s (write_timeout 300 ms): ${describeEvent(ev)}`);
      assert.equal(ev.frame.payload.readUInt32BE(0), E.CANCEL);
    } finally { c.close(); }
  });

  test('an answer held back by an exhausted connection window is cancelled at the route\'s write timeout', { timeout: 10_000 }, async () => {
    const c = await H2RawClient.connect(portOf(), [[0x4, 0x7fffffff]]);
    try {
      c.headers(1, commonHeaders('/?n=65535'));
      await c.wait((f) => f.id === 1 && (f.flags & F.END_STREAM) !== 0, 3000);
      c.headers(3, commonHeaders('/?n=50000'));
      const ev = await c.wait((f) => f.id === 3 && (f.type === T.RST_STREAM || (f.flags & F.END_STREAM) !== 0) || f.type === T.GOAWAY, 4000);
      assert.ok(ev?.kind === 'frame' && ev.frame.type === T.RST_STREAM, `stream 3 still held after 4 s: ${describeEvent(ev)}`);
    } finally { c.close(); }
  });
}
