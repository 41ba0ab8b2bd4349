import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type Backend } from '../../../test/helpers/backend.js';
import { request } from '../../../test/helpers/http.js';
import { silentLogger } from '../../lib/log.js';
import { Gateway } from '../gateway.js';
import { SessionKeyring } from '../sticky/token.js';
import { TargetState } from '../targets/target.js';
import { DRAIN_WINDOW_MS, isDrained, type DashboardState } from './state.js';

test('drained: DRAINING, nothing in flight, no sticky request for the drain window', () => {
  const t = new TargetState('up', 'pod-a', '10.0.0.1', 80, 0);
  const now = 10_000_000;
  t.lastStickyAt = now - DRAIN_WINDOW_MS + 1;
  assert.equal(isDrained(t, now), false, 'a sticky request inside the window');
  t.lastStickyAt = now - DRAIN_WINDOW_MS;
  assert.equal(isDrained(t, now), true);
  t.inFlight = 1;
  assert.equal(isDrained(t, now), false, 'a request still in flight');
  t.inFlight = 0;
  t.weight = 100;
  assert.equal(isDrained(t, now), false, 'only a DRAINING target drains');
  t.weight = 0;
  t.healthy = false;
  assert.equal(isDrained(t, now), false, 'UNHEALTHY is not drained');
});

describe('dashboard on the admin listener', () => {
  let backend: Backend;
  let gateway: Gateway;
  let admin = '';
  let proxy = '';
  const clock = { now: 0 };

  before(async () => {
    backend = await startBackend({ name: 'a', host: '127.0.0.61' });
    gateway = new Gateway({
      proxyListen: { host: '127.0.0.1', port: 0 },
      adminListen: { host: '127.0.0.1', port: 0 },
      keyring: SessionKeyring.random(),
      log: silentLogger(),
    });
    await gateway.start();
    admin = `http://127.0.0.1:${gateway.adminAddress()!.port}`;
    proxy = `http://127.0.0.1:${gateway.proxyAddress().port}`;
    const applied = gateway.apply({
      _format_version: '3.0',
      upstreams: [{
        name: 'echo', algorithm: 'sticky-sessions', sticky_sessions_cookie: 'sid',
        targets: [{ target: backend.address, tags: ['berth.identity=uid-a'] }, { target: '127.0.0.62:1', weight: 0 }],
      }],
      services: [{ name: 'echo-svc', host: 'echo', routes: [{ name: 'echo-route', paths: ['/echo'], hosts: ['echo.test'] }] }],
    });
    assert.ok(applied.ok);
    clock.now = Date.now();
  });
  after(async () => {
    await gateway.stop();
    await backend.close();
  });

  test('GET /dashboard serves the page with a strict CSP; GET / serves it to browsers and JSON to scripts', async () => {
    const page = await request(`${admin}/dashboard`);
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'/);
    assert.match(page.body, /<meta name="viewport"/);
    const browser = await request(`${admin}/`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    assert.equal(browser.body, page.body);
    const script = await request(`${admin}/`, { headers: { accept: '*/*' } });
    assert.equal(JSON.parse(script.body).tagline, 'Welcome to berth');
  });

  test('GET /dashboard/state reports targets from live counters, routes and the config hash', async () => {
    const first = await request(`${proxy}/echo`, { headers: { host: 'echo.test' } });
    assert.equal(first.status, 200);
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    for (let i = 0; i < 3; i++) assert.equal((await request(`${proxy}/echo`, { headers: { host: 'echo.test', cookie } })).status, 200);
    const res = await request(`${admin}/dashboard/state`);
    assert.equal(res.status, 200);
    const state = JSON.parse(res.body) as DashboardState;
    assert.equal(state.configuration_hash, gateway.runtime.hash);
    assert.ok(state.last_applied_at !== null && Math.abs(Date.parse(state.last_applied_at) - clock.now) < 5_000);
    const [up] = state.upstreams;
    assert.equal(up!.name, 'echo');
    assert.equal(up!.algorithm, 'sticky-sessions');
    const live = up!.targets.find((t) => t.target === backend.address)!;
    assert.equal(live.identity, 'uid-a');
    assert.equal(live.state, 'HEALTHCHECKS_OFF');
    assert.equal(live.sticky_requests_last_60s, 3);
    assert.equal(live.sticky_per_second.length, 60);
    assert.equal(live.sticky_per_second.reduce((a, b) => a + b, 0), 3);
    assert.equal(live.open_connections, 1, 'the keep-alive connection to the backend');
    assert.equal(live.drained, false);
    const draining = up!.targets.find((t) => t.target === '127.0.0.62:1')!;
    assert.deepEqual([draining.state, draining.weight, draining.drained], ['DRAINING', 0, true]);
    assert.deepEqual(state.routes, [{ name: 'echo-route', hosts: ['echo.test'], paths: ['/echo'], methods: [], service: 'echo-svc', upstream: 'echo' }]);
  });
});
