// berth's HTTP/2 server connection (connection.ts) driven by a raw frame client over a real
// loopback socket: the errors RFC 9113 s5.1/s5.4/s6/s8 name, flow control both ways and the flood
// caps. Streams are answered by a small host instead of the engine (the e2e suites in
// test/e2e/*.h2berth.test.ts cover the engine with real clients).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fc from 'fast-check';
import { H2ServerConnection, MAX_CLIENT_STREAMS } from './connection.js';
import { ErrorCode, Flag, FrameType, Setting, frame, goawayFrame, settingsFrame, u32Frame } from './frames.js';
import { HpackDecoder, HpackEncoder } from './hpack.js';
import { H2_PREFACE } from './preface.js';
import type { H2ServerStream } from './server-stream.js';

interface Frame { type: number; flags: number; id: number; payload: Buffer }

const held: H2ServerStream[] = [];
let server: net.Server;
let port = 0;

/** The host answers by path: / says hello, /echo returns the body's length, /hold never answers. */
function onStream(stream: H2ServerStream): void {
  const path = stream.url;
  if (path === '/hold' || path === '/paused') {
    held.push(stream);
    if (path === '/paused') stream.on('data', () => {}).pause();
    return;
  }
  if (path === '/echo') {
    let n = 0;
    stream.on('data', (c: Buffer) => void (n += c.length));
    stream.on('end', () => {
      stream.writeHead(200, ['content-type', 'text/plain']);
      stream.end(String(n));
    });
    return;
  }
  if (path === '/ws-head') {
    // The connection passes an extended CONNECT on as it came (stream-dispatch.ts rewrites it).
    stream.writeHead(200, ['content-type', 'text/plain']);
    stream.end(`${stream.method} ${String(stream.headers[':protocol'])}`);
    return;
  }
  if (path === '/big') {
    stream.writeHead(200, ['content-type', 'text/plain']);
    stream.end(Buffer.alloc(100, 0x61));
    return;
  }
  stream.writeHead(200, ['content-type', 'text/plain', 'X-Upper', 'v']);
  stream.end('hello');
}

before(async () => {
  server = net.createServer((socket) => new H2ServerConnection(socket, { onStream, forget() {} }, { remoteAddress: socket.remoteAddress }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});

after(() => {
  for (const s of held) s.destroy();
  server.close();
});

class RawClient {
  readonly socket: net.Socket;
  readonly frames: Frame[] = [];
  closed = false;
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  readonly encoder = new HpackEncoder();
  readonly decoder = new HpackDecoder();

  constructor(settings: [Setting, number][] = []) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      while (this.buf.length >= 9) {
        const len = this.buf.readUIntBE(0, 3);
        if (this.buf.length < 9 + len) break;
        this.frames.push({ type: this.buf[3]!, flags: this.buf[4]!, id: this.buf.readUInt32BE(5) & 0x7fffffff, payload: this.buf.subarray(9, 9 + len) });
        this.buf = this.buf.subarray(9 + len);
      }
      this.wake();
    });
    this.socket.on('close', () => { this.closed = true; this.wake(); });
    this.socket.on('error', () => {});
    this.socket.write(Buffer.concat([H2_PREFACE, settingsFrame(settings)]));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** next: the first frame (not yet taken) matching `match`, within 3 s. */
  async next(match: (f: Frame) => boolean, what: string): Promise<Frame> {
    const deadline = Date.now() + 3000;
    for (;;) {
      const i = this.frames.findIndex(match);
      if (i >= 0) return this.frames.splice(i, 1)[0]!;
      if (this.closed || Date.now() > deadline) throw new Error(`no ${what} (closed: ${this.closed})`);
      await new Promise<void>((r) => { this.waiters.push(r); setTimeout(r, 100); });
    }
  }

  goaway(): Promise<Frame> {
    return this.next((f) => f.type === FrameType.GOAWAY, 'GOAWAY');
  }

  rst(id: number): Promise<Frame> {
    return this.next((f) => f.type === FrameType.RST_STREAM && f.id === id, `RST_STREAM ${id}`);
  }

  async headers(id: number): Promise<string[]> {
    const f = await this.next((g) => g.type === FrameType.HEADERS && g.id === id, `HEADERS ${id}`);
    const fields = this.decoder.decode(f.payload, 0, f.payload.length, 1 << 20);
    assert.ok(fields !== null);
    return fields;
  }

  request(id: number, path: string, flags = Flag.END_STREAM | Flag.END_HEADERS, extra: string[] = []): void {
    const block = this.encoder.encode([':method', 'POST', ':scheme', 'http', ':path', path, ':authority', 'h2.test', ...extra]);
    this.socket.write(frame(FrameType.HEADERS, flags, id, block));
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}

const code = (f: Frame): number => f.payload.readUInt32BE(f.type === FrameType.GOAWAY ? 4 : 0);

test('SETTINGS offer extended CONNECT (RFC 8441 s3); the host gets one as a WebSocket GET', async () => {
  const c = new RawClient();
  const settings = await c.next((f) => f.type === FrameType.SETTINGS && (f.flags & Flag.ACK) === 0, 'SETTINGS');
  const offered = new Map<number, number>();
  for (let at = 0; at < settings.payload.length; at += 6) offered.set(settings.payload.readUInt16BE(at), settings.payload.readUInt32BE(at + 2));
  assert.equal(offered.get(Setting.ENABLE_CONNECT_PROTOCOL), 1);
  // The RFC 8441 s5.1 example request; /ws-head answers with the method and upgrade the host saw.
  c.write(frame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 1, c.encoder.encode([
    ':method', 'CONNECT', ':protocol', 'websocket', ':scheme', 'https', ':path', '/ws-head', ':authority', 'server.example.com',
    'sec-websocket-protocol', 'chat, superchat', 'sec-websocket-version', '13', 'origin', 'http://www.example.com',
  ])));
  const head = await c.headers(1);
  assert.equal(head[1], '200');
  const body = await c.next((f) => f.type === FrameType.DATA && f.id === 1, 'DATA');
  assert.equal(body.payload.toString(), 'CONNECT websocket');
  c.close();
});

test('a request gets its answer; settings, ping and the connection window are exchanged', async () => {
  const c = new RawClient();
  const settings = await c.next((f) => f.type === FrameType.SETTINGS && (f.flags & Flag.ACK) === 0, 'SETTINGS');
  assert.equal(settings.payload.readUInt16BE(0), Setting.MAX_CONCURRENT_STREAMS);
  assert.equal(settings.payload.readUInt32BE(2), MAX_CLIENT_STREAMS);
  await c.next((f) => f.type === FrameType.SETTINGS && (f.flags & Flag.ACK) !== 0, 'SETTINGS ACK');
  c.request(1, '/');
  assert.deepEqual(await c.headers(1), [':status', '200', 'content-type', 'text/plain', 'x-upper', 'v']);
  const data = await c.next((f) => f.type === FrameType.DATA && f.id === 1, 'DATA');
  assert.equal(data.payload.toString(), 'hello');
  assert.equal(data.flags & Flag.END_STREAM, Flag.END_STREAM);
  c.write(frame(FrameType.PING, 0, 0, Buffer.from('12345678')));
  const pong = await c.next((f) => f.type === FrameType.PING, 'PING ACK');
  assert.equal(pong.flags, Flag.ACK);
  assert.equal(pong.payload.toString(), '12345678');
  // Unknown frame types and PRIORITY are ignored (s4.1, s5.3.2).
  c.write(frame(0x42 as FrameType, 0, 0, Buffer.from('x')));
  c.write(frame(FrameType.PRIORITY, 0, 3, Buffer.alloc(5)));
  c.request(3, '/');
  assert.equal((await c.headers(3))[1], '200');
  c.close();
});

test('connection errors: GOAWAY with the code RFC 9113 names', async () => {
  const cases: [string, (c: RawClient) => void, ErrorCode][] = [
    ['even stream id (s5.1.1)', (c) => c.request(2, '/'), ErrorCode.PROTOCOL_ERROR],
    ['HPACK garbage (s4.3)', (c) => c.write(frame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 1, Buffer.from([0x80]))), ErrorCode.COMPRESSION_ERROR],
    ['frame over SETTINGS_MAX_FRAME_SIZE (s4.2)', (c) => c.write(frame(FrameType.DATA, 0, 1, Buffer.alloc(16_385))), ErrorCode.FRAME_SIZE_ERROR],
    ['DATA on an idle stream (s5.1)', (c) => c.write(frame(FrameType.DATA, 0, 5, Buffer.from('x'))), ErrorCode.PROTOCOL_ERROR],
    ['WINDOW_UPDATE of 0 on the connection (s6.9)', (c) => c.write(u32Frame(FrameType.WINDOW_UPDATE, 0, 0)), ErrorCode.PROTOCOL_ERROR],
    ['connection window past 2^31-1 (s6.9.1)', (c) => c.write(u32Frame(FrameType.WINDOW_UPDATE, 0, 0x7fffffff)), ErrorCode.FLOW_CONTROL_ERROR],
    ['PING of 7 octets (s6.7)', (c) => c.write(frame(FrameType.PING, 0, 0, Buffer.alloc(7))), ErrorCode.FRAME_SIZE_ERROR],
    ['SETTINGS on a stream (s6.5)', (c) => c.write(frame(FrameType.SETTINGS, 0, 1, null)), ErrorCode.PROTOCOL_ERROR],
    ['ENABLE_PUSH of 2 (s6.5.2)', (c) => c.write(settingsFrame([[Setting.ENABLE_PUSH, 2]])), ErrorCode.PROTOCOL_ERROR],
    ['ENABLE_CONNECT_PROTOCOL of 2 (RFC 8441 s3)', (c) => c.write(settingsFrame([[Setting.ENABLE_CONNECT_PROTOCOL, 2]])), ErrorCode.PROTOCOL_ERROR],
    ['PUSH_PROMISE from a client (s8.4)', (c) => c.write(frame(FrameType.PUSH_PROMISE, Flag.END_HEADERS, 1, Buffer.alloc(4))), ErrorCode.PROTOCOL_ERROR],
    ['RST_STREAM on an idle stream (s6.4)', (c) => c.write(u32Frame(FrameType.RST_STREAM, 7, 0)), ErrorCode.PROTOCOL_ERROR],
    ['a frame inside a header block (s6.10)', (c) => {
      c.request(1, '/', Flag.END_STREAM);
      c.write(frame(FrameType.PING, 0, 0, Buffer.alloc(8)));
    }, ErrorCode.PROTOCOL_ERROR],
    ['padding longer than the DATA frame (s6.1)', (c) => {
      c.request(1, '/hold', Flag.END_HEADERS);
      c.write(frame(FrameType.DATA, Flag.PADDED, 1, Buffer.from([5, 0, 0])));
    }, ErrorCode.PROTOCOL_ERROR],
  ];
  for (const [name, act, expected] of cases) {
    const c = new RawClient();
    await c.next((f) => f.type === FrameType.SETTINGS, 'SETTINGS');
    act(c);
    const g = await c.goaway();
    assert.equal(code(g), expected, name);
    await c.next(() => false, 'close').catch(() => {});
    assert.ok(c.closed, `${name}: the connection closes`);
    c.close();
  }
});

test('a preface that is not HTTP/2, or a first frame other than SETTINGS, ends the connection', async () => {
  const bad = net.connect(port, '127.0.0.1');
  bad.on('error', () => {});
  bad.resume();
  bad.write('PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n');
  await new Promise((r) => bad.on('close', r));
  const c = new RawClient();
  c.write(frame(FrameType.PING, 0, 0, Buffer.alloc(8)));
  await c.next((f) => f.type === FrameType.SETTINGS, 'SETTINGS');
  // RawClient sent its SETTINGS first; a second connection sends PING before any SETTINGS.
  const raw = net.connect(port, '127.0.0.1');
  raw.on('error', () => {});
  let got = Buffer.alloc(0);
  raw.on('data', (d: Buffer) => void (got = Buffer.concat([got, d])));
  raw.write(Buffer.concat([H2_PREFACE, frame(FrameType.PING, 0, 0, Buffer.alloc(8))]));
  await new Promise((r) => raw.on('close', r));
  assert.ok(got.includes(goawayFrame(0, ErrorCode.PROTOCOL_ERROR)));
  c.close();
});

test('malformed requests are stream errors; the connection lives on', async () => {
  const c = new RawClient();
  const malformed: string[][] = [
    ['X-Upper', 'v'], // uppercase name (s8.2.1)
    ['connection', 'close'], // connection-specific (s8.2.2)
    ['te', 'gzip'], // te other than trailers
    ['x-bad', 'a\nb'], // LF in a value
    ['content-length', 'abc'],
  ];
  let id = 1;
  for (const extra of malformed) {
    c.request(id, '/', Flag.END_STREAM | Flag.END_HEADERS, extra);
    assert.equal(code(await c.rst(id)), ErrorCode.PROTOCOL_ERROR, extra.join(': '));
    id += 2;
  }
  // No :path; a pseudo-header after a regular field; an unknown pseudo-header.
  for (const fields of [
    [':method', 'GET', ':scheme', 'http', ':authority', 'a'],
    [':method', 'GET', ':scheme', 'http', 'x-a', 'b', ':path', '/'],
    [':method', 'GET', ':scheme', 'http', ':path', '/', ':status', '200'],
  ]) {
    c.write(frame(FrameType.HEADERS, Flag.END_STREAM | Flag.END_HEADERS, id, c.encoder.encode(fields)));
    assert.equal(code(await c.rst(id)), ErrorCode.PROTOCOL_ERROR, fields.join(' '));
    id += 2;
  }
  // RFC 8441 s4: :protocol only on CONNECT, and an extended CONNECT names :scheme, :path and :authority.
  for (const fields of [
    [':method', 'GET', ':protocol', 'websocket', ':scheme', 'http', ':path', '/', ':authority', 'a'],
    [':method', 'CONNECT', ':protocol', 'websocket', ':scheme', 'http', ':authority', 'a'],
    [':method', 'CONNECT', ':protocol', 'websocket', ':path', '/', ':authority', 'a'],
    [':method', 'CONNECT', ':protocol', 'websocket', ':scheme', 'http', ':path', '/'],
  ]) {
    c.write(frame(FrameType.HEADERS, Flag.END_HEADERS, id, c.encoder.encode(fields)));
    assert.equal(code(await c.rst(id)), ErrorCode.PROTOCOL_ERROR, fields.join(' '));
    id += 2;
  }
  // content-length that the body does not match (s8.1.1).
  c.request(id, '/echo', Flag.END_HEADERS, ['content-length', '10']);
  c.write(frame(FrameType.DATA, Flag.END_STREAM, id, Buffer.from('abc')));
  assert.equal(code(await c.rst(id)), ErrorCode.PROTOCOL_ERROR);
  id += 2;
  // Trailers without END_STREAM (s8.1).
  c.request(id, '/echo', Flag.END_HEADERS);
  c.write(frame(FrameType.HEADERS, Flag.END_HEADERS, id, c.encoder.encode(['x-t', '1'])));
  assert.equal(code(await c.rst(id)), ErrorCode.PROTOCOL_ERROR);
  id += 2;
  // Still serving: a body in two DATA frames (one padded) and trailers.
  c.request(id, '/echo', Flag.END_HEADERS);
  c.write(frame(FrameType.DATA, Flag.PADDED, id, Buffer.concat([Buffer.from([3]), Buffer.from('abcd'), Buffer.alloc(3)])));
  c.write(frame(FrameType.DATA, 0, id, Buffer.from('ef')));
  c.write(frame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, id, c.encoder.encode(['x-t', '1'])));
  assert.equal((await c.headers(id))[1], '200');
  const body = await c.next((f) => f.type === FrameType.DATA && f.id === id, 'DATA');
  assert.equal(body.payload.toString(), '6');
  c.close();
});

test('header lists over SETTINGS_MAX_HEADER_LIST_SIZE get 431; the HPACK table stays in step', async () => {
  const c = new RawClient();
  // 70 000 octets exceed a 16 KiB frame: the block goes as HEADERS + CONTINUATION. It indexes a
  // field (s6.2.1) that the next request refers to: the table must have followed.
  // (Without the encoder's opening size update to 0: this table is to keep entries.)
  const big = c.encoder.encode([':method', 'GET', ':scheme', 'http', ':path', '/', 'x-big', 'v'.repeat(70_000)]).subarray(1);
  const indexed = Buffer.from([0x40, 1, 0x61, 1, 0x62]); // a: b, with incremental indexing
  const block = Buffer.concat([big, indexed]);
  c.write(frame(FrameType.HEADERS, Flag.END_STREAM, 1, block.subarray(0, 16_000)));
  for (let at = 16_000; at < block.length; at += 16_000) {
    const last = at + 16_000 >= block.length;
    c.write(frame(FrameType.CONTINUATION, last ? Flag.END_HEADERS : 0, 1, block.subarray(at, Math.min(block.length, at + 16_000))));
  }
  assert.deepEqual((await c.headers(1)).slice(0, 2), [':status', '431']);
  const again = Buffer.concat([c.encoder.encode([':method', 'GET', ':scheme', 'http', ':path', '/']), Buffer.from([0xbe])]);
  c.write(frame(FrameType.HEADERS, Flag.END_STREAM | Flag.END_HEADERS, 3, again));
  assert.equal((await c.headers(3))[1], '200');
  c.close();
});

test('CONTINUATION flood: a header block past 128 KiB is ENHANCE_YOUR_CALM', async () => {
  const c = new RawClient();
  c.write(frame(FrameType.HEADERS, 0, 1, Buffer.from([0x82])));
  for (let i = 0; i < 10; i++) c.write(frame(FrameType.CONTINUATION, 0, 1, Buffer.alloc(16_000, 0x82)));
  assert.equal(code(await c.goaway()), ErrorCode.ENHANCE_YOUR_CALM);
  c.close();
});

test('rapid reset (CVE-2023-44487): streams opened and reset past the budget end the connection', async () => {
  const c = new RawClient();
  const burst: Buffer[] = [];
  for (let i = 0; i < 1100; i++) {
    const id = 1 + 2 * i;
    burst.push(frame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, id, c.encoder.encode([':method', 'GET', ':scheme', 'http', ':path', '/hold'])));
    burst.push(u32Frame(FrameType.RST_STREAM, id, ErrorCode.CANCEL));
  }
  c.write(Buffer.concat(burst));
  assert.equal(code(await c.goaway()), ErrorCode.ENHANCE_YOUR_CALM);
  c.close();
});

test('streams past SETTINGS_MAX_CONCURRENT_STREAMS are refused (REFUSED_STREAM)', async () => {
  const c = new RawClient();
  const opens: Buffer[] = [];
  for (let i = 0; i <= MAX_CLIENT_STREAMS; i++) {
    opens.push(frame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 1 + 2 * i, c.encoder.encode([':method', 'GET', ':scheme', 'http', ':path', '/hold'])));
  }
  c.write(Buffer.concat(opens));
  const refused = await c.rst(1 + 2 * MAX_CLIENT_STREAMS);
  assert.equal(code(refused), ErrorCode.REFUSED_STREAM);
  c.close();
});

test('send flow control: the answer waits for the client window and resumes on WINDOW_UPDATE', async () => {
  const c = new RawClient([[Setting.INITIAL_WINDOW_SIZE, 10]]);
  c.request(1, '/big');
  await c.headers(1);
  const first = await c.next((f) => f.type === FrameType.DATA && f.id === 1, 'DATA');
  assert.equal(first.payload.length, 10);
  assert.equal(first.flags & Flag.END_STREAM, 0);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(c.frames.filter((f) => f.type === FrameType.DATA).length, 0, 'nothing past the window');
  c.write(u32Frame(FrameType.WINDOW_UPDATE, 1, 1000));
  const rest = await c.next((f) => f.type === FrameType.DATA && f.id === 1, 'DATA');
  assert.equal(rest.payload.length, 90);
  assert.equal(rest.flags & Flag.END_STREAM, Flag.END_STREAM);
  c.close();
});

test('receive flow control: a paused reader closes the stream window; past it is FLOW_CONTROL_ERROR', async () => {
  const c = new RawClient();
  c.request(1, '/paused', Flag.END_HEADERS);
  const chunk = Buffer.alloc(16_384);
  for (let i = 0; i < 3; i++) c.write(frame(FrameType.DATA, 0, 1, chunk));
  c.write(frame(FrameType.DATA, 0, 1, Buffer.alloc(65_535 - 3 * 16_384)));
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(c.frames.filter((f) => f.type === FrameType.WINDOW_UPDATE && f.id === 1).length, 0, 'no stream credit while paused');
  c.write(frame(FrameType.DATA, 0, 1, Buffer.from('x')));
  assert.equal(code(await c.rst(1)), ErrorCode.FLOW_CONTROL_ERROR);
  c.close();
});

test('receive flow control: the stream window reopens as the reader takes the body', async () => {
  const c = new RawClient();
  c.request(1, '/paused', Flag.END_HEADERS);
  for (let i = 0; i < 3; i++) c.write(frame(FrameType.DATA, 0, 1, Buffer.alloc(16_384)));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(c.frames.filter((f) => f.type === FrameType.WINDOW_UPDATE && f.id === 1).length, 0);
  held.at(-1)!.resume();
  const update = await c.next((f) => f.type === FrameType.WINDOW_UPDATE && f.id === 1, 'stream WINDOW_UPDATE');
  assert.ok(update.payload.readUInt32BE(0) >= 32_768);
  c.close();
});

test('SETTINGS/PING flood from a client that does not read ends with ENHANCE_YOUR_CALM', async () => {
  const c = new RawClient();
  c.socket.pause();
  const pings = Buffer.concat(Array.from({ length: 2000 }, () => frame(FrameType.PING, 0, 0, Buffer.alloc(8))));
  // The server's socket fills only once the kernel buffers do: keep sending until it gives up.
  for (let round = 0; round < 300 && !c.closed; round++) {
    c.write(pings);
    await new Promise((r) => setTimeout(r, 5));
  }
  c.socket.resume();
  // The server gives up on it: GOAWAY after the acknowledgements it queued, and the socket is cut
  // a second later, so the GOAWAY may not make it out.
  const g = await c.goaway().catch(() => null);
  assert.ok(c.closed, 'the server closed the connection');
  if (g !== null) assert.equal(code(g), ErrorCode.ENHANCE_YOUR_CALM);
  c.close();
});

test('garbage frames (fast-check) cost at most their connection; the server answers the next one', async () => {
  const frameArb = fc.record({
    type: fc.integer({ min: 0, max: 11 }),
    flags: fc.integer({ min: 0, max: 255 }),
    id: fc.constantFrom(0, 1, 2, 3, 5, 0x7fffffff),
    payload: fc.uint8Array({ maxLength: 48 }),
  });
  await fc.assert(fc.asyncProperty(fc.array(frameArb, { minLength: 1, maxLength: 12 }), async (frames) => {
    const c = new RawClient();
    // A valid request first, so garbage also lands on open streams and a live HPACK table.
    c.request(1, '/hold', Flag.END_HEADERS);
    for (const f of frames) c.write(frame(f.type as FrameType, f.flags, f.id, Buffer.from(f.payload)));
    c.write(frame(FrameType.PING, 0, 0, Buffer.from('liveness')));
    // Either the connection still answers PING or the server closed it (a connection error).
    await c.next((f) => f.type === FrameType.PING && (f.flags & Flag.ACK) !== 0, 'PING ACK').catch(() => {
      assert.ok(c.closed, 'neither answered nor closed');
    });
    c.close();
  }), { numRuns: 150 });
  const c = new RawClient();
  c.request(1, '/');
  assert.equal((await c.headers(1))[1], '200');
  c.close();
});

test('HEADERS depending on its own stream is refused (s5.3.1) after its block was decoded: the table stays in step', async () => {
  const c = new RawClient();
  const priority = Buffer.from([0, 0, 0, 1, 15]); // depends on stream 1 itself, weight 16
  // (Without the encoder's opening size update to 0: this table is to keep the entry.)
  const head = c.encoder.encode([':method', 'GET', ':scheme', 'http', ':path', '/']).subarray(1);
  const block = Buffer.concat([head, Buffer.from([0x40, 1, 0x61, 1, 0x62])]);
  c.write(frame(FrameType.HEADERS, Flag.PRIORITY | Flag.END_HEADERS | Flag.END_STREAM, 1, Buffer.concat([priority, block])));
  assert.equal(code(await c.rst(1)), ErrorCode.PROTOCOL_ERROR);
  // A PRIORITY part naming another stream is ignored.
  const other = Buffer.from([0, 0, 0, 1, 15]);
  const again = Buffer.concat([c.encoder.encode([':method', 'GET', ':scheme', 'http', ':path', '/']), Buffer.from([0xbe])]);
  c.write(frame(FrameType.HEADERS, Flag.PRIORITY | Flag.END_STREAM | Flag.END_HEADERS, 3, Buffer.concat([other, again])));
  assert.equal((await c.headers(3))[1], '200');
  c.close();
});
