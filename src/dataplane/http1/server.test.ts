// The lean HTTP/1.1 front end (issue 12) keeps what node's http.Server did for berth's clients:
// pipelined answers in order, HTTP/1.0 and keep-alive rules, Expect, Host, refusals with their
// status, half-closed clients, chunked framing of unframed answers, HEAD without a body.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { Gateway } from '../gateway.js';
import type { H1Server } from './server.js';
import { startGateway } from '../../../test/helpers/inprocess.js';
import { rawRequest, startRawBackend, type RawBackend } from '../../../test/helpers/raw.js';

/** The backend answers GET /close-delimited without a length (HTTP/1.0 style), everything else with one. */
function answer(head: string): string {
  const path = /^[A-Z]+ (\S+)/.exec(head)?.[1] ?? '';
  if (path === '/unframed') return 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nno-length-body';
  const body = 'echo ' + path;
  return `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\n\r\n${body}`;
}

describe('HTTP/1.1 front end', () => {
  let backend: RawBackend;
  let gw: Gateway;

  before(async () => {
    backend = await startRawBackend('127.0.0.91', (socket, soFar) => {
      const done = (socket as unknown as { done?: number }).done ?? 0;
      const heads = soFar.split('\r\n\r\n');
      for (let i = done; i < heads.length - 1; i++) {
        const head = heads[i]!.replace(/^[^A-Z]*/, '');
        socket.write(answer(head));
        if (head.includes('/unframed')) socket.end();
      }
      (socket as unknown as { done?: number }).done = heads.length - 1;
    });
    gw = await startGateway({
      _format_version: '3.0',
      services: [{ name: 's', host: 'up', retries: 0, routes: [{ name: 'r', paths: ['/'], strip_path: false }] }],
      upstreams: [{ name: 'up', targets: [{ target: backend.address }] }],
    });
  });

  after(async () => {
    await gw.stop();
    await backend.close();
  });

  test('pipelined requests are answered in order, on one connection', async () => {
    const wire = 'GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    const reply = await rawRequest(gw.proxyAddress(), wire);
    const bodies = [...reply.text.matchAll(/echo (\/\w)/g)].map((m) => m[1]);
    assert.deepEqual(bodies, ['/a', '/b', '/c']);
    assert.match(reply.text, /Keep-Alive: timeout=75\r\n/);
    assert.ok(reply.closed);
  });

  test('an answer without a length is chunked for HTTP/1.1 and close-delimited for HTTP/1.0', async () => {
    const v11 = await rawRequest(gw.proxyAddress(), 'GET /unframed HTTP/1.1\r\nHost: x\r\n\r\n', { until: /0\r\n\r\n$/ });
    assert.match(v11.text, /^HTTP\/1\.1 200 OK\r\n[^]*Transfer-Encoding: chunked\r\n\r\n[^]*no-length-body\r\n0\r\n\r\n$/);
    const v10 = await rawRequest(gw.proxyAddress(), 'GET /unframed HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    assert.match(v10.text, /^HTTP\/1\.1 200 OK\r\n[^]*Connection: close\r\n\r\nno-length-body$/);
    assert.doesNotMatch(v10.text, /chunked/);
    assert.ok(v10.closed);
  });

  test('HTTP/1.0 keeps the connection only when asked; a proxy-made answer carries a Date', async () => {
    const kept = await rawRequest(gw.proxyAddress(), 'GET /k HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', { timeoutMs: 500 });
    assert.match(kept.text, /Connection: keep-alive\r\n/);
    assert.equal(kept.closed, false);
    const closed = await rawRequest(gw.proxyAddress(), 'GET /k HTTP/1.0\r\n\r\n');
    assert.match(closed.text, /Connection: close\r\n/);
    assert.ok(closed.closed);
    const missing = await rawRequest(gw.proxyAddress(), 'GET /nowhere HTTP/1.1\r\nHost: unknown.test\r\n\r\n', { timeoutMs: 500 });
    assert.match(missing.text, /\r\nDate: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\r\n/);
  });

  test('HEAD answers carry the head only', async () => {
    const reply = await rawRequest(gw.proxyAddress(), 'HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(reply.text, /^HTTP\/1\.1 200 OK\r\n[^]*Content-Length: 7\r\n[^]*\r\n\r\nHTTP\/1\.1 200 OK\r\n[^]*echo \/after$/);
  });

  test('refusals: 505 for HTTP/2.0 and 0.9 request lines, 431 for a head over 16 KiB, 400 without Host', async () => {
    for (const [wire, status] of [
      ['GET / HTTP/2.0\r\nHost: x\r\n\r\n', 505],
      ['GET /\r\n\r\n', 505],
      [`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17000)}\r\n\r\n`, 431],
      ['GET / HTTP/1.1\r\n\r\n', 400],
      ['GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n', 400],
    ] as const) {
      const reply = await rawRequest(gw.proxyAddress(), wire);
      assert.match(reply.text, new RegExp(`^HTTP/1\\.1 ${status} `), JSON.stringify(wire));
      assert.match(reply.text, /Connection: close\r\n/);
      assert.ok(reply.closed);
      assert.equal(reply.error, null);
    }
  });

  test('Expect: 100-continue gets 100 Continue before the answer; another expectation gets 417', async () => {
    const cont = await rawRequest(gw.proxyAddress(), 'POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi');
    assert.match(cont.text, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n[^]*echo \/e$/);
    const other = await rawRequest(gw.proxyAddress(), 'GET /e HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nConnection: close\r\n\r\n');
    assert.match(other.text, /^HTTP\/1\.1 417 Expectation Failed\r\n/);
  });

  test('a client that half-closes after its requests still gets every answer', async () => {
    const reply = await rawRequest(gw.proxyAddress(), 'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n', { halfClose: true });
    assert.deepEqual([...reply.text.matchAll(/echo (\/\d)/g)].map((m) => m[1]), ['/1', '/2']);
    assert.ok(reply.closed);
    assert.equal(reply.error, null);
  });

  test('a request head sent in one-byte pieces is parsed like a whole one', async () => {
    const wire = 'GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    const reply = await rawRequest(gw.proxyAddress(), wire.split(''), { gapMs: 1 });
    assert.match(reply.text, /echo \/slow$/);
  });

  test('CONNECT is not tunnelled: the connection is dropped, as before', async () => {
    const reply = await rawRequest(gw.proxyAddress(), 'CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n');
    assert.equal(reply.text, '');
    assert.ok(reply.closed);
  });

  test('requests are counted for GET /status', async () => {
    const before = (await gw.stats()).requests;
    await rawRequest(gw.proxyAddress(), 'GET /n HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal((await gw.stats()).requests, before + 1);
  });

  test('a head not complete within 60 s gets 408; a keep-alive connection idle for 75 s is closed', async () => {
    // The servers' clock is driven by hand here instead of waiting a minute.
    const server = (gw as unknown as { proxy: { servers: H1Server[] } }).proxy.servers[0]!;
    const a = gw.proxyAddress();
    const slow = net.connect(a.port, a.host);
    const idle = net.connect(a.port, a.host);
    let slowText = '';
    let idleText = '';
    slow.on('data', (d: Buffer) => (slowText += d.toString('latin1')));
    idle.on('data', (d: Buffer) => (idleText += d.toString('latin1')));
    const closed = (s: net.Socket): Promise<void> => new Promise((r) => s.once('close', () => r()));
    const slowClosed = closed(slow);
    const idleClosed = closed(idle);
    slow.write('GET /slow HTTP/1.1\r\nHost: x\r\n');
    idle.write('GET /idle HTTP/1.1\r\nHost: x\r\n\r\n');
    for (let i = 0; i < 100 && !idleText.includes('echo /idle'); i++) await new Promise((r) => setTimeout(r, 10));
    const start = Date.now();
    server.tick(start + 30_000);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(slow.destroyed || slowText !== '', false, 'nothing happens before the limits');
    server.tick(start + 61_000);
    await slowClosed;
    assert.match(slowText, /^HTTP\/1\.1 408 Request Timeout\r\n[^]*Connection: close\r\n/);
    assert.equal(idle.destroyed, false, 'a keep-alive connection idle for 61 s stays');
    server.tick(start + 76_000);
    await idleClosed;
    server.tick();
    idle.destroy();
    slow.destroy();
  });
});
