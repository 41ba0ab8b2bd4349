// End-to-end: a pinned target that can no longer serve its sessions. A new pod on the old address
// (different identity), a target refusing connections, and a target marked unhealthy through the
// admin API each move the sessions to another target with a new cookie and no error to the client.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { echoHandler, startBackend, type Backend } from '../helpers/backend.js';
import { spawnGateway, type GatewayProcess } from '../helpers/gateway.js';
import {
  Session,
  inBatches,
  postConfig,
  setTargetHealth,
  stickyConfig,
  upstreamHealth,
  waitFor,
  type StickyTarget,
} from './support/sticky.js';

const STEP = { timeout: 60_000 };
let a: Backend, b: Backend, c: Backend, d: Backend;
let gw: GatewayProcess | undefined;
/** Backends whose /healthz answers 500 (active health checks see them fail). */
const failing = new Set<string>();

function handler(req: http.IncomingMessage, res: http.ServerResponse, backend: Backend): void {
  if (req.url !== '/healthz') return echoHandler(req, res, backend);
  res.writeHead(failing.has(backend.name) ? 500 : 200);
  res.end();
}

/** Active http checks every 200 ms: two failures mark a target down, one success up again. */
const ACTIVE_CHECKS = {
  healthchecks: {
    active: {
      type: 'http',
      http_path: '/healthz',
      timeout: 1,
      healthy: { interval: 0.2, successes: 1 },
      unhealthy: { interval: 0.2, http_failures: 2 },
    },
  },
};

async function waitForState(identity: string, state: string): Promise<void> {
  await waitFor(`${identity} ${state}`, async () => (await upstreamHealth(gw!.adminUrl)).find((r) => r.id === identity)?.state === state);
}

function baseTargets(): StickyTarget[] {
  return [
    { backend: a, identity: 'pod-a' },
    { backend: b, identity: 'pod-b' },
    { backend: c, identity: 'pod-c' },
  ];
}

/** sessionsOn: `n` new sessions pinned to backend `name` (others are discarded). */
async function sessionsOn(name: string, n: number): Promise<Session[]> {
  const out: Session[] = [];
  for (let i = 0; i < n * 10 && out.length < n; i++) {
    const s = new Session(gw!.proxyUrl);
    const hit = await s.get('/pin');
    assert.equal(hit.status, 200);
    if (hit.backend === name) out.push(s);
  }
  assert.equal(out.length, n, `could not pin ${n} sessions to ${name}`);
  return out;
}

/** assertMovedOff: every session answers 200 from another backend with a new cookie that then sticks. */
async function assertMovedOff(sessions: Session[], gone: string): Promise<void> {
  const old = sessions.map((s) => s.cookie);
  const hits = await inBatches(sessions, 8, (s) => s.get('/moved'));
  hits.forEach((hit, i) => {
    assert.equal(hit.status, 200, `session ${i}: status ${hit.status}`);
    assert.notEqual(hit.backend, gone, `session ${i} still reached ${gone}`);
    assert.ok(hit.setCookie !== undefined, `session ${i} moved without a new cookie`);
    assert.notEqual(sessions[i]!.cookie, old[i]);
  });
  const again = await inBatches(sessions, 8, (s) => s.get('/after'));
  again.forEach((hit, i) => {
    assert.equal(hit.backend, hits[i]!.backend, 'the new cookie does not stick');
    assert.equal(hit.setCookie, undefined);
  });
}

function withService(config: Record<string, unknown>, service: unknown): Record<string, unknown> {
  return { ...config, services: [...(config['services'] as unknown[]), service] };
}

async function newSessionBackends(n: number): Promise<string[]> {
  const hits = await inBatches(Array.from({ length: n }, () => new Session(gw!.proxyUrl)), 8, (s) => s.get('/fresh'));
  for (const hit of hits) assert.equal(hit.status, 200);
  return hits.map((h) => h.backend);
}

describe('sticky failover: the pinned target cannot serve', () => {
  before(async () => {
    [a, b, c, d] = await Promise.all(['A', 'B', 'C', 'D'].map((name, i) => startBackend({ name, host: `127.0.0.${41 + i}`, handler })));
    gw = await spawnGateway({ config: stickyConfig(baseTargets()), args: ['--session-secret', 'failover-e2e-secret-0123456789'] });
  });

  beforeEach(async () => postConfig(gw!.adminUrl, stickyConfig(baseTargets())));

  after(async () => {
    await gw?.stop();
    await Promise.all([a, b, c, d].map((s) => s?.close()));
  });

  test('a new target reusing B\'s address with another identity does not inherit B\'s sessions', STEP, async () => {
    const onB = await sessionsOn('B', 6);
    const reused = baseTargets().map((t) => (t.identity === 'pod-b' ? { ...t, identity: 'pod-b-replacement' } : t));
    await postConfig(gw!.adminUrl, stickyConfig(reused));
    const old = onB.map((s) => s.cookie);
    const hits = await inBatches(onB, 8, (s) => s.get('/reused'));
    hits.forEach((hit, i) => {
      assert.equal(hit.status, 200);
      assert.ok(hit.setCookie !== undefined, 'an old session was kept by the new pod on the same address');
      assert.notEqual(onB[i]!.cookie, old[i]);
    });
    const fresh = await sessionsOn('B', 1);
    assert.ok(!old.includes(fresh[0]!.cookie), 'the new pod mints the old pod\'s cookie value');
  });

  test('a target refusing connections: its sessions move with a new cookie, no error', STEP, async () => {
    const onB = await sessionsOn('B', 6);
    const port = b.port;
    await b.close();
    try {
      await assertMovedOff(onB, 'B');
      assert.ok((await newSessionBackends(12)).every((name) => name === 'A' || name === 'C'));
    } finally {
      b = await startBackend({ name: 'B', host: '127.0.0.42', port, handler });
    }
  });

  test('PUT .../unhealthy moves B\'s sessions; PUT .../healthy lets new sessions land on B again', STEP, async () => {
    const onB = await sessionsOn('B', 6);
    await setTargetHealth(gw!.adminUrl, 'pod-b', false);
    const row = (await upstreamHealth(gw!.adminUrl)).find((r) => r.id === 'pod-b');
    assert.equal(row?.state, 'UNHEALTHY', JSON.stringify(row));
    await assertMovedOff(onB, 'B');
    assert.ok(!(await newSessionBackends(30)).includes('B'), 'a new session landed on an unhealthy target');

    await setTargetHealth(gw!.adminUrl, b.address, true); // Kong's form: the target's host:port
    const fresh = await newSessionBackends(30);
    assert.ok(fresh.filter((name) => name === 'B').length >= 5, `after healthy: ${fresh.join(',')}`);
  });

  test('active health checks keep checking a draining target; failing them moves its sessions', STEP, async () => {
    await postConfig(gw!.adminUrl, stickyConfig(baseTargets(), {}, ACTIVE_CHECKS));
    await waitForState('pod-b', 'HEALTHY');
    const onB = await sessionsOn('B', 4);
    const draining = baseTargets().map((t) => (t.identity === 'pod-b' ? { ...t, weight: 0 } : t));
    await postConfig(gw!.adminUrl, stickyConfig(draining, {}, ACTIVE_CHECKS));
    await waitForState('pod-b', 'DRAINING');
    for (const s of onB) assert.equal((await s.get('/still')).backend, 'B');
    try {
      failing.add('B');
      await waitForState('pod-b', 'UNHEALTHY');
      await assertMovedOff(onB, 'B');
    } finally {
      failing.clear();
    }
    await waitForState('pod-b', 'DRAINING');
  });

  test('reloads that keep a session\'s target never move it, whatever else changed', STEP, async () => {
    const pinnedTo = new Map<Session, string>();
    for (const s of Array.from({ length: 30 }, () => new Session(gw!.proxyUrl))) pinnedTo.set(s, (await s.get('/pin')).backend);
    const other = { name: 'other', host: a.host, port: a.port, routes: [{ name: 'other', paths: ['/other-service'] }] };
    const changes = [
      stickyConfig([...baseTargets(), { backend: d, identity: 'pod-d' }]),
      stickyConfig([...baseTargets().reverse(), { backend: d, identity: 'pod-d', weight: 500 }], {}, { slots: 100 }),
      withService(stickyConfig(baseTargets().map((t) => ({ ...t, weight: 7 }))), other),
    ];
    for (const config of changes) {
      await postConfig(gw!.adminUrl, config);
      for (const [s, name] of pinnedTo) {
        const hit = await s.get('/reloaded');
        assert.equal(hit.backend, name, 'a reload that kept the target moved the session');
        assert.equal(hit.setCookie, undefined);
      }
    }
  });

  test('PUT on an unknown target is 404', STEP, async () => {
    await assert.rejects(setTargetHealth(gw!.adminUrl, 'pod-nope', false), /404/);
  });
});
