import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../../../test/apiserver/server.js';
import { silentLogger } from '../../lib/log.js';
import { createKubeSource } from '../sources/kube.js';
import type { TranslateResult } from '../types.js';
import { KubeStatusSink } from './kube-status.js';

const routeRef = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', namespace: 'kong', name: 'echo' };
const policyRef = { apiVersion: 'configuration.konghq.com/v1beta1', kind: 'KongUpstreamPolicy', namespace: 'kong', name: 'sticky' };
const classRef = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', name: 'kong' };

function fixtures(api: ApiServer): void {
  api.apply({ ...routeRef, metadata: { name: 'echo', namespace: 'kong' }, spec: { rules: [] } });
  api.apply({ ...policyRef, metadata: { name: 'sticky', namespace: 'kong' }, spec: { algorithm: 'sticky-sessions' } });
  api.apply({ ...classRef, metadata: { name: 'kong' }, spec: { controllerName: 'x' } });
}

function result(parents: string, events: TranslateResult['events'] = []): TranslateResult {
  return {
    config: { _format_version: '3.0' } as TranslateResult['config'],
    statuses: [
      { ref: routeRef, status: { parents: [{ controllerName: 'c', conditions: [{ type: 'Accepted', status: parents }] }] } },
      { ref: policyRef, status: { ancestors: [{ controllerName: 'c' }] } },
      { ref: classRef, status: { conditions: [{ type: 'Accepted', status: 'True' }] } },
    ],
    events,
  };
}

const warningOn = (name: string) => ({
  type: 'Warning' as const, reason: 'KongConfigurationTranslationFailed', message: `bad ${name}`,
  involvedObject: { apiVersion: 'v1', kind: 'Service', namespace: 'kong', name },
});

async function setup() {
  const api = new ApiServer();
  await api.start();
  fixtures(api);
  const kubeconfig = api.writeKubeconfig(join(mkdtempSync(join(tmpdir(), 'berth-status-')), 'config'));
  return { api, kubeconfig };
}

const writes = (api: ApiServer) => api.requests.filter((r) => r.verb !== 'list' && r.verb !== 'watch' && r.verb !== 'get');

test('writes each status to its /status subresource once, and only again when it changes', async () => {
  const { api, kubeconfig } = await setup();
  try {
    const sink = new KubeStatusSink({ kubeconfig, log: silentLogger() });
    await sink.publish(result('True'));
    const route = api.get(routeRef.apiVersion, 'HTTPRoute', 'kong', 'echo');
    assert.equal(route.status.parents[0].conditions[0].status, 'True');
    assert.deepEqual(route.spec, { rules: [] });
    assert.deepEqual(api.get(policyRef.apiVersion, 'KongUpstreamPolicy', 'kong', 'sticky').status, { ancestors: [{ controllerName: 'c' }] });
    assert.ok(api.get(classRef.apiVersion, 'GatewayClass', undefined, 'kong').status.conditions);
    const first = writes(api);
    assert.equal(first.length, 3);
    assert.ok(first.every((r) => r.verb === 'patch' && r.subresource === 'status' && r.contentType === 'application/json-patch+json'));
    await sink.publish(result('True'));
    assert.equal(writes(api).length, 3);
    await sink.publish(result('False'));
    assert.equal(writes(api).length, 4);
    assert.equal(api.get(routeRef.apiVersion, 'HTTPRoute', 'kong', 'echo').status.parents[0].conditions[0].status, 'False');
  } finally {
    await api.stop();
  }
});

test('with a source, a status already in the cluster is not rewritten after a restart', async () => {
  const { api, kubeconfig } = await setup();
  const source = createKubeSource({ kubeconfig, namespaces: [], log: silentLogger() });
  try {
    await new KubeStatusSink({ kubeconfig, log: silentLogger() }).publish(result('True'));
    await source.start();
    const before = writes(api).length;
    await new KubeStatusSink({ kubeconfig, log: silentLogger(), source }).publish(result('True'));
    assert.equal(writes(api).length, before);
  } finally {
    await source.stop();
    await api.stop();
  }
});

test('events are created once while reported, again after they went away and came back', async () => {
  const { api, kubeconfig } = await setup();
  try {
    const sink = new KubeStatusSink({ kubeconfig, log: silentLogger(), controllerName: 'berth.test/c' });
    await sink.publish(result('True', [warningOn('a'), warningOn('a')]));
    await sink.publish(result('True', [warningOn('a'), warningOn('b')]));
    let events = api.list('events.k8s.io/v1', 'Event');
    assert.deepEqual(events.map((e) => e.note).sort(), ['bad a', 'bad b']);
    assert.equal(events[0].reportingController, 'berth.test/c');
    assert.equal(events[0].regarding.kind, 'Service');
    assert.equal(events[0].metadata.namespace, 'kong');
    await sink.publish(result('True', []));
    await sink.publish(result('True', [warningOn('a')]));
    events = api.list('events.k8s.io/v1', 'Event');
    assert.equal(events.filter((e) => e.note === 'bad a').length, 2);
  } finally {
    await api.stop();
  }
});

test('events a real API server accepts: long object names, long non-ASCII notes, a cluster-scoped object', async () => {
  const { api, kubeconfig } = await setup();
  try {
    const sink = new KubeStatusSink({ kubeconfig, log: silentLogger() });
    const long = { ...warningOn(`${'a'.repeat(240)}.example-`), message: 'é'.repeat(2000) };
    const cluster = { ...warningOn('kong'), involvedObject: classRef };
    await sink.publish(result('True', [long, warningOn('a'), cluster]));
    const events = api.list('events.k8s.io/v1', 'Event');
    assert.equal(events.length, 3);
    const named = events.find((e) => e.regarding.name.startsWith('aaa'));
    assert.ok(named.metadata.name.length <= 253);
    assert.match(named.metadata.name, /^a+\.[0-9a-f]+$/, 'cut to fit 253 characters, no trailing "." or "-" before the suffix');
    assert.ok(Buffer.byteLength(named.note) <= 1024 && named.note.startsWith('éé'));
    assert.equal(events.find((e) => e.regarding.kind === 'GatewayClass').metadata.namespace, 'default');
  } finally {
    await api.stop();
  }
});

test('API server down: publish rejects without throwing synchronously, and the next publish after it returns writes', async () => {
  const { api, kubeconfig } = await setup();
  try {
    const sink = new KubeStatusSink({ kubeconfig, log: silentLogger() });
    await api.down();
    await assert.rejects(sink.publish(result('True', [warningOn('a')])), /failed/);
    await api.up();
    await sink.publish(result('True', [warningOn('a')]));
    assert.equal(api.get(routeRef.apiVersion, 'HTTPRoute', 'kong', 'echo').status.parents[0].conditions[0].status, 'True');
    assert.equal(api.list('events.k8s.io/v1', 'Event').length, 1);
  } finally {
    await api.stop();
  }
});

test('a status for an object that is gone (404) is skipped, not retried forever', async () => {
  const { api, kubeconfig } = await setup();
  try {
    api.remove(routeRef.apiVersion, 'HTTPRoute', 'kong', 'echo');
    await new KubeStatusSink({ kubeconfig, log: silentLogger() }).publish(result('True'));
    assert.equal(api.get(policyRef.apiVersion, 'KongUpstreamPolicy', 'kong', 'sticky').status.ancestors.length, 1);
  } finally {
    await api.stop();
  }
});
