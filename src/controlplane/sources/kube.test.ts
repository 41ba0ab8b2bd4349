import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../../../test/apiserver/server.js';
import { silentLogger } from '../../lib/log.js';
import { createKubeSource } from './kube.js';
import type { ObjectSource } from './source.js';

const svc = (name: string, namespace = 'kong') => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ports: [{ name: 'http', port: 80 }] },
});
const policy = { apiVersion: 'configuration.konghq.com/v1beta1', kind: 'KongUpstreamPolicy',
  metadata: { name: 'sticky', namespace: 'kong' }, spec: { algorithm: 'sticky-sessions' } };

async function setup(namespaces: string[] = [], unserved: string[] = []) {
  const api = new ApiServer();
  for (const u of unserved) api.unserved.add(u);
  await api.start();
  const kubeconfig = api.writeKubeconfig(join(mkdtempSync(join(tmpdir(), 'berth-kube-')), 'config'));
  const source = createKubeSource({ kubeconfig, namespaces, log: silentLogger(), notServedRetryMs: 300 });
  return { api, source };
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const names = (source: ObjectSource, kind: string) =>
  source.objects().filter((o) => o.kind === kind).map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort();

test('lists every watched kind as plain objects, TLS secrets only, then follows changes', async () => {
  const { api, source } = await setup();
  try {
    api.apply(svc('echo'));
    api.apply(policy);
    api.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cert', namespace: 'kong' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } });
    api.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'password', namespace: 'kong' }, type: 'Opaque' });
    await source.start();
    assert.equal(source.synced, true);
    const echo = source.objects().find((o) => o.kind === 'Service')!;
    assert.equal(echo.apiVersion, 'v1');
    assert.equal(typeof echo.metadata.creationTimestamp, 'string');
    assert.match(echo.metadata.creationTimestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(Object.getPrototypeOf(echo), Object.prototype);
    assert.deepEqual(names(source, 'Secret'), ['kong/cert']);
    assert.deepEqual(names(source, 'KongUpstreamPolicy'), ['kong/sticky']);
    let changes = 0;
    source.onChange(() => changes++);
    api.apply(svc('other'));
    await until('the new service', () => names(source, 'Service').length === 2);
    api.remove('v1', 'Service', 'kong', 'echo');
    await until('the deletion', () => names(source, 'Service').length === 1);
    assert.ok(changes >= 2);
  } finally {
    await source.stop();
    await api.stop();
  }
});

test('--watch-namespace: only the listed namespaces are listed and watched', async () => {
  const { api, source } = await setup(['kong']);
  try {
    api.apply(svc('echo', 'kong'));
    api.apply(svc('elsewhere', 'default'));
    api.apply({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'kong' }, spec: {} });
    await source.start();
    assert.deepEqual(names(source, 'Service'), ['kong/echo']);
    assert.equal(names(source, 'GatewayClass').length, 1);
    const servicePaths = new Set(api.requests.filter((r) => r.resource === 'services').map((r) => r.path));
    assert.deepEqual([...servicePaths], ['/api/v1/namespaces/kong/services']);
  } finally {
    await source.stop();
    await api.stop();
  }
});

test('410 Gone relists: changes missed while the watch was expired are picked up, deletions too', async () => {
  const { api, source } = await setup();
  try {
    api.apply(svc('a'));
    api.apply(svc('b'));
    await source.start();
    const listsBefore = api.requests.filter((r) => r.verb === 'list' && r.resource === 'services').length;
    await api.down();
    api.remove('v1', 'Service', 'kong', 'a');
    api.apply(svc('c'));
    api.store.compact();
    await api.up();
    await until('relist after 410', () => names(source, 'Service').join() === 'kong/b,kong/c', 10000);
    assert.ok(api.requests.filter((r) => r.verb === 'list' && r.resource === 'services').length > listsBefore);
    api.expireWatches();
    api.apply(svc('d'));
    await until('the change after an expired watch', () => names(source, 'Service').includes('kong/d'), 10000);
  } finally {
    await source.stop();
    await api.stop();
  }
});

test('while the API server is down the last known objects stay; it converges when it returns', async () => {
  const { api, source } = await setup();
  try {
    api.apply(svc('a'));
    await source.start();
    await api.down();
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(names(source, 'Service'), ['kong/a']);
    await api.up();
    api.apply(svc('b'));
    await until('convergence', () => names(source, 'Service').length === 2, 10000);
  } finally {
    await source.stop();
    await api.stop();
  }
});

test('start waits for the API server when it is down at first', async () => {
  const { api, source } = await setup();
  api.apply(svc('a'));
  await api.down();
  try {
    const started = source.start();
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(source.synced, false);
    await api.up();
    await started;
    assert.deepEqual(names(source, 'Service'), ['kong/a']);
  } finally {
    await source.stop();
    await api.stop();
  }
});

test('a kind whose CRD is not installed counts as empty; installing it later is noticed', async () => {
  const { api, source } = await setup([], ['configuration.konghq.com/kongupstreampolicies', 'gateway.networking.k8s.io/httproutes']);
  try {
    api.apply(svc('echo'));
    api.apply(policy);
    await source.start();
    assert.deepEqual(names(source, 'Service'), ['kong/echo']);
    assert.deepEqual(names(source, 'KongUpstreamPolicy'), []);
    api.unserved.clear();
    await until('the policy once its CRD is served', () => names(source, 'KongUpstreamPolicy').length === 1);
  } finally {
    await source.stop();
    await api.stop();
  }
});
