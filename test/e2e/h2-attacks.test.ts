// Attacks on berth's own HTTP/2 engine (src/dataplane/http2/) beyond h2spec (h2spec.test.ts): the
// flood CVEs, HPACK bombs and malformed integers, a client that never reads, and hostile h2c
// upstreams. Each attack must cost at most its own connection (or stream): the proxy then answers
// a fresh client, and the bytes it holds for a stalled client stay bounded.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import fc from 'fast-check';
import type { Gateway } from '../../src/dataplane/gateway.js';
import { startBackend, type Backend } from '../helpers/backend.js';
import {
  E, F, T, H2RawClient, PREFACE, answers, commonHeaders, connectionError, describeEvent, encodeHeaders, frameBytes, hpackInt,
  settingsBytes, u32, type H2RawClient as Client,
} from '../helpers/h2-raw.js';
import { startGateway } from '../helpers/inprocess.js';

const ENGINE = 'berth' as const;
/** The big answer: far more than any window or socket buffer along the way. */
const BIG = 32 * 1024 * 1024;

let backend: Backend;
let gateway: Gateway;
let port = 0;
/** Bytes the /big handler got written into its socket before it had to wait for drain. */
let bigWritten = 0;
const hostile: net.Server[] = [];
/** Hostile upstream scripts by route path; each connection they get is counted. */
const hostileConnections: Record<string, number> = {};

/** bigHandler streams BIG bytes, honouring backpressure (a well-behaved backend). */
function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.url !== '/big') {
    req.resume();
    req.on('end', () => res.end('ok'));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  const chunk = Buffer.alloc(64 * 1024, 0x62);
  bigWritten = 0;
  const pump = (): void => {
    while (bigWritten < BIG) {
      bigWritten += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

/** An h2c upstream that speaks the frames `script` returns once it has read the client preface. */
async function hostileUpstream(name: string, script: (socket: net.Socket, received: Buffer) => void): Promise<string> {
  hostileConnections[name] = 0;
  const server = net.createServer((socket) => {
    hostileConnections[name]!++;
    socket.on('error', () => {});
    let got = Buffer.alloc(0);
    let started = false;
    socket.on('data', (c: Buffer) => {
      got = Buffer.concat([got, c]);
      if (!started && got.length >= PREFACE.length + 9) {
        started = true;
        script(socket, got);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hostile.push(server);
  return `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

const RESPONSE_HEADERS = (status = '200'): Buffer => encodeHeaders([[':status', status]]);

/** status: the :status of the first answer on stream `id`, or what came instead. */
async function status(c: Client, id: number, ms = 5000): Promise<string> {
  const ev = await c.wait((f) => f.id === id && (f.type === T.HEADERS || f.type === T.RST_STREAM) || f.type === T.GOAWAY, ms);
  if (ev === null || ev.kind === 'closed' || ev.frame.type !== T.HEADERS) return describeEvent(ev);
  const fields = ev.frame.fields;
  return fields === null || fields === undefined ? 'undecodable HEADERS' : fields[fields.indexOf(':status') + 1]!;
}

describe('attacks on berth\'s HTTP/2 engine', () => {
  before(async () => {
    backend = await startBackend({ name: 'attacks', host: '127.0.0.1', handler });
    const upstreams: Record<string, string> = {
      garbage: await hostileUpstream('garbage', (s) => s.end('HTTP/1.1 200 OK\r\n\r\nnot h2 at all')),
      badhpack: await hostileUpstream('badhpack', (s) => {
        s.write(settingsBytes([]));
        s.write(frameBytes(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x0f])));
      }),
      goaway: await hostileUpstream('goaway', (s) => {
        s.write(settingsBytes([]));
        s.end(frameBytes(T.GOAWAY, 0, 0, Buffer.concat([u32(0), u32(E.NO_ERROR)])));
      }),
      hugeheaders: await hostileUpstream('hugeheaders', (s) => {
        s.write(settingsBytes([]));
        s.write(frameBytes(T.HEADERS, 0, 1, RESPONSE_HEADERS()));
        const part = encodeHeaders([['x-flood', 'f'.repeat(16_000)]]);
        const flood = () => {
          for (let i = 0; i < 64 && !s.destroyed; i++) if (!s.write(frameBytes(T.CONTINUATION, 0, 1, part))) return void s.once('drain', flood);
        };
        flood();
      }),
      overflow: await hostileUpstream('overflow', (s) => {
        s.write(settingsBytes([]));
        s.write(frameBytes(T.HEADERS, F.END_HEADERS, 1, RESPONSE_HEADERS()));
        // Past the 65,535-octet stream window berth granted (s6.9.1: FLOW_CONTROL_ERROR).
        for (let i = 0; i < 6; i++) s.write(frameBytes(T.DATA, 0, 1, Buffer.alloc(16_000)));
      }),
      windowzero: await hostileUpstream('windowzero', (s) => {
        s.write(settingsBytes([[4, 0]]));
        s.write(frameBytes(T.WINDOW_UPDATE, 0, 1, u32(0)));
        s.write(frameBytes(T.HEADERS, F.END_HEADERS, 1, RESPONSE_HEADERS()));
        s.write(frameBytes(T.WINDOW_UPDATE, 0, 0, u32(0x7fffffff)));
        s.write(frameBytes(T.WINDOW_UPDATE, 0, 0, u32(0x7fffffff)));
      }),
    };
    gateway = await startGateway({
      _format_version: '3.0',
      services: [
        { name: 'web', url: `http://${backend.address}`, routes: [{ name: 'web', paths: ['/'] }] },
        ...Object.entries(upstreams).map(([name, address]) => ({
          name, protocol: 'grpc', host: address.split(':')[0], port: Number(address.split(':')[1]),
          connect_timeout: 1000, read_timeout: 2000, write_timeout: 2000, retries: 1,
          routes: [{ name, protocols: ['grpc'], paths: [`/${name}`], strip_path: false }],
        })),
      ],
    }, { http2Engine: ENGINE });
    port = gateway.proxyAddress().port;
  });

  after(async () => {
    await gateway?.stop();
    await backend?.close();
    for (const s of hostile) s.close();
  });

  test('rapid reset (CVE-2023-44487): open-and-reset past the budget is ENHANCE_YOUR_CALM', { timeout: 20_000 }, async () => {
    const c = await H2RawClient.connect(port);
    try {
      const frames: Buffer[] = [];
      for (let id = 1; id < 2 * 3000; id += 2) {
        frames.push(frameBytes(T.HEADERS, F.END_HEADERS | F.END_STREAM, id, encodeHeaders(commonHeaders())));
        frames.push(frameBytes(T.RST_STREAM, 0, id, u32(E.CANCEL)));
      }
      c.send(Buffer.concat(frames));
      assert.equal(await connectionError(c, [E.ENHANCE_YOUR_CALM], 10_000), null);
    } finally { c.close(); }
    assert.equal(await answers(port), null);
  });

  test('CONTINUATION flood (CVE-2024-27316 family): endless empty CONTINUATIONs end the connection', { timeout: 20_000 }, async () => {
    const c = await H2RawClient.connect(port);
    try {
      c.headers(1, commonHeaders(), F.END_STREAM);
      const empty = frameBytes(T.CONTINUATION, 0, 1);
      c.send(Buffer.concat(Array.from({ length: 10_000 }, () => empty)));
      assert.equal(await connectionError(c, [E.ENHANCE_YOUR_CALM, E.PROTOCOL_ERROR], 5000), null);
    } finally { c.close(); }
    assert.equal(await answers(port), null);
  });

  test('CONTINUATION flood with bytes: a header block past the cap ends the connection, unbuffered', { timeout: 20_000 }, async () => {
    const c = await H2RawClient.connect(port);
    try {
      c.headers(1, commonHeaders(), F.END_STREAM);
      const part = frameBytes(T.CONTINUATION, 0, 1, Buffer.alloc(16_000, 0x41));
      c.send(Buffer.concat(Array.from({ length: 64 }, () => part)));
      assert.equal(await connectionError(c, [E.ENHANCE_YOUR_CALM, E.PROTOCOL_ERROR, E.COMPRESSION_ERROR], 5000), null);
    } finally { c.close(); }
  });

  test('HPACK bomb: one table entry referenced 12,000 times in one block gets 431, the table stays in step', { timeout: 20_000 }, async () => {
    const c = await H2RawClient.connect(port);
    try {
      // 62 is the newest dynamic entry (RFC 7541 s2.3.3): a 4,000-octet field, referenced by one octet each.
      const entry = encodeHeaders([['x-bomb', 'b'.repeat(4000)]], true);
      const bomb = Buffer.alloc(12_000, 0x80 | 62);
      c.frame(T.HEADERS, F.END_STREAM | F.END_HEADERS, 1, Buffer.concat([encodeHeaders(commonHeaders()), entry, bomb]));
      assert.equal(await status(c, 1), '431');
      // The next block uses the entry again: the decoder kept it (the table did not drift).
      c.frame(T.HEADERS, F.END_STREAM | F.END_HEADERS, 3, Buffer.concat([encodeHeaders(commonHeaders()), Buffer.from([0x80 | 62])]));
      assert.equal(await status(c, 3), '200');
    } finally { c.close(); }
  });

  test('HPACK integers past 2^28 in a length prefix or an index are COMPRESSION_ERROR', { timeout: 20_000 }, async () => {
    const blocks = [
      Buffer.from([0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]), // name length 2^56-ish
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), // indexed, index overflows
      Buffer.from([0x3f, 0xff, 0xff, 0xff, 0xff, 0x0f]), // table size update, overflow
      Buffer.from([0x00, 0x7f, 0x80, 0x80, 0x80]), // truncated integer
    ];
    for (const b of blocks) {
      const c = await H2RawClient.connect(port);
      try {
        c.frame(T.HEADERS, F.END_STREAM | F.END_HEADERS, 1, Buffer.concat([encodeHeaders(commonHeaders()), b]));
        assert.equal(await connectionError(c, [E.COMPRESSION_ERROR]), null, b.toString('hex'));
      } finally { c.close(); }
    }
    assert.equal(await answers(port), null);
  });

  test('a header list past SETTINGS_MAX_HEADER_LIST_SIZE (a 70 KB :path over CONTINUATIONs) gets 431', { timeout: 20_000 }, async () => {
    const c = await H2RawClient.connect(port);
    try {
      const blockBytes = encodeHeaders([[':method', 'GET'], [':scheme', 'http'], [':path', '/' + 'p'.repeat(70_000)], [':authority', 'a.test']]);
      c.frame(T.HEADERS, F.END_STREAM, 1, blockBytes.subarray(0, 16_000));
      for (let at = 16_000; at < blockBytes.length; at += 16_000) {
        c.frame(T.CONTINUATION, at + 16_000 >= blockBytes.length ? F.END_HEADERS : 0, 1, blockBytes.subarray(at, at + 16_000));
      }
      assert.equal(await status(c, 1), '431');
      c.headers(3, commonHeaders());
      assert.equal(await status(c, 3), '200');
    } finally { c.close(); }
  });

  test('PING flood from a client that never reads: bounded, then ENHANCE_YOUR_CALM', { timeout: 30_000 }, async () => {
    const c = await H2RawClient.connect(port);
    try {
      c.socket.pause();
      const ping = frameBytes(T.PING, 0, 0, Buffer.alloc(8));
      const burst = Buffer.concat(Array.from({ length: 20_000 }, () => ping));
      const deadline = Date.now() + 15_000;
      let closed = false;
      c.socket.once('close', () => void (closed = true));
      while (!closed && Date.now() < deadline) {
        if (!c.socket.write(burst)) await new Promise<void>((r) => { c.socket.once('drain', r); setTimeout(r, 200); });
      }
      assert.ok(closed, 'a PING flood that never reads must end its connection');
    } finally { c.close(); }
    assert.equal(await answers(port), null);
  });

  test('a client that never reads a big answer: the proxy stops reading the upstream (bounded buffering)', { timeout: 30_000 }, async () => {
    const c = await H2RawClient.connect(port);
    try {
      // The client opens every window as far as it goes, then stops reading the socket.
      c.frame(T.WINDOW_UPDATE, 0, 0, u32(0x7fffffff - 65_535));
      c.send(settingsBytes([[4, 0x7fffffff]]));
      c.socket.pause();
      c.headers(1, commonHeaders('/big'));
      await new Promise((r) => setTimeout(r, 3000));
      const first = bigWritten;
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(bigWritten, first, 'the backend is still being read');
      assert.ok(bigWritten < 16 * 1024 * 1024, `the proxy took ${bigWritten} bytes for a client that reads nothing`);
    } finally { c.close(); }
    assert.equal(await answers(port), null);
  });

  test('a client whose stream window is 0 asks for a big answer: the proxy stops reading the upstream', { timeout: 30_000 }, async () => {
    const c = await H2RawClient.connect(port, [[4, 0]]);
    try {
      c.headers(1, commonHeaders('/big'));
      await new Promise((r) => setTimeout(r, 3000));
      const first = bigWritten;
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(bigWritten, first, 'the backend is still being read');
      assert.ok(bigWritten < 16 * 1024 * 1024, `the proxy took ${bigWritten} bytes for a client with no window`);
      assert.equal(c.framesOf(T.DATA).filter((f) => f.payload.length > 0).length, 0, 'DATA past a zero window');
    } finally { c.close(); }
    assert.equal(await answers(port), null);
  });

  test('zero-length DATA frames flood on an open stream costs at most the connection', { timeout: 30_000 }, async () => {
    const c = await H2RawClient.connect(port);
    try {
      c.headers(1, commonHeaders('/', 'POST'), F.END_HEADERS);
      const empty = frameBytes(T.DATA, 0, 1);
      c.send(Buffer.concat(Array.from({ length: 100_000 }, () => empty)));
      c.data(1, 'end');
      const s = await status(c, 1, 10_000);
      assert.ok(s === '200' || /GOAWAY ENHANCE_YOUR_CALM|connection closed/.test(s), s);
    } finally { c.close(); }
    assert.equal(await answers(port), null);
  });

  test('SETTINGS with an unbounded MAX_FRAME_SIZE and a zero window: the answer waits, nothing breaks', { timeout: 20_000 }, async () => {
    const c = await H2RawClient.connect(port, [[5, 16_777_215], [4, 0]]);
    try {
      c.headers(1, commonHeaders());
      assert.equal(await status(c, 1), '200');
      const data = await c.wait((f) => f.type === T.DATA && f.id === 1 && f.payload.length > 0, 500);
      assert.equal(data, null, 'DATA past a zero window');
      c.frame(T.WINDOW_UPDATE, 0, 1, u32(100));
      const after = await c.wait((f) => f.type === T.DATA && f.id === 1);
      assert.ok(after?.kind === 'frame' && after.frame.payload.toString() === 'ok');
    } finally { c.close(); }
  });

  for (const [name, accept] of [
    ['garbage', /^50[23]$/],
    ['badhpack', /^50[23]$/],
    ['goaway', /^50[23]$/],
    ['hugeheaders', /^50[234]$/],
    ['overflow', /^(50[23]|200|RST_STREAM 1 .*)$/],
  ] as const) {
    test(`hostile h2c upstream (${name}): the client gets an error answer, the proxy carries on`, { timeout: 20_000 }, async () => {
      const c = await H2RawClient.connect(port);
      try {
        c.headers(1, commonHeaders(`/${name}`));
        const s = await status(c, 1, 10_000);
        assert.match(s, accept);
        if (name === 'overflow' && s === '200') {
          // Headers passed, then the body broke the window: the stream must end, not hang.
          const end = await c.wait((f) => f.id === 1 && (f.type === T.RST_STREAM || (f.flags & F.END_STREAM) !== 0), 5000);
          assert.ok(end?.kind === 'frame', `stream 1 never ended: ${describeEvent(end)}`);
        }
        c.headers(3, commonHeaders());
        assert.equal(await status(c, 3), '200');
      } finally { c.close(); }
      assert.ok(hostileConnections[name]! <= 5, `${hostileConnections[name]} connections to a hostile upstream for one request`);
    });
  }

  test('hostile h2c upstream (window games: zero window, WINDOW_UPDATE 0, window past 2^31-1): the proxy carries on', { timeout: 20_000 }, async () => {
    const c = await H2RawClient.connect(port);
    try {
      c.headers(1, commonHeaders('/windowzero', 'POST'), F.END_HEADERS);
      c.data(1, Buffer.alloc(1000, 0x61));
      assert.match(await status(c, 1, 10_000), /^50[234]$/);
      c.headers(3, commonHeaders());
      assert.equal(await status(c, 3), '200');
    } finally { c.close(); }
  });

  test('fuzz (fast-check, fixed seed): random frame sequences cost at most their connection', { timeout: 120_000 }, async () => {
    const frameArb = fc.record({
      type: fc.integer({ min: 0, max: 10 }),
      flags: fc.constantFrom(0, F.END_STREAM, F.END_HEADERS, F.END_STREAM | F.END_HEADERS, F.PADDED | F.END_HEADERS, F.PRIORITY | F.END_HEADERS, 0xff),
      id: fc.constantFrom(0, 1, 2, 3, 5, 0x7fffffff),
      payload: fc.oneof(
        fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
        fc.constant(encodeHeaders(commonHeaders())),
        fc.constant(hpackInt(4097, 5, 0x20)),
      ),
    });
    await fc.assert(fc.asyncProperty(fc.array(frameArb, { minLength: 1, maxLength: 12 }), async (frames) => {
      const c = await H2RawClient.connect(port);
      try {
        c.send(Buffer.concat(frames.map((f) => frameBytes(f.type, f.flags, f.id, f.payload))));
        await c.wait(() => false, 50);
      } finally { c.close(); }
    }), { seed: 0x42b7, numRuns: 120 });
    assert.equal(await answers(port), null);
  });
});
