// End-to-end: WebSocket passthrough, the TLS listener with SNI, start-up and SIGTERM behaviour.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { WebSocket, WebSocketServer } from 'ws';
import { startBackend, type Backend } from '../helpers/backend.js';
import { ROOT, runGateway, spawnGateway, writeConfig, type GatewayProcess } from '../helpers/gateway.js';
import { json, request } from '../helpers/http.js';

const fixture = (name: string): string => readFileSync(join(ROOT, 'test', 'fixtures', 'tls', name), 'utf8');

describe('gateway websocket', () => {
  let backend: Backend;
  let wss: WebSocketServer;
  let gw: GatewayProcess;

  before(async () => {
    backend = await startBackend({ name: 'ws', host: '127.0.0.8' });
    wss = new WebSocketServer({ server: backend.server });
    wss.on('connection', (socket, req) => {
      socket.on('message', (data) => socket.send(`echo:${data.toString()}:${req.headers['x-forwarded-for']}`));
    });
    gw = await spawnGateway({
      config: {
        _format_version: '3.0',
        services: [
          { name: 'ws', host: 'up-ws', routes: [{ name: 'ws', paths: ['/ws'] }] },
          { name: 'ws-sticky', host: 'up-ws-sticky', routes: [{ name: 'ws-sticky', paths: ['/sticky-ws'] }] },
        ],
        upstreams: [
          { name: 'up-ws', targets: [{ target: backend.address }] },
          { name: 'up-ws-sticky', algorithm: 'sticky-sessions', sticky_sessions_cookie: 'wsid', targets: [{ target: backend.address }] },
        ],
      },
    });
  });

  after(async () => {
    await gw?.stop();
    wss?.close();
    await backend?.close();
  });

  test('a WebSocket is piped through and counted as an open connection of its target', async () => {
    const ws = new WebSocket(`ws://${gw.proxy.host}:${gw.proxy.port}/ws/chat`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const replies: string[] = [];
    for (const msg of ['one', 'two']) {
      const reply = new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
      ws.send(msg);
      replies.push(await reply);
    }
    assert.deepEqual(replies, ['echo:one:127.0.0.1', 'echo:two:127.0.0.1']);
    const health = await json<{ data: Array<{ open_connections: number; in_flight: number }> }>(`${gw.adminUrl}/upstreams/up-ws/health`);
    assert.equal(health.body.data[0]!.open_connections, 1);
    assert.equal(health.body.data[0]!.in_flight, 1);
    ws.close();
    await new Promise((resolve) => ws.once('close', resolve));
  });

  test('a WebSocket to a sticky upstream gets its session cookie on the 101 answer', async () => {
    const ws = new WebSocket(`ws://${gw.proxy.host}:${gw.proxy.port}/sticky-ws`);
    const opened = new Promise((resolve) => ws.once('open', resolve));
    const headers = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
      ws.once('upgrade', (res) => resolve(res.headers));
      ws.once('error', reject);
    });
    await opened;
    assert.match(String(headers['set-cookie']), /^wsid=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
    const reply = new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
    ws.send('hi');
    assert.equal(await reply, 'echo:hi:127.0.0.1');
    ws.close();
    await new Promise((resolve) => ws.once('close', resolve));
  });

  test('removing a target closes its idle pooled connections at once; its WebSocket lives on', async () => {
    const other = await startBackend({ name: 'other', host: '127.0.0.15' });
    try {
      // The upgrade is dialed through the pool like any request; the plain request after it needs a
      // second connection, which then stays idle in the pool.
      const ws = new WebSocket(`ws://${gw.proxy.host}:${gw.proxy.port}/ws/chat`);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      assert.equal((await request(`${gw.proxyUrl}/ws/plain`)).status, 200);
      const connections = (): Promise<number> => new Promise((r) => backend.server.getConnections((_e, n) => r(n)));
      assert.equal(await connections(), 2);
      const next = {
        _format_version: '3.0',
        services: [{ name: 'ws', host: 'up-ws', routes: [{ name: 'ws', paths: ['/ws'] }] }],
        upstreams: [{ name: 'up-ws', targets: [{ target: other.address }] }],
      };
      assert.equal((await request(`${gw.adminUrl}/config`, { method: 'POST', body: JSON.stringify(next) })).status, 201);
      const deadline = Date.now() + 3000;
      while ((await connections()) > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(await connections(), 1, 'the idle pooled connection was not closed');
      const reply = new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
      ws.send('still');
      assert.equal(await reply, 'echo:still:127.0.0.1');
      ws.close();
      const res = await json<{ backend: string }>(`${gw.proxyUrl}/ws/plain`);
      assert.equal(res.body.backend, 'other');
    } finally {
      await other.close();
    }
  });

  test('an upgrade with no route gets a 404 on the raw socket', async () => {
    const ws = new WebSocket(`ws://${gw.proxy.host}:${gw.proxy.port}/nope`);
    const status = await new Promise<number>((resolve) => ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    assert.equal(status, 404);
  });
});

describe('gateway TLS listener', () => {
  let backend: Backend;
  let secure: https.Server;
  let gw: GatewayProcess;

  before(async () => {
    backend = await startBackend({ name: 'tls-b', host: '127.0.0.9' });
    secure = https.createServer({ cert: fixture('a.crt'), key: fixture('a.key') }, (req, res) => res.end(`secure ${req.url}`));
    await new Promise<void>((r) => secure.listen(0, '127.0.0.16', () => r()));
    gw = await spawnGateway({
      tls: true,
      config: {
        _format_version: '3.0',
        services: [
          { name: 's', host: backend.host, port: backend.port, routes: [{ name: 'r', paths: ['/'] }] },
          {
            name: 'up-tls',
            protocol: 'https',
            host: '127.0.0.16',
            port: (secure.address() as AddressInfo).port,
            routes: [{ name: 'up-tls', paths: ['/secure'] }],
          },
        ],
        certificates: [
          { cert: fixture('a.crt'), key: fixture('a.key'), snis: ['a.example.test'] },
          { cert: fixture('wild.crt'), key: fixture('wild.key'), snis: [{ name: '*.wild.test' }] },
        ],
      },
    });
  });

  after(async () => {
    await gw?.stop();
    await backend?.close();
    secure?.close();
  });

  function peerName(servername: string | undefined): Promise<string> {
    return new Promise((resolve, reject) => {
      const s = tls.connect({ host: gw.tls!.host, port: gw.tls!.port, servername, rejectUnauthorized: false }, () => {
        resolve(String(s.getPeerCertificate().subject.CN));
        s.end();
      });
      s.on('error', reject);
    });
  }

  test('SNI picks the exact name, then the wildcard, else the first certificate', async () => {
    assert.equal(await peerName('a.example.test'), 'a.example.test');
    assert.equal(await peerName('x.wild.test'), '*.wild.test');
    assert.equal(await peerName('other.test'), 'a.example.test');
    assert.equal(await peerName(undefined), 'a.example.test');
  });

  test('requests over TLS are proxied with X-Forwarded-Proto https', async () => {
    const res = await request(`https://${gw.tls!.host}:${gw.tls!.port}/hello`, { servername: 'a.example.test', ca: fixture('a.crt') });
    assert.equal(res.status, 200);
    const echo = JSON.parse(res.body) as { headers: Record<string, string> };
    assert.equal(echo.headers['x-forwarded-proto'], 'https');
  });

  test('a service with protocol https is reached over TLS', async () => {
    const res = await request(`${gw.proxyUrl}/secure/x`);
    assert.equal(res.status, 200);
    assert.equal(res.body, 'secure /x');
  });
});

describe('gateway process lifecycle', () => {
  test('an invalid config file stops start-up with a readable message and exit code 1', async () => {
    const file = await writeConfig({ _format_version: '3.0', services: [{ name: 'x', host: 'h', port: 'nope' }] });
    const { code, output } = await runGateway(['--config', file, '--proxy-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0']);
    assert.equal(code, 1);
    assert.match(output, /invalid configuration/);
    assert.match(output, /port/);
  });

  test('without --config it answers 404 and takes POST /config', async () => {
    const backend = await startBackend({ name: 'late', host: '127.0.0.10' });
    const gw = await spawnGateway();
    try {
      assert.equal((await request(`${gw.proxyUrl}/x`)).status, 404);
      const cfg = `_format_version: "3.0"\nservices:\n  - name: s\n    url: x\n`;
      assert.equal((await request(`${gw.adminUrl}/config`, { method: 'POST', body: cfg })).status, 400);
      const yaml = `_format_version: "3.0"\nservices:\n  - name: s\n    host: ${backend.host}\n    port: ${backend.port}\n    routes:\n      - name: r\n        paths: ["/"]\n`;
      assert.equal((await request(`${gw.adminUrl}/config`, { method: 'POST', body: yaml })).status, 201);
      assert.equal((await request(`${gw.proxyUrl}/x`)).status, 200);
      const form = new URLSearchParams({ config: yaml.replace('paths: ["/"]', 'paths: ["/form"]') }).toString();
      const posted = await request(`${gw.adminUrl}/config`, {
        method: 'POST',
        body: form,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(posted.status, 201);
      assert.equal((await request(`${gw.proxyUrl}/x`)).status, 404);
      assert.equal((await request(`${gw.proxyUrl}/form/x`)).status, 200);
    } finally {
      await gw.stop();
      await backend.close();
    }
  });

  test('a request in flight finishes on the config it started with; the next one uses the new config', async () => {
    const slow = await startBackend({ name: 'slow2', host: '127.0.0.18', handler: (_req, res) => setTimeout(() => res.end('old'), 500) });
    const route = (path: string): unknown => ({
      _format_version: '3.0',
      services: [{ name: 's', host: 'up', routes: [{ name: 'r', paths: [path] }] }],
      upstreams: [{ name: 'up', targets: [{ target: slow.address }] }],
    });
    const gw = await spawnGateway({ config: route('/before') });
    try {
      const inFlight = request(`${gw.proxyUrl}/before/x`);
      await new Promise((r) => setTimeout(r, 150));
      assert.equal((await request(`${gw.adminUrl}/config`, { method: 'POST', body: JSON.stringify(route('/after')) })).status, 201);
      assert.equal((await request(`${gw.proxyUrl}/before/x`)).status, 404);
      const res = await inFlight;
      assert.equal(res.status, 200);
      assert.equal(res.body, 'old');
    } finally {
      await gw.stop();
      await slow.close();
    }
  });

  test('SIGTERM lets an in-flight request finish, then exits 0', async () => {
    const slow = await startBackend({
      name: 'slow',
      host: '127.0.0.11',
      handler: (_req, res) => setTimeout(() => res.end('done'), 700),
    });
    const gw = await spawnGateway({
      config: { _format_version: '3.0', services: [{ name: 's', host: slow.host, port: slow.port, routes: [{ name: 'r', paths: ['/'] }] }] },
    });
    try {
      const inFlight = request(`${gw.proxyUrl}/slow`);
      await new Promise((r) => setTimeout(r, 200));
      const exited = gw.stop('SIGTERM');
      const res = await inFlight;
      assert.equal(res.status, 200);
      assert.equal(res.body, 'done');
      assert.equal(await exited, 0);
    } finally {
      await gw.stop('SIGKILL');
      await slow.close();
    }
  });
});
