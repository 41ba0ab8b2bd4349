// The engine driven directly (in-process gateway, real sockets): each finished request or tunnel
// settles exactly once (in-flight counts, metrics, observer), whatever way it ends.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import type { Gateway } from '../gateway.js';
import type { FinishedRequest } from './observer.js';
import { startGateway } from '../../../test/helpers/inprocess.js';
import { rawRequest, startRawBackend, type RawBackend } from '../../../test/helpers/raw.js';

/** Seen: a copy of what the observer was shown (the view is only valid during the call). */
type Seen = Omit<FinishedRequest, never>;

function copy(r: FinishedRequest): Seen {
  const out: Record<string, unknown> = {};
  for (const key of [
    'startTime', 'clientAddress', 'method', 'host', 'path', 'protocol', 'status', 'bytesIn', 'bytesOut', 'totalLatencyMs',
    'upstreamLatencyMs', 'routeName', 'serviceName', 'upstreamName', 'targetAddress', 'targetIdentity', 'sticky', 'retries', 'errorCode',
  ] as const) out[key] = r[key];
  return out as unknown as Seen;
}

describe('Attempt: one settle per request', () => {
  let ok: RawBackend;
  let upgrader: RawBackend;
  let slow: RawBackend;
  let refused: string;
  let wss: WebSocketServer;
  let wsAddress: string;
  let gw: Gateway;
  const seen: Seen[] = [];

  before(async () => {
    ok = await startRawBackend('127.0.0.31', (s, soFar) => {
      if (soFar.endsWith('\r\n\r\nhello') || (soFar.endsWith('\r\n\r\n') && !soFar.includes('Content-Length'))) {
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfine!');
      }
    });
    // Answers an Upgrade request with a plain 200 (it does not speak the protocol asked for).
    upgrader = await startRawBackend('127.0.0.32', (s, soFar) => {
      if (soFar.includes('\r\n\r\n') && !soFar.includes('answered')) s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno');
    });
    slow = await startRawBackend('127.0.0.33', (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial'));
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.34', () => r()));
    refused = `127.0.0.34:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((r) => closed.close(() => r()));
    wss = new WebSocketServer({ host: '127.0.0.35', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    wsAddress = `127.0.0.35:${(wss.address() as AddressInfo).port}`;
    wss.on('connection', (sock) => sock.on('message', (m) => sock.send('echo:' + m.toString())));
    gw = await startGateway({
      _format_version: '3.0',
      services: [
        { name: 'svc-ok', host: 'up-ok', retries: 1, routes: [{ name: 'r-ok', paths: ['/ok'] }] },
        { name: 'svc-up', host: 'up-upgrader', routes: [{ name: 'r-up', paths: ['/up'] }] },
        { name: 'svc-slow', host: 'up-slow', routes: [{ name: 'r-slow', paths: ['/slow'] }] },
        { name: 'svc-ws', host: 'up-ws', routes: [{ name: 'r-ws', paths: ['/ws'] }] },
      ],
      upstreams: [
        // round-robin from a fixed start: the refused target is tried first at most once per request
        { name: 'up-ok', targets: [{ target: refused }, { target: ok.address, tags: ['berth.identity=pod-ok'] }] },
        { name: 'up-upgrader', targets: [{ target: upgrader.address }] },
        { name: 'up-slow', targets: [{ target: slow.address }] },
        { name: 'up-ws', targets: [{ target: wsAddress }] },
      ],
    });
    gw.observe({ onRequestEnd: (r) => seen.push(copy(r)) });
  });

  after(async () => {
    await gw.stop();
    await Promise.all([ok.close(), upgrader.close(), slow.close()]);
    wss.close();
  });

  const proxy = (): { host: string; port: number } => gw.proxyAddress();
  const inFlight = (upstream: string): number[] => gw.runtime.upstreams.get(upstream)!.targets.map((t) => t.inFlight);
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

  test('a request that needed a retry settles once: in-flight back to 0 on both targets, one observation', async () => {
    seen.length = 0;
    for (let i = 0; i < 2; i++) {
      const reply = await rawRequest(proxy(), 'POST /ok/x?q=1 HTTP/1.1\r\nHost: Example.COM:8000\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
      assert.match(reply.text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nfine!$/);
    }
    await settle();
    assert.deepEqual(inFlight('up-ok'), [0, 0]);
    assert.equal(seen.length, 2);
    const retried = seen.find((s) => s.retries === 1)!;
    assert.ok(retried, 'one of the two requests was retried after the refused target');
    assert.equal(retried.status, 200);
    assert.equal(retried.method, 'POST');
    assert.equal(retried.host, 'example.com');
    assert.equal(retried.path, '/ok/x');
    assert.equal(retried.protocol, 'http/1.1');
    assert.equal(retried.clientAddress, '127.0.0.1');
    assert.equal(retried.bytesIn, 5);
    assert.equal(retried.bytesOut, 5);
    assert.equal(retried.routeName, 'r-ok');
    assert.equal(retried.serviceName, 'svc-ok');
    assert.equal(retried.upstreamName, 'up-ok');
    assert.equal(retried.targetAddress, ok.address);
    assert.equal(retried.targetIdentity, 'pod-ok');
    assert.equal(retried.sticky, 'none');
    assert.equal(retried.errorCode, null);
    assert.ok(retried.upstreamLatencyMs >= 0 && retried.upstreamLatencyMs <= retried.totalLatencyMs);
    assert.ok(Math.abs(retried.startTime - Date.now()) < 5000);
    const metrics = await gw.metrics.render();
    assert.match(metrics, new RegExp(`berth_requests_total\\{upstream="up-ok",target="${ok.address}",status="200"\\} 2`));
  });

  test('a client that leaves mid-response settles once with CLIENT_GONE; in-flight back to 0', async () => {
    seen.length = 0;
    const reply = await rawRequest(proxy(), 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n', { until: /partial/, reset: true });
    assert.match(reply.text, /partial$/);
    await settle();
    assert.deepEqual(inFlight('up-slow'), [0]);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.errorCode, 'CLIENT_GONE');
    assert.equal(seen[0]!.status, 200);
  });

  test('an answer the proxy makes itself (404) is observed with its error code', async () => {
    seen.length = 0;
    const reply = await rawRequest(proxy(), 'GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(reply.text, /^HTTP\/1\.1 404 /);
    await settle();
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.status, 404);
    assert.equal(seen[0]!.errorCode, 'NO_ROUTE');
    assert.equal(seen[0]!.routeName, null);
  });

  // Finding 1 of issue 9: the tunnel opened before the backend said 101, so a second request on
  // the same connection reached the backend raw (no routing, plugins or header rewriting).
  test('an Upgrade the backend does not accept is a plain response; nothing after it reaches the backend raw', async () => {
    seen.length = 0;
    upgrader.received.length = 0;
    const smuggled = 'GET /admin/secret HTTP/1.1\r\nHost: internal\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n';
    const reply = await rawRequest(proxy(), [
      'GET /up HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: anything\r\n\r\n',
      smuggled,
    ], { gapMs: 100 });
    assert.match(reply.text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(reply.text, /\r\nConnection: close\r\n/i);
    assert.match(reply.text, /\r\n\r\nno$/);
    assert.ok(reply.closed);
    await settle();
    assert.equal(upgrader.received.length, 1);
    const got = upgrader.received[0]!;
    assert.match(got, /^GET \/ HTTP\/1\.1\r\n/); // strip_path
    assert.match(got, /\r\nConnection: Upgrade\r\nUpgrade: anything\r\n/);
    assert.ok(got.endsWith('\r\n\r\n'), 'the backend received exactly one request head');
    assert.equal(got.indexOf('\r\n\r\n'), got.length - 4);
    assert.ok(!got.includes('/admin/secret'));
    assert.deepEqual(inFlight('up-upgrader'), [0]);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.status, 200);
    assert.equal(seen[0]!.protocol, 'http/1.1');
  });

  test('a WebSocket tunnel counts in-flight while open and settles once as ws/101 when it closes', async () => {
    seen.length = 0;
    const ws = new WebSocket(`ws://127.0.0.1:${proxy().port}/ws/chat`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const reply = new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
    ws.send('hi');
    assert.equal(await reply, 'echo:hi');
    assert.deepEqual(inFlight('up-ws'), [1]);
    assert.equal(seen.length, 0);
    ws.close();
    await new Promise((resolve) => ws.once('close', resolve));
    await settle();
    assert.deepEqual(inFlight('up-ws'), [0]);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.protocol, 'ws');
    assert.equal(seen[0]!.status, 101);
    assert.ok(seen[0]!.bytesIn > 0 && seen[0]!.bytesOut > 0);
    assert.equal(gw.pools.openConnections(wsAddress), 0);
  });
});
