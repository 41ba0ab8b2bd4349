// The guide (shared/seed/sticky-sessions-with-drain-support.md) end to end in --manifests mode, with
// real processes: three `berth echo` pods and `berth run --manifests DIR`. Needs `npm run build`.
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  cookiePair, endpointSliceYaml, get, manifestsDir, podsOn, startBerthRun, startEchoPods, until,
  type Berth, type EchoPod, type PodState, type Proc,
} from './manifests-harness.js';

/** conditionOf finds a condition of that type anywhere in a status (parents[] or ancestors[]). */
function conditionOf(status: unknown, type: string): Record<string, unknown> | undefined {
  if (Array.isArray(status)) return status.map((s) => conditionOf(s, type)).find(Boolean);
  if (typeof status !== 'object' || status === null) return undefined;
  const record = status as Record<string, unknown>;
  if (record.type === type && 'status' in record) return record;
  return Object.values(record).map((v) => conditionOf(v, type)).find(Boolean);
}

describe('the guide in --manifests mode', { timeout: 120_000 }, () => {
  const pods: EchoPod[] = podsOn('127.0.0.', 31);
  let echoes: Proc[] = [];
  let berth: Berth | undefined;
  let dir = '';
  let port = 0;
  const slice = (states: PodState[]) => writeFile(join(dir, 'endpointslice.yaml'), endpointSliceYaml(pods, states, port));
  const echo = (cookie?: string) => get(`${berth!.proxy}/echo`, cookie);
  const configHash = async () => ((await (await fetch(`${berth!.admin}/status`)).json()) as { configuration_hash: string }).configuration_hash;
  let session = '';
  let pinned = '';

  before(async () => {
    ({ port, procs: echoes } = await startEchoPods(pods));
    dir = await manifestsDir(pods, port);
    berth = await startBerthRun(dir);
  });
  after(async () => {
    await Promise.all([berth?.stop(), ...echoes.map((e) => e.stop())]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the first request gets the session-id cookie (HttpOnly, SameSite=Lax, Path=/)', async () => {
    const first = await echo();
    assert.equal(first.status, 200);
    assert.ok(first.pod && pods.some((p) => p.name === first.pod), `unexpected pod ${first.pod}`);
    assert.ok(first.setCookie, 'no Set-Cookie on the first request');
    const attrs = first.setCookie.split(';').map((s) => s.trim().toLowerCase());
    assert.match(first.setCookie, /^session-id=[^;\s]+/);
    assert.ok(attrs.includes('path=/'), first.setCookie);
    assert.ok(attrs.includes('httponly'), first.setCookie);
    assert.ok(attrs.includes('samesite=lax'), first.setCookie);
    assert.ok(!attrs.some((a) => a.startsWith('max-age') || a.startsWith('expires')), 'a session cookie has no expiry');
    assert.ok(!pods.some((p) => first.setCookie!.includes(p.ip)), 'the cookie must not name an address');
    session = cookiePair(first.setCookie);
    pinned = first.pod;
  });

  it('20 requests with the cookie reach the same pod and get no new cookie', async () => {
    for (let i = 0; i < 20; i++) {
      const r = await echo(session);
      assert.deepEqual([r.status, r.pod, r.setCookie], [200, pinned, undefined]);
    }
  });

  it('new sessions spread over the pods; a forged cookie is a new session', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 9; i++) seen.add((await echo()).pod!);
    assert.equal(seen.size, 3, `new sessions reached only ${[...seen].join(', ')}`);
    const forged = await echo('session-id=AAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    assert.equal(forged.status, 200);
    assert.ok(forged.setCookie?.startsWith('session-id='));
  });

  it('serves the translated statuses on the admin API', async () => {
    const statuses = await until('statuses', async () => {
      const body = (await (await fetch(`${berth!.admin}/kubernetes/status`)).json()) as { data: Array<{ ref: { kind: string; name: string }; status: unknown }> };
      const route = body.data.find((s) => s.ref.kind === 'HTTPRoute' && s.ref.name === 'echo');
      const policy = body.data.find((s) => s.ref.kind === 'KongUpstreamPolicy' && s.ref.name === 'sticky-session-policy');
      return route && policy ? { route, policy } : undefined;
    });
    assert.equal(conditionOf(statuses.route.status, 'Accepted')?.status, 'True', JSON.stringify(statuses.route));
    assert.equal(conditionOf(statuses.policy.status, 'Accepted')?.status, 'True', JSON.stringify(statuses.policy));
    const events = await fetch(`${berth!.admin}/kubernetes/events`);
    assert.equal(events.status, 200);
    assert.ok(Array.isArray(((await events.json()) as { data: unknown[] }).data));
  });

  it('scale down: the session on the terminating pod keeps working, 30 new sessions never reach it', async () => {
    await slice(pods.map((p) => (p.name === pinned ? 'terminating' : 'ready')));
    await until('new sessions to avoid the terminating pod', async () => {
      for (let i = 0; i < 6; i++) if ((await echo()).pod === pinned) return false;
      return true;
    });
    for (let i = 0; i < 30; i++) {
      const fresh = await echo();
      assert.equal(fresh.status, 200);
      assert.notEqual(fresh.pod, pinned, `new session ${i} reached the terminating pod`);
      assert.ok(fresh.setCookie, 'a new session gets a cookie');
    }
    for (let i = 0; i < 10; i++) {
      const kept = await echo(session);
      assert.deepEqual([kept.status, kept.pod, kept.setCookie], [200, pinned, undefined]);
    }
  });

  it('a malformed file keeps the last good config serving', async () => {
    const hashBefore = await configHash();
    await writeFile(join(dir, 'broken.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [oops\n');
    await writeFile(join(dir, 'endpointslice.yaml'), 'endpoints:\n  - addresses: [127.0.0.99\n');
    await until('the parse errors in the log', async () => /broken\.yaml:\d+/.test(berth!.output()) && /endpointslice\.yaml:\d+/.test(berth!.output()));
    // The errors are logged while scanning, before any reload could be scheduled: nothing reloaded.
    assert.equal(await configHash(), hashBefore);
    const kept = await echo(session);
    assert.deepEqual([kept.status, kept.pod, kept.setCookie], [200, pinned, undefined]);
    for (let i = 0; i < 6; i++) assert.notEqual((await echo()).pod, pinned);
    await rm(join(dir, 'broken.yaml'));
  });

  it('the pod is removed: the session moves to another pod with a new cookie, which then sticks', async () => {
    await slice(pods.map((p) => (p.name === pinned ? 'gone' : 'ready')));
    const moved = await until('the session to move', async () => {
      const r = await echo(session);
      return r.pod !== pinned ? r : undefined;
    });
    assert.equal(moved.status, 200);
    assert.ok(moved.setCookie?.startsWith('session-id='), 'a moved session gets a new cookie');
    const next = cookiePair(moved.setCookie!);
    assert.notEqual(next, session);
    for (let i = 0; i < 5; i++) {
      const r = await echo(next);
      assert.deepEqual([r.status, r.pod, r.setCookie], [200, moved.pod, undefined]);
    }
  });

  it('SIGTERM stops berth run gracefully (exit code 0)', async () => {
    const exited = new Promise<number | null>((resolve) => berth!.child.once('exit', (code) => resolve(code)));
    berth!.child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 10_000))]);
    assert.equal(code, 0, berth!.output().slice(-2000));
  });
});
