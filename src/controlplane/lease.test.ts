import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../../test/apiserver/server.js';
import { silentLogger } from '../lib/log.js';
import { LeaderElector, leaderOnlyStatusSink } from './lease.js';

async function setup() {
  const api = new ApiServer();
  await api.start();
  const kubeconfig = api.writeKubeconfig(join(mkdtempSync(join(tmpdir(), 'berth-lease-')), 'config'));
  let clock = 1_000_000;
  const elector = (identity: string) => new LeaderElector({
    kubeconfig, namespace: 'kong', name: 'berth-leader', identity, log: silentLogger(),
    leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 50, now: () => clock,
  });
  return { api, elector, advance: (ms: number) => (clock += ms) };
}

test('two candidates racing for a fresh lease: exactly one wins', async () => {
  const { api, elector } = await setup();
  try {
    for (let i = 0; i < 5; i++) {
      const a = elector(`a${i}`);
      const b = elector(`b${i}`);
      const won = await Promise.all([a.tryOnce(), b.tryOnce()]);
      assert.equal(won.filter(Boolean).length, 1, `round ${i}`);
      api.remove('coordination.k8s.io/v1', 'Lease', 'kong', 'berth-leader');
    }
  } finally {
    await api.stop();
  }
});

test('the holder renews; a standby takes over only after the lease went unrenewed for its duration', async () => {
  const { api, elector, advance } = await setup();
  try {
    const a = elector('a');
    const b = elector('b');
    assert.equal(await a.tryOnce(), true);
    assert.equal(await b.tryOnce(), false);
    advance(2000);
    assert.equal(await a.tryOnce(), true);
    advance(2000);
    assert.equal(await b.tryOnce(), false, 'a renewed 2 s ago, its lease is valid');
    advance(3500);
    assert.equal(await b.tryOnce(), true, 'a stopped renewing for longer than the lease');
    const lease = api.get('coordination.k8s.io/v1', 'Lease', 'kong', 'berth-leader');
    assert.equal(lease.spec.holderIdentity, 'b');
    assert.equal(lease.spec.leaseTransitions, 1);
    const changes: boolean[] = [];
    a.onChange((l) => changes.push(l));
    assert.equal(await a.tryOnce(), false);
    assert.deepEqual(changes, [false]);
  } finally {
    await api.stop();
  }
});

test('stop releases the lease so a standby takes over at once', async () => {
  const { api, elector } = await setup();
  try {
    const a = elector('a');
    const b = elector('b');
    assert.equal(await a.tryOnce(), true);
    assert.equal(await b.tryOnce(), false);
    await a.stop();
    assert.equal(a.isLeader, false);
    assert.equal(await b.tryOnce(), true, 'no holder: nothing to wait for');
    assert.equal(api.get('coordination.k8s.io/v1', 'Lease', 'kong', 'berth-leader').spec.holderIdentity, 'b');
  } finally {
    await api.stop();
  }
});

test('a leader that cannot reach the API server past the renew deadline steps down; writes stop', async () => {
  const { api, elector, advance } = await setup();
  try {
    const a = elector('a');
    assert.equal(await a.tryOnce(), true);
    let published = 0;
    const gated = leaderOnlyStatusSink({ publish: async () => void published++ }, () => a.isLeader);
    await gated.publish({ config: {} as never, statuses: [], events: [] });
    await api.down();
    advance(1000);
    assert.equal(await a.tryOnce(), true, 'still within the renew deadline');
    advance(1500);
    assert.equal(await a.tryOnce(), false);
    await gated.publish({ config: {} as never, statuses: [], events: [] });
    assert.equal(published, 1);
  } finally {
    await api.stop();
  }
});

test('start runs the loop: the leader keeps renewing in the background', async () => {
  const api = new ApiServer();
  await api.start();
  const kubeconfig = api.writeKubeconfig(join(mkdtempSync(join(tmpdir(), 'berth-lease-')), 'config'));
  const a = new LeaderElector({ kubeconfig, namespace: 'kong', name: 'l', identity: 'a', log: silentLogger(), retryPeriodMs: 50 });
  try {
    const became = new Promise<boolean>((resolve) => a.onChange(resolve));
    a.start();
    assert.equal(await became, true);
    await new Promise((r) => setTimeout(r, 300));
    const updates = api.requests.filter((r) => r.resource === 'leases' && r.verb === 'update').length;
    assert.ok(updates >= 2, `renewed ${updates} times`);
  } finally {
    await a.stop();
    await api.stop();
  }
});
