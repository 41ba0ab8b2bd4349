// Issue 9 finding 4: upgrades run the same engine as requests: timeouts before and after the 101,
// the redirect plugin, Kong's 426 with its own status text, passive health, request metrics.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Gateway } from '../gateway.js';
import { startGateway } from '../../../test/helpers/inprocess.js';
import { rawRequest, startRawBackend, type RawBackend } from '../../../test/helpers/raw.js';

const UPGRADE = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`;

describe('upgrades on the attempt path (issue 9 finding 4)', () => {
  let silent: RawBackend;
  let accepting: RawBackend;
  let refused: string;
  let gw: Gateway;

  before(async () => {
    silent = await startRawBackend('127.0.0.51', () => {});
    // Says 101, then never sends another byte.
    accepting = await startRawBackend('127.0.0.52', (s, soFar) => {
      if (soFar.includes('\r\n\r\n') && !s.readableEnded) s.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    });
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.53', () => r()));
    refused = `127.0.0.53:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((r) => closed.close(() => r()));
    gw = await startGateway({
      _format_version: '3.0',
      services: [
        { name: 'silent', host: 'up-silent', read_timeout: 300, retries: 0, routes: [{ name: 'silent', paths: ['/silent'] }] },
        { name: 'idle', host: 'up-idle', read_timeout: 300, routes: [{ name: 'idle', paths: ['/idle'] }] },
        { name: 'refused', host: 'up-refused', retries: 0, routes: [{ name: 'refused', paths: ['/refused'] }] },
        { name: 'secure', host: 'up-idle', routes: [{ name: 'secure', paths: ['/secure'], protocols: ['https'] }] },
        {
          name: 'moved', host: 'up-idle',
          routes: [{ name: 'moved', paths: ['/moved'], plugins: [{ name: 'redirect', config: { location: 'https://example.test/new', status_code: 302 } }] }],
        },
      ],
      upstreams: [
        { name: 'up-silent', targets: [{ target: silent.address }] },
        { name: 'up-idle', targets: [{ target: accepting.address }] },
        {
          name: 'up-refused', targets: [{ target: refused }],
          healthchecks: { passive: { unhealthy: { tcp_failures: 1 } } },
        },
      ],
    });
  });

  after(async () => {
    await gw.stop();
    await Promise.all([silent.close(), accepting.close()]);
  });

  test('an upstream that never answers the upgrade: 504 after read_timeout, not a hung client', async () => {
    const started = Date.now();
    const reply = await rawRequest(gw.proxyAddress(), UPGRADE('/silent'), { timeoutMs: 3000 });
    assert.match(reply.text, /^HTTP\/1\.1 504 Gateway Timeout\r\n/);
    assert.ok(reply.closed, 'the connection closes after the answer');
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  });

  test('a tunnel the upstream stops talking on closes after read_timeout', async () => {
    const started = Date.now();
    const reply = await rawRequest(gw.proxyAddress(), UPGRADE('/idle'), { timeoutMs: 3000 });
    assert.match(reply.text, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.ok(reply.closed, 'the idle tunnel was closed');
    const took = Date.now() - started;
    assert.ok(took >= 250 && took < 2000, `took ${took} ms`);
    const metrics = await gw.metrics.render();
    assert.match(metrics, new RegExp(`berth_requests_total\\{upstream="up-idle",target="${accepting.address}",status="101"\\} 1`));
  });

  test('an https-only route answers a plain upgrade with 426 Upgrade Required (was labelled Bad Gateway)', async () => {
    const reply = await rawRequest(gw.proxyAddress(), UPGRADE('/secure'));
    assert.match(reply.text, /^HTTP\/1\.1 426 Upgrade Required\r\n/);
    assert.match(reply.text, /\{"message":"Please use HTTPS protocol"\}\n$/);
  });

  test('the redirect plugin answers upgrades too', async () => {
    const reply = await rawRequest(gw.proxyAddress(), UPGRADE('/moved'));
    assert.match(reply.text, /^HTTP\/1\.1 302 Found\r\n/);
    assert.match(reply.text, /\r\nLocation: https:\/\/example\.test\/new\r\n/);
  });

  test('a refused upgrade dial counts for passive health like any request', async () => {
    const reply = await rawRequest(gw.proxyAddress(), UPGRADE('/refused'));
    assert.match(reply.text, /^HTTP\/1\.1 502 Bad Gateway\r\n/);
    const target = gw.runtime.upstreams.get('up-refused')!.targets[0]!;
    assert.equal(target.healthy, false);
    assert.equal(target.inFlight, 0);
  });
});
