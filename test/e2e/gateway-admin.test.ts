// End-to-end: the admin API's upstream, health, manual health and metrics endpoints.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type Backend } from '../helpers/backend.js';
import { spawnGateway, type GatewayProcess } from '../helpers/gateway.js';
import { json, request } from '../helpers/http.js';

let a: Backend, b: Backend, c: Backend, gw: GatewayProcess;

interface HealthRow {
  target: string;
  weight: number;
  health: string;
  state: string;
  in_flight: number;
  open_connections: number;
  sticky_requests_last_60s: number;
  last_sticky_request_at: string | null;
  data: { addresses: Array<{ ip: string; port: number; weight: number; health: string }> };
}

before(async () => {
  a = await startBackend({ name: 'a', host: '127.0.0.12' });
  b = await startBackend({ name: 'b', host: '127.0.0.13' });
  c = await startBackend({ name: 'c', host: '127.0.0.14' });
  gw = await spawnGateway({
    config: {
      _format_version: '3.0',
      services: [{ name: 's', host: 'up', routes: [{ name: 'r', paths: ['/'] }] }],
      upstreams: [
        {
          name: 'up',
          algorithm: 'sticky-sessions',
          sticky_sessions_cookie: 'sid',
          targets: [
            { target: a.address, tags: ['berth.identity=pod-a'] },
            { target: b.address },
            { target: c.address, weight: 0 },
          ],
        },
      ],
    },
  });
});

after(async () => {
  await gw?.stop();
  await Promise.all([a, b, c].map((x) => x?.close()));
});

describe('gateway admin API', () => {
  test('lists upstreams and targets in Kong shape', async () => {
    const list = await json<{ data: Array<{ name: string; algorithm: string }>; next: null }>(`${gw.adminUrl}/upstreams`);
    assert.equal(list.body.next, null);
    assert.deepEqual(list.body.data.map((u) => [u.name, u.algorithm]), [['up', 'sticky-sessions']]);
    const one = await json<{ name: string; targets?: unknown }>(`${gw.adminUrl}/upstreams/up`);
    assert.equal(one.body.name, 'up');
    assert.equal(one.body.targets, undefined);
    const targets = await json<{ data: Array<{ target: string; weight: number }> }>(`${gw.adminUrl}/upstreams/up/targets`);
    assert.deepEqual(targets.body.data.map((t) => [t.target, t.weight]), [[a.address, 100], [b.address, 100], [c.address, 0]]);
    assert.equal((await request(`${gw.adminUrl}/upstreams/nope`)).status, 404);
  });

  test('health shows DRAINING for weight 0 and counts sticky requests per target', async () => {
    const first = await request(`${gw.proxyUrl}/x`);
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    const backend = (JSON.parse(first.body) as { backend: string }).backend;
    for (let i = 0; i < 3; i++) {
      const again = await request(`${gw.proxyUrl}/x`, { headers: { Cookie: cookie } });
      assert.equal((JSON.parse(again.body) as { backend: string }).backend, backend);
      assert.equal(again.headers['set-cookie'], undefined);
    }
    const health = await json<{ data: HealthRow[]; next: null }>(`${gw.adminUrl}/upstreams/up/health`);
    const byTarget = new Map(health.body.data.map((r) => [r.target, r]));
    const pinned = byTarget.get(backend === 'a' ? a.address : b.address)!;
    assert.equal(pinned.sticky_requests_last_60s, 3);
    assert.ok(pinned.last_sticky_request_at !== null && !Number.isNaN(Date.parse(pinned.last_sticky_request_at)));
    assert.equal(pinned.in_flight, 0);
    assert.ok(pinned.open_connections >= 1);
    assert.equal(byTarget.get(c.address)!.state, 'DRAINING');
    // Kong's own field keeps Kong's value for weight-0 targets, for scripts written against Kong.
    assert.equal(byTarget.get(c.address)!.health, 'HEALTHCHECKS_OFF');
    assert.equal(byTarget.get(c.address)!.data.addresses[0]!.health, 'HEALTHCHECKS_OFF');
    assert.equal(byTarget.get(c.address)!.data.addresses[0]!.port, c.port);
  });

  test('PUT .../unhealthy takes a target out of rotation; .../healthy brings it back; unknown is 404', async () => {
    assert.equal((await request(`${gw.adminUrl}/upstreams/up/targets/${a.address}/unhealthy`, { method: 'PUT' })).status, 204);
    const health = await json<{ data: HealthRow[] }>(`${gw.adminUrl}/upstreams/up/health`);
    assert.equal(health.body.data.find((r) => r.target === a.address)!.state, 'UNHEALTHY');
    for (let i = 0; i < 6; i++) {
      const res = await request(`${gw.proxyUrl}/x`);
      assert.equal((JSON.parse(res.body) as { backend: string }).backend, 'b');
    }
    assert.equal((await request(`${gw.adminUrl}/upstreams/up/targets/pod-a/healthy`, { method: 'PUT' })).status, 204);
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add((JSON.parse((await request(`${gw.proxyUrl}/x`)).body) as { backend: string }).backend);
    assert.deepEqual([...seen].sort(), ['a', 'b']);
    const missing = await request(`${gw.adminUrl}/upstreams/up/targets/10.0.0.1:1/healthy`, { method: 'PUT' });
    assert.equal(missing.status, 404);
    assert.deepEqual(JSON.parse(missing.body), { message: 'Not found' });
  });

  test('GET /metrics exposes requests by upstream, target and status, and target states', async () => {
    const res = await request(`${gw.adminUrl}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.body, new RegExp(`berth_requests_total\\{[^}]*upstream="up"[^}]*target="${b.address.replace(/\./g, '\\.')}"[^}]*status="200"[^}]*\\} \\d+`));
    assert.match(res.body, /berth_sticky_total\{[^}]*outcome="kept"[^}]*\} [1-9]/);
    assert.match(res.body, /berth_target_state\{[^}]*state="DRAINING"[^}]*\} 1/);
  });

  test('GET /status and GET /config', async () => {
    const status = await json<{ configuration_hash: string; server: { total_requests: number } }>(`${gw.adminUrl}/status`);
    assert.match(status.body.configuration_hash, /^[0-9a-f]{32}$/);
    assert.ok(status.body.server.total_requests > 0);
    const config = await json<{ config: string }>(`${gw.adminUrl}/config`);
    assert.match(config.body.config, /sticky_sessions_cookie: sid/);
  });
});
