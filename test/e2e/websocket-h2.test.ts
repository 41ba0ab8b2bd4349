// End-to-end: WebSockets bootstrapped over HTTP/2 (RFC 8441) through berth to HTTP/1.1 WebSocket
// upstreams. The client is node's http2 (an extended CONNECT on an h2c connection) speaking
// RFC 6455 frames on the stream; the upstreams are the `ws` library's server (which checks the
// HTTP/1.1 handshake berth makes) and a raw socket that answers a forged 101. The RFC 8441 s5.1
// example request is the shape sent. Runs on berth's HTTP/2 and, in the .h2node twin, on node's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import http2 from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { WebSocketServer } from 'ws';
import { startBackend, type Backend } from '../helpers/backend.js';
import { ROOT, spawnGateway, type GatewayProcess } from '../helpers/gateway.js';

const STEP = { timeout: 30_000 };
const CHROMIUM = process.env['BERTH_CHROMIUM'] ?? '/usr/bin/chromium';
const fixture = (name: string): string => readFileSync(join(ROOT, 'test', 'fixtures', 'tls', name), 'utf8');
const COOKIE = 'wsid';

/** wsFrame: one masked client frame (RFC 6455 s5.2); opcode 1 text, 2 binary, 8 close. */
function wsFrame(payload: string | Buffer, opcode = 1): Buffer {
  const data = Buffer.from(payload);
  const mask = randomBytes(4);
  const masked = Buffer.from(data.map((b, i) => b ^ mask[i % 4]!));
  let length: Buffer;
  if (data.length < 126) length = Buffer.from([0x80 | data.length]);
  else {
    length = Buffer.alloc(9);
    length[0] = 0x80 | 127;
    length.writeBigUInt64BE(BigInt(data.length), 1);
  }
  return Buffer.concat([Buffer.from([0x80 | opcode]), length, mask, masked]);
}

/** ServerFrames: unmasked server frames read off a stream, as they arrive. */
class ServerFrames {
  private buffered = Buffer.alloc(0);
  private readonly frames: Array<{ opcode: number; payload: string }> = [];
  private waiter: (() => void) | null = null;

  constructor(stream: http2.ClientHttp2Stream) {
    stream.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 2) {
        assert.equal(this.buffered[1]! & 0x80, 0, 'server frames are not masked');
        let length = this.buffered[1]! & 0x7f;
        let at = 2;
        if (length === 126) {
          if (this.buffered.length < 4) break;
          length = this.buffered.readUInt16BE(2);
          at = 4;
        } else if (length === 127) {
          if (this.buffered.length < 10) break;
          length = Number(this.buffered.readBigUInt64BE(2));
          at = 10;
        }
        if (this.buffered.length < at + length) break;
        this.frames.push({ opcode: this.buffered[0]! & 0x0f, payload: this.buffered.subarray(at, at + length).toString('latin1') });
        this.buffered = this.buffered.subarray(at + length);
      }
      this.waiter?.();
    });
  }

  async next(): Promise<{ opcode: number; payload: string }> {
    const deadline = Date.now() + 10_000;
    while (this.frames.length === 0) {
      assert.ok(Date.now() < deadline, 'no WebSocket frame within 10 s');
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 200);
      });
    }
    return this.frames.shift()!;
  }
}

interface Opened {
  stream: http2.ClientHttp2Stream;
  headers: http2.IncomingHttpHeaders;
  frames: ServerFrames;
}

describe('WebSockets over HTTP/2 (RFC 8441)', () => {
  let backends: Backend[] = [];
  let servers: WebSocketServer[] = [];
  /** What each upstream's WebSocket server saw: its handshake's headers and its closes. */
  const handshakes: Array<{ backend: string; headers: Record<string, string | string[] | undefined>; method: string }> = [];
  const upstreamCloses: string[] = [];
  let forged: net.Server;
  let gw: GatewayProcess;
  let session: http2.ClientHttp2Session;
  let logFile: string;

  before(async () => {
    backends = await Promise.all(['A', 'B'].map((name, i) => startBackend({ name, host: `127.0.0.${91 + i}` })));
    servers = backends.map((backend) => {
      const wss = new WebSocketServer({ server: backend.server });
      wss.on('connection', (socket, req) => {
        handshakes.push({ backend: backend.name, headers: req.headers, method: req.method ?? '' });
        socket.on('message', (data) => {
          if (data.toString() === 'bye') return socket.close(1000, 'bye');
          socket.send(`${backend.name}:${data.toString()}`);
        });
        socket.on('close', () => upstreamCloses.push(backend.name));
      });
      return wss;
    });
    // An upstream that says 101 to anything, with an answer that fits no key.
    forged = net.createServer((socket) => {
      socket.once('data', () => socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: bm90IHRoZSBhbnN3ZXI=\r\n\r\n'));
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => forged.listen(0, '127.0.0.93', resolve));
    logFile = join(mkdtempSync(join(tmpdir(), 'berth-ws-h2-')), 'access.log');
    gw = await spawnGateway({
      tls: true,
      args: ['--access-log', logFile],
      config: {
        _format_version: '3.0',
        services: [
          { name: 'chat', host: 'up-chat', routes: [{ name: 'chat', paths: ['/chat'] }] },
          { name: 'forged', host: 'up-forged', routes: [{ name: 'forged', paths: ['/forged'] }] },
        ],
        upstreams: [
          {
            name: 'up-chat', algorithm: 'sticky-sessions', sticky_sessions_cookie: COOKIE,
            targets: backends.map((b) => ({ target: b.address, tags: [`berth.identity=${b.name}`] })),
          },
          { name: 'up-forged', targets: [{ target: `127.0.0.93:${(forged.address() as AddressInfo).port}` }] },
        ],
        certificates: [{ cert: fixture('a.crt'), key: fixture('a.key'), snis: ['a.example.test'] }],
      },
    });
    session = http2.connect(gw.proxyUrl);
    session.on('error', () => {});
    await new Promise<void>((resolve) => session.once('remoteSettings', () => resolve()));
  });

  after(async () => {
    session?.destroy();
    await gw?.stop();
    for (const s of servers) s.close();
    forged?.close();
    await Promise.all(backends.map((b) => b.close()));
  });

  /** open sends the RFC 8441 s5.1 example's extended CONNECT and waits for the answer's head. */
  async function open(path: string, extra: http2.OutgoingHttpHeaders = {}): Promise<Opened> {
    const stream = session.request({
      ':method': 'CONNECT', ':protocol': 'websocket', ':scheme': 'http', ':path': path,
      ':authority': `${gw.proxy.host}:${gw.proxy.port}`,
      'sec-websocket-protocol': 'chat, superchat', 'sec-websocket-version': '13', origin: 'http://www.example.com', ...extra,
    });
    stream.on('error', () => {});
    let frames: ServerFrames | null = null;
    const headers = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
      stream.once('response', (h) => {
        // Frames only on a tunnel: another answer's body is read as text (readBody).
        if (h[':status'] === 200) frames = new ServerFrames(stream);
        resolve(h);
      });
      stream.once('close', () => reject(new Error(`stream closed before its answer (code ${stream.rstCode})`)));
    });
    return { stream, headers, frames: frames! };
  }

  async function readBody(stream: http2.ClientHttp2Stream): Promise<string> {
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (c: string) => (body += c));
    await new Promise((resolve) => stream.once('end', resolve));
    return body;
  }

  /** logLines waits (bounded) until the access log holds a line with each of `paths`. */
  async function logLines(paths: string[]): Promise<Array<Record<string, unknown>>> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
      const lines = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
      if (paths.every((p) => lines.some((l) => l['path'] === p))) return lines;
      assert.ok(Date.now() < deadline, `the access log lacks a path of ${JSON.stringify(paths)}: ${text}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  test('berth advertises SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441 s3)', () => {
    assert.equal(session.remoteSettings.enableConnectProtocol, true);
  });

  test('a WebSocket on an h2 stream reaches the upstream as an HTTP/1.1 upgrade and echoes both ways', STEP, async () => {
    const { stream, headers, frames } = await open('/chat');
    assert.equal(headers[':status'], 200, 'RFC 8441 s5: 200, not 101');
    assert.equal(headers['sec-websocket-accept'], undefined, 'the HTTP/1.1 hop\'s handshake answer stays there');
    assert.match(String(headers['set-cookie']), new RegExp(`^${COOKIE}=[^;]+; Path=/; HttpOnly`));
    const seen = handshakes.at(-1)!;
    assert.equal(seen.method, 'GET');
    assert.equal(seen.headers['upgrade'], 'websocket');
    assert.equal(seen.headers['sec-websocket-version'], '13');
    assert.match(String(seen.headers['sec-websocket-key']), /^[A-Za-z0-9+/]{22}==$/);
    assert.equal(seen.headers['sec-websocket-protocol'], 'chat, superchat');
    assert.equal(seen.headers['origin'], 'http://www.example.com');
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
    for (const text of ['one', 'two', 'three']) {
      stream.write(wsFrame(text));
      assert.deepEqual(await frames.next(), { opcode: 1, payload: `${seen.backend}:${text}` });
    }
    // The upstream closes (a close frame, then its FIN): the client reads the frame, then END_STREAM.
    const ended = new Promise((resolve) => stream.once('end', resolve));
    stream.write(wsFrame('bye'));
    assert.equal((await frames.next()).opcode, 8);
    stream.end(wsFrame('', 8));
    await ended;
    await new Promise((resolve) => stream.once('close', resolve));
    assert.equal(stream.rstCode, http2.constants.NGHTTP2_NO_ERROR);
  });

  test('once the upstream closed, a client that does not end its side is told to stop without error (RFC 9113 s8.1)', STEP, async () => {
    // Chromium answers the upstream's close frame and END_STREAM with a close frame but no END_STREAM.
    const { stream, frames } = await open('/chat');
    const ended = new Promise((resolve) => stream.once('end', resolve));
    stream.write(wsFrame('bye'));
    assert.equal((await frames.next()).opcode, 8);
    stream.write(wsFrame('', 8));
    await ended;
    const closed = new Promise((resolve) => stream.once('close', resolve));
    const stuck = new Promise((resolve) => setTimeout(resolve, 5_000, 'stuck').unref());
    assert.notEqual(await Promise.race([closed, stuck]), 'stuck', 'the stream stayed open after the upstream closed');
    assert.equal(stream.rstCode, http2.constants.NGHTTP2_NO_ERROR);
  });

  test('a 4 MiB message goes up and its echo comes back whole, through both sides\' flow control', STEP, async () => {
    const { stream, frames } = await open('/chat');
    const message = randomBytes(4 << 20).toString('base64').slice(0, 4 << 20); // text: the echo is `${pod}:${message}`
    stream.write(wsFrame(message));
    const echo = await frames.next();
    assert.equal(echo.payload.length, message.length + 2);
    assert.equal(echo.payload.slice(2), message);
    stream.close();
  });

  test('the session cookie keeps a second WebSocket on the first one\'s pod', STEP, async () => {
    const first = await open('/chat');
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    const pod = handshakes.at(-1)!.backend;
    first.stream.close();
    for (let i = 0; i < 4; i++) {
      const again = await open('/chat', { cookie });
      assert.equal(again.headers['set-cookie'], undefined, 'a kept session gets no new cookie');
      again.stream.write(wsFrame('ping'));
      assert.deepEqual(await again.frames.next(), { opcode: 1, payload: `${pod}:ping` });
      again.stream.close();
    }
  });

  test('a client that resets its stream closes the upstream connection', STEP, async () => {
    const { stream, frames } = await open('/chat');
    stream.write(wsFrame('x'));
    await frames.next();
    const pod = handshakes.at(-1)!.backend;
    const closesBefore = upstreamCloses.filter((b) => b === pod).length;
    stream.close(http2.constants.NGHTTP2_CANCEL);
    const deadline = Date.now() + 5_000;
    while (upstreamCloses.filter((b) => b === pod).length === closesBefore) {
      assert.ok(Date.now() < deadline, 'the upstream WebSocket was not closed');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  test('an upstream whose 101 does not answer berth\'s key gets the client a 502, no tunnel', STEP, async () => {
    const { stream, headers } = await open('/forged');
    assert.equal(headers[':status'], 502);
    assert.match(await readBody(stream), /invalid response/);
  });

  test('an extended CONNECT for another protocol is answered 501 (RFC 9220 s3)', STEP, async () => {
    const stream = session.request({ ':method': 'CONNECT', ':protocol': 'connect-udp', ':scheme': 'http', ':path': '/chat', ':authority': 'example.test' });
    const headers = await new Promise<http2.IncomingHttpHeaders>((resolve) => stream.once('response', resolve));
    assert.equal(headers[':status'], 501);
    assert.match(await readBody(stream), /not supported/);
  });

  test('Chromium opens its WebSocket on the page\'s h2 connection (the log says 200, not 101)', { ...STEP, skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} not installed` }, async () => {
    const args = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--host-resolver-rules=MAP a.example.test 127.0.0.1'];
    const browser = await chromium.launch({ executablePath: CHROMIUM, args, timeout: 30_000 });
    try {
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      const page = await context.newPage();
      const origin = `https://a.example.test:${gw.tls!.port}`;
      const res = await page.goto(`${origin}/chat/page`);
      assert.equal(res?.status(), 200);
      const reply = await page.evaluate(async (url) => {
        const ws = new WebSocket(url);
        const message = await new Promise<string>((resolve, reject) => {
          ws.onopen = () => ws.send('from-chromium');
          ws.onmessage = (e) => resolve(String(e.data));
          ws.onerror = () => reject(new Error('WebSocket error'));
        });
        ws.close();
        return message;
      }, `wss://a.example.test:${gw.tls!.port}/chat/browser`);
      assert.match(reply, /^[AB]:from-chromium$/);
      const lines = await logLines(['/chat/browser']);
      const tunnel = lines.find((l) => l['path'] === '/chat/browser')!;
      assert.equal(tunnel['protocol'], 'websocket');
      assert.equal(tunnel['status'], 200, 'an RFC 8441 stream answers 200; an HTTP/1.1 upgrade would log 101');
    } finally {
      await browser.close();
    }
  });

  test('the access log has one line per tunnel: websocket, 200, the bytes each way', STEP, async () => {
    const lines = await logLines(['/chat', '/forged']);
    const first = lines.find((l) => l['route'] === 'chat')!;
    assert.equal(first['protocol'], 'websocket');
    assert.equal(first['method'], 'GET');
    assert.equal(first['status'], 200);
    assert.equal(first['path'], '/chat');
    assert.ok((first['bytes_in'] as number) > 0 && (first['bytes_out'] as number) > 0, JSON.stringify(first));
    assert.equal(first['error'], null);
    const refused = lines.find((l) => l['status'] === 501);
    assert.equal(refused?.['error'], 'UNSUPPORTED_PROTOCOL');
    const forgedLine = lines.find((l) => l['route'] === 'forged');
    assert.equal(forgedLine?.['status'], 502);
  });
});
