import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ActiveHealthcheckConfig, UpstreamConfig } from '../../config/types.js';
import { silentLogger } from '../../lib/log.js';
import { TargetState } from '../targets/target.js';
import { HealthChecker, upstreamHealth } from './checker.js';

/** A test backend whose status can change; `hang` never answers. */
interface Backend {
  port: number;
  status: number;
  hang: boolean;
  seen: Array<{ url: string; headers: http.IncomingHttpHeaders }>;
  open: number;
  maxOpen: number;
  server: http.Server;
}

async function backend(status: number, hang = false): Promise<Backend> {
  const b = { status, hang, seen: [], open: 0, maxOpen: 0 } as unknown as Backend;
  b.server = http.createServer((req, res) => {
    b.seen.push({ url: req.url ?? '', headers: req.headers });
    b.open++;
    b.maxOpen = Math.max(b.maxOpen, b.open);
    req.socket.once('close', () => b.open--);
    if (b.hang) return;
    res.writeHead(b.status, { connection: 'close' }).end('x');
  });
  await new Promise<void>((resolve) => b.server.listen(0, '127.0.0.1', resolve));
  b.port = (b.server.address() as AddressInfo).port;
  return b;
}

async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

let ok: Backend, bad: Backend, hang: Backend, closed: number;
before(async () => {
  [ok, bad, hang] = await Promise.all([backend(200), backend(500), backend(200, true)]);
  closed = await closedPort();
});
after(() => {
  for (const b of [ok, bad, hang]) b.server.closeAllConnections();
  for (const b of [ok, bad, hang]) b.server.close();
});

function target(port: number, id = `t${port}`, weight = 100): TargetState {
  return new TargetState('up', id, '127.0.0.1', port, weight);
}

function upstream(active: ActiveHealthcheckConfig, extra: Partial<UpstreamConfig['healthchecks']> = {}): UpstreamConfig {
  return { name: 'up', healthchecks: { active, ...extra } };
}

const ACTIVE: ActiveHealthcheckConfig = {
  timeout: 0.3,
  healthy: { interval: 1000, successes: 2 },
  unhealthy: { interval: 1000, http_failures: 2, tcp_failures: 1, timeouts: 1 },
};

function checker(u: UpstreamConfig, targets: TargetState[]): { hc: HealthChecker; changes: TargetState[] } {
  const changes: TargetState[] = [];
  const hc = new HealthChecker(u, () => targets, (t) => changes.push(t), { log: silentLogger() });
  return { hc, changes };
}

test('active http: thresholds flip 500s, timeouts and refused connections; successes bring targets back', async () => {
  const [tOk, tBad, tHang, tClosed] = [target(ok.port), target(bad.port), target(hang.port), target(closed)];
  const { hc, changes } = checker(upstream(ACTIVE), [tOk, tBad, tHang, tClosed]);
  assert.equal(hc.enabled, true);
  assert.equal(tOk.state, 'HEALTHY');
  await hc.checkOnce();
  assert.deepEqual([tOk.healthy, tBad.healthy, tHang.healthy, tClosed.healthy], [true, true, false, false]);
  await hc.checkOnce();
  assert.equal(tBad.healthy, false, 'second 500 reaches http_failures=2');
  assert.equal(tBad.state, 'UNHEALTHY');
  assert.deepEqual(new Set(changes), new Set([tBad, tHang, tClosed]));
  bad.status = 200;
  await hc.checkOnce();
  assert.equal(tBad.healthy, false, 'one success is below successes=2');
  await hc.checkOnce();
  assert.equal(tBad.healthy, true);
  bad.status = 500;
});

test('a success clears the failure counters', async () => {
  const t = target(bad.port);
  const { hc } = checker(upstream(ACTIVE), [t]);
  await hc.checkOnce();
  bad.status = 200;
  await hc.checkOnce();
  bad.status = 500;
  await hc.checkOnce();
  assert.equal(t.healthy, true, '500, 200, 500 never reaches two consecutive failures');
  await hc.checkOnce();
  assert.equal(t.healthy, false);
});

test('draining targets are still checked; only the states with an interval are probed', async () => {
  const draining = target(bad.port, 'drain', 0);
  const onlyHealthy = upstream({ ...ACTIVE, unhealthy: { ...ACTIVE.unhealthy, interval: 0 } });
  const { hc } = checker(onlyHealthy, [draining]);
  await hc.checkOnce();
  await hc.checkOnce();
  assert.equal(draining.healthy, false);
  const before = bad.seen.length;
  bad.status = 200;
  await hc.checkOnce();
  await hc.checkOnce();
  bad.status = 500;
  assert.equal(bad.seen.length, before, 'unhealthy.interval 0: unhealthy targets are not probed');
  assert.equal(draining.healthy, false);
});

test('probes send http_path and headers', async () => {
  const t = target(ok.port);
  const u = upstream({ ...ACTIVE, http_path: '/healthz?full=1', headers: { 'x-probe': ['a', 'b'] } });
  await checker(u, [t]).hc.checkOnce();
  const last = ok.seen.at(-1)!;
  assert.equal(last.url, '/healthz?full=1');
  assert.equal(last.headers['x-probe'], 'a, b');
});

test('tcp probes: a listening port is a success, a closed one a failure', async () => {
  const [tOk, tClosed] = [target(hang.port), target(closed)];
  const { hc } = checker(upstream({ ...ACTIVE, type: 'tcp' }), [tOk, tClosed]);
  await hc.checkOnce();
  assert.equal(tOk.healthy, true);
  assert.equal(tClosed.healthy, false);
});

test('concurrency limits the probes in flight', async () => {
  const targets = Array.from({ length: 5 }, (_, i) => target(hang.port, `h${i}`));
  const u = upstream({ ...ACTIVE, timeout: 0.2, concurrency: 2 });
  hang.maxOpen = 0;
  const started = Date.now();
  await checker(u, targets).hc.checkOnce();
  assert.equal(hang.maxOpen, 2);
  assert.ok(Date.now() - started >= 500, 'three sequential waves of 0.2 s timeouts');
  assert.ok(targets.every((t) => !t.healthy));
});

test('passive: counters flip a target down, and passive successes never bring it back', () => {
  const t = target(1);
  const u: UpstreamConfig = {
    name: 'up',
    healthchecks: { passive: { healthy: { successes: 1 }, unhealthy: { http_failures: 3, timeouts: 2 } } },
  };
  const { hc, changes } = checker(u, [t]);
  assert.equal(hc.enabled, true);
  assert.equal(t.healthchecksOn, true);
  hc.reportPassive(t, { status: 500 });
  hc.reportPassive(t, { status: 500 });
  hc.reportPassive(t, { status: 200 });
  hc.reportPassive(t, { status: 500 });
  hc.reportPassive(t, { status: 404 });
  hc.reportPassive(t, { status: 503 });
  assert.equal(t.healthy, true, '200 cleared the counter; 404 is in neither list');
  hc.reportPassive(t, { status: 429 });
  assert.equal(t.healthy, false);
  assert.deepEqual(changes, [t]);
  for (let i = 0; i < 50; i++) hc.reportPassive(t, { status: 200 });
  assert.equal(t.healthy, false);
  hc.setManual(t, true);
  assert.equal(t.healthy, true);
  hc.reportPassive(t, { timeout: true });
  hc.reportPassive(t, { timeout: true });
  assert.equal(t.healthy, false);
});

test('HEALTHCHECKS_OFF by default: no probes, passive reports ignored', async () => {
  const t = target(hang.port);
  const { hc } = checker({ name: 'up' }, [t]);
  assert.equal(hc.enabled, false);
  assert.equal(t.state, 'HEALTHCHECKS_OFF');
  const before = hang.seen.length;
  await hc.checkOnce();
  for (let i = 0; i < 100; i++) hc.reportPassive(t, { status: 500, tcpFailure: true });
  assert.equal(t.healthy, true);
  assert.equal(hang.seen.length, before);
  hc.setManual(t, false);
  assert.equal(t.state, 'UNHEALTHY');
});

test('reconfigure switches checking on and off; switching off heals the targets', () => {
  const t = target(1);
  const { hc, changes } = checker({ name: 'up' }, [t]);
  const passiveOn: UpstreamConfig = { name: 'up', healthchecks: { passive: { unhealthy: { tcp_failures: 1 } } } };
  hc.reconfigure(passiveOn);
  assert.equal(t.healthchecksOn, true);
  hc.reportPassive(t, { tcpFailure: true });
  assert.equal(t.state, 'UNHEALTHY');
  hc.reconfigure({ name: 'up' });
  assert.equal(t.healthchecksOn, false);
  assert.equal(t.state, 'HEALTHCHECKS_OFF');
  assert.deepEqual(changes, [t, t]);
});

test('start(): timers probe on their own; stop() ends them', async () => {
  const t = target(bad.port, 'timed');
  const u = upstream({ ...ACTIVE, healthy: { interval: 0.05, successes: 1 }, unhealthy: { interval: 0.05, http_failures: 1 } });
  const { hc } = checker(u, [t]);
  hc.start();
  try {
    const deadline = Date.now() + 5000;
    while (t.healthy && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(t.healthy, false);
    bad.status = 200;
    while (!t.healthy && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(t.healthy, true);
  } finally {
    hc.stop();
    bad.status = 500;
  }
  const count = bad.seen.length;
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(bad.seen.length <= count + 1, 'at most the round in flight at stop()');
});

test('upstreamHealth: available weight share must exceed the threshold', () => {
  const [a, b, c] = [target(1, 'a'), target(2, 'b'), target(3, 'c', 0)];
  const u = (threshold: number): UpstreamConfig => ({ name: 'up', healthchecks: { threshold } });
  assert.equal(upstreamHealth(u(0), [a, b, c]), 'HEALTHY');
  b.healthy = false;
  assert.equal(upstreamHealth(u(49), [a, b, c]), 'HEALTHY');
  assert.equal(upstreamHealth(u(50), [a, b, c]), 'UNHEALTHY');
  a.healthy = false;
  assert.equal(upstreamHealth(u(0), [a, b, c]), 'UNHEALTHY');
  assert.equal(upstreamHealth(u(0), [c]), 'UNHEALTHY');
  assert.equal(upstreamHealth(u(0), []), 'UNHEALTHY');
});
