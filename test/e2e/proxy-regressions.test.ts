// End-to-end regressions of the proxy path: backpressure and pooling, request framing, upgrades.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { startBackend, type Backend } from '../helpers/backend.js';
import { spawnGateway, type GatewayProcess } from '../helpers/gateway.js';
import { request } from '../helpers/http.js';

describe('proxy backpressure', () => {
  let chunky: net.Server;
  let chunkyAddress = '';
  let slow: Backend;
  let gw: GatewayProcess;

  before(async () => {
    // Answers every request with a 32 KiB chunked body, head to terminator in one write.
    chunky = net.createServer((s) => {
      s.on('error', () => {});
      s.on('data', () => {
        const chunk = 'x'.repeat(1024);
        let body = '';
        for (let i = 0; i < 32; i++) body += '400\r\n' + chunk + '\r\n';
        s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' + body + '0\r\n\r\n');
      });
    });
    await new Promise<void>((r) => chunky.listen(0, '127.0.0.21', () => r()));
    chunkyAddress = `127.0.0.21:${(chunky.address() as AddressInfo).port}`;
    slow = await startBackend({
      name: 'slow',
      host: '127.0.0.22',
      handler: (_req, res) => void setTimeout(() => res.end('slow'), 300),
    });
    gw = await spawnGateway({
      config: {
        _format_version: '3.0',
        services: [
          { name: 'chunky', host: 'up-chunky', read_timeout: 2000, retries: 0, routes: [{ name: 'chunky', paths: ['/chunky'] }] },
          { name: 'slow', host: 'up-slow', routes: [{ name: 'slow', paths: ['/slow'] }] },
        ],
        upstreams: [
          { name: 'up-chunky', targets: [{ target: chunkyAddress }] },
          { name: 'up-slow', targets: [{ target: slow.address }] },
        ],
      },
    });
  });

  after(async () => {
    await gw?.stop();
    chunky?.close();
    await slow?.close();
  });

  test('a response that ended while the client was behind leaves a usable pooled connection', async () => {
    // Pipelined: the /chunky response waits behind /slow, so the proxy's writes to it report a
    // full buffer and the upstream socket is paused just before the response ends.
    const client = net.connect({ host: gw.proxy.host, port: gw.proxy.port });
    let received = '';
    client.setEncoding('latin1');
    client.on('data', (d: string) => (received += d));
    client.write(
      'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n' +
        'GET /chunky HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('pipelined responses did not finish')), 5000);
      client.on('close', () => (clearTimeout(timer), resolve()));
    });
    assert.match(received, /slow/);
    assert.match(received, /0\r\n\r\n$/);
    // The next request to the same upstream reuses that connection.
    const next = await request(`${gw.proxyUrl}/chunky`);
    assert.equal(next.status, 200);
    assert.equal(next.body.length, 32 * 1024);
    // One paused stretch waits for one 'drain', however many chunks arrived meanwhile.
    assert.doesNotMatch(gw.output(), /MaxListenersExceeded/);
  });
});

describe('proxy request framing', () => {
  let echo: Backend;
  let gw: GatewayProcess;

  before(async () => {
    echo = await startBackend({ name: 'echo', host: '127.0.0.23' });
    gw = await spawnGateway({
      config: {
        _format_version: '3.0',
        services: [{
          name: 'echo', host: 'up-echo',
          routes: [
            { name: 'echo', paths: ['/echo'] },
            // A RequestHeaderModifier that sets a framing header must not change the framing.
            { name: 'modified', paths: ['/modified'], plugins: [{ name: 'request-transformer', config: { replace: { headers: ['Content-Length:0'] } } }] },
          ],
        }],
        upstreams: [{ name: 'up-echo', targets: [{ target: echo.address }] }],
      },
    });
  });

  after(async () => {
    await gw?.stop();
    await echo?.close();
  });

  test('Connection: Content-Length does not strip the body framing (no smuggled request)', async () => {
    const smuggled = 'GET /echo/smuggled HTTP/1.1\r\nHost: x\r\n\r\n';
    const before = echo.requests;
    const client = net.connect({ host: gw.proxy.host, port: gw.proxy.port });
    let received = '';
    client.setEncoding('latin1');
    client.on('data', (d: string) => (received += d));
    client.on('error', () => {});
    client.write(
      `POST /echo/upload HTTP/1.1\r\nHost: x\r\nConnection: close, Content-Length\r\nContent-Length: ${smuggled.length}\r\n\r\n` + smuggled,
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer')), 5000);
      client.on('close', () => (clearTimeout(timer), resolve()));
    });
    await new Promise((r) => setTimeout(r, 200));
    assert.match(received, /^HTTP\/1\.1 200/);
    assert.match(received, new RegExp(`"bodyBytes":${smuggled.length}`));
    assert.equal(echo.requests - before, 1);
  });
  test('a header modifier setting Content-Length does not change the body framing', async () => {
    const body = 'GET /echo/smuggled HTTP/1.1\r\nHost: x\r\n\r\n';
    const before = echo.requests;
    const res = await request(`${gw.proxyUrl}/modified`, { method: 'POST', body });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(res.status, 200);
    assert.equal((JSON.parse(res.body) as { bodyBytes: number }).bodyBytes, body.length);
    assert.equal(echo.requests - before, 1);
  });
});

describe('proxy upgrade with route plugins', () => {
  let backend: Backend;
  let wss: WebSocketServer;
  let gw: GatewayProcess;

  before(async () => {
    backend = await startBackend({ name: 'ws', host: '127.0.0.24' });
    wss = new WebSocketServer({ server: backend.server });
    wss.on('connection', (socket, req) => socket.send(`${req.url} ${req.headers['x-added'] ?? '-'}`));
    gw = await spawnGateway({
      config: {
        _format_version: '3.0',
        services: [{
          name: 'ws', host: 'up-ws',
          routes: [{
            name: 'ws', paths: ['/public'], strip_path: false,
            plugins: [{ name: 'request-transformer', config: { add: { headers: ['X-Added:yes'] }, replace_prefix: { prefix: '/public', replacement: '/inner' } } }],
          }],
        }],
        upstreams: [{ name: 'up-ws', targets: [{ target: backend.address }] }],
      },
    });
  });

  after(async () => {
    await gw?.stop();
    wss?.close();
    await backend?.close();
  });

  test('a WebSocket upgrade gets the route\'s request-transformer (URLRewrite, header modifier)', async () => {
    const ws = new WebSocket(`ws://${gw.proxy.host}:${gw.proxy.port}/public/chat`);
    const first = await new Promise<string>((resolve, reject) => {
      ws.once('message', (d) => resolve(d.toString()));
      ws.once('error', reject);
    });
    ws.close();
    assert.equal(first, '/inner/chat yes');
  });

  test('an absolute-form upgrade request is routed by its path, as other requests are', async () => {
    const client = net.connect({ host: gw.proxy.host, port: gw.proxy.port });
    let received = '';
    client.setEncoding('latin1');
    client.on('error', () => {});
    const got = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no message; got ${JSON.stringify(received)}`)), 5000);
      client.on('data', (d: string) => {
        received += d;
        if (received.includes('/inner/') || /^HTTP\/1\.1 [45]/.test(received)) (clearTimeout(timer), resolve());
      });
    });
    client.write(
      `GET http://${gw.proxy.host}:${gw.proxy.port}/public/abs HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    await got;
    client.destroy();
    assert.match(received, /^HTTP\/1\.1 101/);
    assert.match(received, /\/inner\/abs yes/);
  });
});

describe('proxy slow client', () => {
  let big: Backend;
  let gw: GatewayProcess;
  const SIZE = 8 * 1024 * 1024;

  before(async () => {
    const body = Buffer.alloc(SIZE, 7);
    big = await startBackend({
      name: 'big',
      host: '127.0.0.23',
      handler: (_req, res) => {
        res.writeHead(200, { 'Content-Length': SIZE });
        res.end(body);
      },
    });
    gw = await spawnGateway({
      config: {
        _format_version: '3.0',
        services: [{ name: 'big', host: 'up-big', read_timeout: 300, write_timeout: 10_000, retries: 0, routes: [{ name: 'big', paths: ['/big'] }] }],
        upstreams: [{ name: 'up-big', targets: [{ target: big.address }] }],
      },
    });
  });

  after(async () => {
    await gw?.stop();
    await big?.close();
  });

  test('a client slower than read_timeout still gets the whole body (the upstream is not the slow one)', async () => {
    const client = net.connect({ host: gw.proxy.host, port: gw.proxy.port });
    client.write('GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    client.pause();
    // Not reading for longer than read_timeout: the proxy's buffers fill and it pauses the upstream.
    await new Promise((r) => setTimeout(r, 1200));
    let bytes = 0;
    const done = new Promise<void>((resolve, reject) => {
      client.on('data', (c: Buffer) => (bytes += c.length));
      client.on('end', () => resolve());
      client.on('error', reject);
      setTimeout(() => reject(new Error(`timed out after ${bytes} bytes`)), 15_000).unref();
    });
    client.resume();
    await done;
    assert.ok(bytes > SIZE, `got ${bytes} bytes, expected the ${SIZE}-byte body plus the head`);
  });
});
