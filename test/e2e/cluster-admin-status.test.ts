// `berth run --kubeconfig` (cluster mode, API server stand-in) also serves the statuses and events
// it writes back on the admin API, for operators and the dashboard. Needs `npm run build`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiServer } from '../apiserver/server.js';
import { conditionOf, startGuideCluster } from './cluster-harness.js';
import { freePort, podsOn, spawnBerth, until, type Proc } from './manifests-harness.js';

describe('berth run in cluster mode: statuses and events on the admin API', { timeout: 60_000 }, () => {
  let api: ApiServer | undefined;
  let berth: Proc | undefined;
  let admin = '';

  before(async () => {
    // No echo pods are needed: statuses do not depend on the endpoints answering.
    const started = await startGuideCluster(podsOn('127.0.0.', 81), 9);
    api = started.api;
    const adminPort = await freePort();
    admin = `http://127.0.0.1:${adminPort}`;
    berth = spawnBerth(['run', '--kubeconfig', started.kubeconfig, '--proxy-listen', `127.0.0.1:${await freePort()}`,
      '--admin-listen', `127.0.0.1:${adminPort}`, '--session-secret', 'cluster-admin-secret-0123456789', '--access-log', 'off']);
  });
  after(async () => {
    await berth?.stop();
    await api?.stop();
  });

  it('GET /kubernetes/status shows what was written to the cluster; /kubernetes/events answers', async () => {
    const route = await until('the HTTPRoute status on the admin API', async () => {
      if (berth!.child.exitCode !== null) throw new Error(`berth run exited: ${berth!.output()}`);
      const body = (await (await fetch(`${admin}/kubernetes/status?kind=HTTPRoute`)).json()) as { data: Array<{ ref: { name: string }; status: unknown }> };
      return body.data.find((s) => s.ref.name === 'echo');
    }, 30_000);
    assert.equal(conditionOf(route.status, 'Accepted')?.status, 'True', JSON.stringify(route.status));
    const written = await until('the status written to the cluster', async () => {
      const obj = api!.get('gateway.networking.k8s.io/v1', 'HTTPRoute', 'kong', 'echo');
      return conditionOf(obj.status, 'Accepted')?.status === 'True' ? obj : undefined;
    });
    assert.equal(conditionOf(written.status, 'Accepted')?.status, conditionOf(route.status, 'Accepted')?.status);
    const events = await fetch(`${admin}/kubernetes/events`);
    assert.equal(events.status, 200);
    assert.ok(Array.isArray(((await events.json()) as { data: unknown[] }).data));
  });
});
