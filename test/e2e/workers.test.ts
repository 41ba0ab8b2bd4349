// End-to-end: `berth gateway --workers 2` (issue 12). One primary owns config, health checks and
// the admin API; two workers proxy. Every request below uses a fresh connection, and node:cluster
// hands connections to the workers in turn, so each check is answered by both workers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import http2 from 'node:http2';
import { startBackend, type Backend, type BackendHandler } from '../helpers/backend.js';
import { spawnGateway, type GatewayProcess } from '../helpers/gateway.js';
import { request } from '../helpers/http.js';
import { COOKIE, Session, UPSTREAM, metric, send, setTargetHealth, stickyConfig, upstreamHealth, waitFor } from './support/sticky.js';

const STEP = { timeout: 60_000 };
const ROUND = 12;

/** Backends answer 500 while `failing` holds their name; /slow answers after 1.5 s. */
const failing = new Set<string>();
const handler: BackendHandler = (req, res, backend) => {
  req.resume();
  const finish = (): void => {
    res.writeHead(failing.has(backend.name) ? 500 : 200, { 'X-Backend': backend.name, 'Content-Length': '2' });
    res.end('ok');
  };
  if (req.url?.startsWith('/slow')) setTimeout(finish, 1500);
  else finish();
};

let backends: Backend[] = [];
let gw: GatewayProcess;
const cookieOf = new Map<string, string>();

/** childrenOf: the pids whose parent is `pid` (the primary's workers), from /proc. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // the process exited while we looked
    }
  }
  return out;
}

/** round: ROUND requests with `name`'s cookie, each on its own connection; the backends that answered. */
async function round(name: string, path = '/'): Promise<string[]> {
  const hits = await Promise.all(Array.from({ length: ROUND }, () => send(gw.proxyUrl + path, { cookie: `${COOKIE}=${cookieOf.get(name)}` })));
  return hits.map((h) => (h.status === 200 ? h.backend : `status ${h.status}`));
}

describe('gateway --workers 2', () => {
  before(async () => {
    backends = await Promise.all(['A', 'B', 'C'].map((name, i) => startBackend({ name, host: `127.0.0.${71 + i}`, handler })));
    const passive = { healthchecks: { passive: { unhealthy: { http_failures: 1, http_statuses: [500] } } } };
    const config = stickyConfig(backends.map((b) => ({ backend: b, identity: `uid-${b.name}` })), {}, passive);
    gw = await spawnGateway({ config, args: ['--workers', '2', '--shutdown-timeout', '5000'], startTimeoutMs: 45_000 });
    assert.equal(childrenOf(gw.child.pid!).length, 2, 'two worker processes');
    for (let i = 0; i < 60 && cookieOf.size < 3; i++) {
      const s = new Session(gw.proxyUrl);
      const hit = await s.get('/');
      assert.equal(hit.status, 200);
      cookieOf.set(s.backend, s.cookie!);
    }
    assert.deepEqual([...cookieOf.keys()].sort(), ['A', 'B', 'C']);
  });

  after(async () => {
    await gw?.stop();
    await Promise.all(backends.map((b) => b.close()));
  });

  test('every worker honours every cookie (one keyring) and the admin API sums their counters', STEP, async () => {
    const before = await Promise.all(['A', 'B', 'C'].map((n) => metric(gw.adminUrl, 'berth_requests_total', { upstream: UPSTREAM, target: backends.find((b) => b.name === n)!.address })));
    const stickyBefore = new Map((await upstreamHealth(gw.adminUrl)).map((r) => [r.target, r.sticky_requests_last_60s]));
    for (const name of ['A', 'B', 'C']) {
      const hits = await Promise.all(Array.from({ length: ROUND }, () => send(gw.proxyUrl + '/', { cookie: `${COOKIE}=${cookieOf.get(name)}` })));
      assert.deepEqual(hits.map((h) => h.backend), Array(ROUND).fill(name), `cookie of ${name}`);
      assert.ok(hits.every((h) => h.setCookie === undefined), `no worker treated ${name}'s cookie as invalid`);
    }
    for (const [i, name] of ['A', 'B', 'C'].entries()) {
      const address = backends.find((b) => b.name === name)!.address;
      const now = await metric(gw.adminUrl, 'berth_requests_total', { upstream: UPSTREAM, target: address, status: '200' });
      assert.equal(now - before[i]!, ROUND, `/metrics counts ${name}'s requests from both workers`);
    }
    const health = await upstreamHealth(gw.adminUrl);
    for (const row of health) {
      assert.equal(row.sticky_requests_last_60s - (stickyBefore.get(row.target) ?? 0), ROUND, `/health sums sticky requests of ${row.target}`);
    }
    const dashboard = JSON.parse((await request(`${gw.adminUrl}/dashboard/state`)).body) as {
      upstreams: Array<{ name: string; targets: Array<{ target: string; sticky_requests_last_60s: number; sticky_per_second: number[] }> }>;
    };
    for (const row of dashboard.upstreams.find((u) => u.name === UPSTREAM)!.targets) {
      const fromHealth = health.find((h) => h.target === row.target)!.sticky_requests_last_60s;
      assert.equal(row.sticky_requests_last_60s, fromHealth, `the dashboard sums sticky requests of ${row.target} too`);
      assert.ok(row.sticky_per_second.reduce((a, b) => a + b, 0) >= ROUND, `the dashboard's sparkline of ${row.target} counts both workers`);
    }
    const status = JSON.parse((await request(`${gw.adminUrl}/status`)).body) as { server: { total_requests: number }; memory: { rss: number } };
    assert.ok(status.server.total_requests >= 3 * ROUND + 3);
    // Each worker holds a whole runtime too: the group's RSS is well above the primary's alone.
    const primaryRss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${gw.child.pid}/status`, 'utf8'))![1]) * 1024;
    assert.ok(status.memory.rss > 1.5 * primaryRss, `/status memory.rss ${status.memory.rss} sums the workers' (primary alone ${primaryRss})`);
  });

  test('HTTP/2 (h2c, prior knowledge) is served by every worker: each honours every cookie, /metrics counts both', STEP, async () => {
    for (const name of ['A', 'B', 'C']) {
      const address = backends.find((b) => b.name === name)!.address;
      const before = await metric(gw.adminUrl, 'berth_requests_total', { upstream: UPSTREAM, target: address, status: '200' });
      // One h2 connection per request: node:cluster hands each to the next worker.
      const hits = await Promise.all(Array.from({ length: ROUND }, () => h2Get(gw.proxyUrl, `${COOKIE}=${cookieOf.get(name)}`)));
      assert.deepEqual(hits.map((h) => `${h.status} ${h.backend}`), Array(ROUND).fill(`200 ${name}`), `h2 with the cookie of ${name}`);
      assert.ok(hits.every((h) => h.setCookie === false), `no worker treated ${name}'s cookie as invalid over h2`);
      const now = await metric(gw.adminUrl, 'berth_requests_total', { upstream: UPSTREAM, target: address, status: '200' });
      assert.equal(now - before, ROUND, `/metrics counts ${name}'s h2 requests from both workers`);
    }
  });

  test('the workers\' access lines reach stdout through the primary, whole and all of them', STEP, async () => {
    // Workers write to pipes of their own and the primary relays whole lines (workers/stdout-relay.ts).
    let stdout = '';
    const collect = (c: Buffer): void => void (stdout += c.toString('latin1'));
    gw.child.stdout!.on('data', collect);
    try {
      const count = 4 * ROUND;
      const hits = await Promise.all(Array.from({ length: count }, (_, i) => send(`${gw.proxyUrl}/relay-check?i=${i}`, {})));
      assert.ok(hits.every((h) => h.status === 200));
      const deadline = Date.now() + 10_000;
      let lines: string[] = [];
      while (lines.length < count) {
        assert.ok(Date.now() < deadline, `${lines.length} of ${count} access lines on the primary's stdout`);
        await new Promise((r) => setTimeout(r, 100));
        lines = stdout.split('\n').filter((l) => l.includes('"path":"/relay-check"'));
      }
      const records = lines.map((l) => JSON.parse(l) as { path: string; status: number });
      assert.equal(records.length, count);
      assert.ok(records.every((r) => r.status === 200));
      // Each worker's stdout is a pipe of its own, not the primary's stdout shared with its peer.
      const stdoutOf = (pid: number): string => readlinkSync(`/proc/${pid}/fd/1`);
      const pipes = childrenOf(gw.child.pid!).map(stdoutOf);
      assert.equal(new Set([...pipes, stdoutOf(gw.child.pid!)]).size, 3, `stdout of primary and workers: ${pipes.join(' ')}`);
    } finally {
      gw.child.stdout!.off('data', collect);
    }
  });

  test('an admin health change reaches every worker', STEP, async () => {
    const a = backends.find((b) => b.name === 'A')!;
    await setTargetHealth(gw.adminUrl, a.address, false);
    await waitFor('every worker to move A\'s sessions', async () => (await round('A')).every((b) => b !== 'A' && !b.startsWith('status')), 5_000);
    await setTargetHealth(gw.adminUrl, a.address, true);
    await waitFor('every worker to send A\'s sessions back to A', async () => (await round('A')).every((b) => b === 'A'), 5_000);
  });

  test('a passive failure seen by one worker takes the target out in every worker', STEP, async () => {
    const b = backends.find((x) => x.name === 'B')!;
    failing.add('B');
    const first = await send(gw.proxyUrl + '/', { cookie: `${COOKIE}=${cookieOf.get('B')}` });
    assert.equal(first.status, 500, 'the failing response reaches the client');
    failing.delete('B');
    // The worker that saw the 500 reports it; the primary broadcasts; no worker routes to B.
    await waitFor('every worker to avoid B', async () => (await round('B')).every((x) => x === 'A' || x === 'C'), 5_000);
    const row = (await upstreamHealth(gw.adminUrl)).find((r) => r.target === b.address)!;
    assert.equal(row.health, 'UNHEALTHY');
    await setTargetHealth(gw.adminUrl, b.address, true);
    await waitFor('B back in every worker', async () => (await round('B')).every((x) => x === 'B'), 5_000);
  });

  test('a worker that dies is replaced while its peer keeps serving, even one that dies while starting', STEP, async () => {
    const [victim, peer] = childrenOf(gw.child.pid!);
    process.kill(victim!, 'SIGKILL');
    await waitFor('the primary to see the worker die', () => gw.output().includes('worker died'), 10_000);
    assert.deepEqual(await round('C'), Array(ROUND).fill('C'), 'the peer serves every connection meanwhile');
    const replacement = (): number | undefined => childrenOf(gw.child.pid!).find((pid) => pid !== peer && pid !== victim);
    await waitFor('a replacement worker', () => replacement() !== undefined, 20_000);
    // Killed while it loads (long before it listens): it must be replaced too.
    const second = replacement()!;
    process.kill(second, 'SIGKILL');
    await waitFor('a replacement of the replacement', () => {
      const now = childrenOf(gw.child.pid!);
      return now.length === 2 && now.includes(peer!) && !now.includes(victim!) && !now.includes(second);
    }, 20_000);
    // A replacement listens before it counts as a worker again; give it connections and check it has the keys.
    await waitFor('the replacement to listen', () => gw.output().split('\n').some((l) => l.includes('"worker":4') && l.includes('proxy listening')), 20_000);
    assert.deepEqual(await round('A'), Array(ROUND).fill('A'), 'the replacement has the config and the session keys');
  });

  test('SIGTERM drains every worker: in-flight requests finish, then all processes exit', STEP, async () => {
    const workers = childrenOf(gw.child.pid!);
    const inFlight = Array.from({ length: 4 }, () => send(gw.proxyUrl + '/slow', {}));
    await new Promise((r) => setTimeout(r, 400));
    const code = await gw.stop('SIGTERM', 15_000);
    const hits = await Promise.all(inFlight);
    assert.deepEqual(hits.map((h) => h.status), [200, 200, 200, 200]);
    assert.equal(code, 0);
    assert.deepEqual(workers.filter((pid) => childrenOf(gw.child.pid!).includes(pid) || processAlive(pid)), []);
  });
});

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** h2Get: GET / on a new h2c connection with `cookie`; the status, X-Backend and whether a session cookie was set. */
function h2Get(url: string, cookie: string): Promise<{ status: number; backend: string; setCookie: boolean }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.on('error', reject);
    const req = session.request({ ':path': '/', cookie });
    req.setTimeout(10_000, () => req.close(http2.constants.NGHTTP2_CANCEL));
    req.on('response', (headers) => {
      const setCookie = ([] as string[]).concat(headers['set-cookie'] ?? []).some((c) => c.startsWith(`${COOKIE}=`));
      req.resume();
      req.on('end', () => {
        session.close();
        resolve({ status: Number(headers[':status']), backend: String(headers['x-backend'] ?? ''), setCookie });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
