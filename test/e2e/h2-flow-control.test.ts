// HTTP/2 flow control end to end: node's http2 client -> berth (h2c) -> an h2c upstream (Kong
// `protocol: grpc`), with bodies far larger than a stream window (65,535 bytes, RFC 9113 s6.9.2)
// and a reader that stops for a while on each side. berth must wait for the slow side (stream
// 'drain') and resume, never drop or reorder a byte: a response to a client that pauses, a request
// body to an upstream that pauses.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http2 from 'node:http2';
import type net from 'node:net';
import { Gateway } from '../../src/dataplane/gateway.js';
import { testHttp2Engine } from '../helpers/gateway.js';
import { loadSessionSecrets } from '../../src/dataplane/sticky/token.js';
import { createLogger } from '../../src/lib/log.js';

const STEP = { timeout: 30_000 };
const BIG = 4 * 1024 * 1024;
const PAUSE_MS = 300;
const pattern = (n: number): Buffer => {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >> 10)) & 0xff;
  return b;
};
const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let upstream: http2.Http2Server;
let gateway: Gateway;
let origin = '';
const payload = pattern(BIG);

/** The upstream: /download sends BIG bytes in 64 KiB writes; /upload reads nothing for PAUSE_MS, then answers with the body's digest. */
function onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
  stream.on('error', () => {});
  if (headers[':path'] === '/download') {
    stream.respond({ ':status': 200, 'content-type': 'application/octet-stream' });
    let at = 0;
    const pump = (): void => {
      while (at < BIG) {
        const chunk = payload.subarray(at, at + 65536);
        at += chunk.length;
        if (!stream.write(chunk)) return void stream.once('drain', pump);
      }
      stream.end();
    };
    stream.resume();
    return pump();
  }
  const chunks: Buffer[] = [];
  stream.pause();
  setTimeout(() => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      stream.respond({ ':status': 200, 'content-type': 'text/plain' });
      stream.end(`${body.length} ${digest(body)}`);
    });
    stream.resume();
  }, PAUSE_MS);
}

function request(path: string, body: Buffer | null, pauseMs: number): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const client = http2.connect(origin);
    client.on('error', reject);
    const req = client.request({ ':method': body === null ? 'GET' : 'POST', ':path': path, 'content-type': 'application/grpc' }, { endStream: body === null });
    const chunks: Buffer[] = [];
    let status = 0;
    req.on('response', (h) => {
      status = Number(h[':status']);
      // Take nothing for a while: berth's writes to us fill the window and its buffer.
      req.pause();
      setTimeout(() => req.resume(), pauseMs);
    });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      client.close();
      resolve({ status, body: Buffer.concat(chunks) });
    });
    req.on('error', reject);
    if (body !== null) req.end(body);
  });
}

describe('HTTP/2 flow control through berth', () => {
  before(async () => {
    upstream = http2.createServer();
    upstream.on('stream', onStream);
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    const port = (upstream.address() as net.AddressInfo).port;
    const { keyring } = loadSessionSecrets({ secret: 'test-secret-0123456789abcdef' });
    gateway = new Gateway({ http2Engine: testHttp2Engine(), proxyListen: { host: '127.0.0.1', port: 0 }, keyring, log: createLogger('silent'), shutdownTimeoutMs: 2000 });
    const r = gateway.apply({
      _format_version: '3.0',
      services: [
        { name: 'h2', host: 'up', protocol: 'grpc', routes: [{ name: 'h2', protocols: ['grpc'], paths: ['/'], strip_path: false }] },
        // write_timeout bounds how long berth waits for a client that takes nothing (nginx's send_timeout).
        { name: 'stuck', host: 'up', protocol: 'grpc', write_timeout: 300, routes: [{ name: 'stuck', protocols: ['grpc'], paths: ['/stuck'], strip_path: true }] },
      ],
      upstreams: [{ name: 'up', targets: [{ target: `127.0.0.1:${port}` }] }],
    });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.flat));
    await gateway.start();
    origin = `http://127.0.0.1:${gateway.proxyAddress().port}`;
  });

  after(async () => {
    await gateway?.stop();
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  test('a 4 MiB response reaches a client that stops reading for a while, whole and in order', STEP, async () => {
    const res = await request('/download', null, PAUSE_MS);
    assert.equal(res.status, 200);
    assert.equal(res.body.length, BIG);
    assert.equal(digest(res.body), digest(payload));
  });

  test('a 4 MiB request body reaches an upstream that stops reading for a while, whole and in order', STEP, async () => {
    const res = await request('/upload', payload, 0);
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), `${BIG} ${digest(payload)}`);
  });

  test('a client that stops reading for good is cut after write_timeout (RST_STREAM CANCEL), and the connection lives on', STEP, async () => {
    const client = http2.connect(origin);
    client.on('error', () => {});
    const started = Date.now();
    const stuck = client.request({ ':method': 'GET', ':path': '/stuck/download', 'content-type': 'application/grpc' }, { endStream: true });
    stuck.on('error', () => {});
    stuck.on('response', () => stuck.pause());
    const code = await new Promise<number>((resolve) => stuck.on('close', () => resolve(stuck.rstCode)));
    const waited = Date.now() - started;
    assert.equal(code, http2.constants.NGHTTP2_CANCEL);
    assert.ok(waited >= 250 && waited < 5000, `cut after ${waited} ms`);
    // Only that stream went: the same connection still carries a whole transfer.
    const next = client.request({ ':method': 'GET', ':path': '/download', 'content-type': 'application/grpc' }, { endStream: true });
    const chunks: Buffer[] = [];
    next.on('data', (c: Buffer) => chunks.push(c));
    await new Promise((r) => next.on('end', r));
    assert.equal(digest(Buffer.concat(chunks)), digest(payload));
    client.close();
  });

  test('several large transfers at once through the same upstream session keep their bytes apart', STEP, async () => {
    const results = await Promise.all([request('/download', null, PAUSE_MS), request('/upload', payload, 0), request('/download', null, 50)]);
    assert.equal(digest(results[0]!.body), digest(payload));
    assert.equal(results[1]!.body.toString(), `${BIG} ${digest(payload)}`);
    assert.equal(digest(results[2]!.body), digest(payload));
  });
});
