import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listAllKey, listKey, objectKey, slicesKey, Snapshot } from './snapshot.js';
import type { KubeObject } from './types.js';

const obj = (apiVersion: string, kind: string, name: string, namespace?: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion, kind, metadata: namespace === undefined ? { name } : { name, namespace }, ...extra,
});
const slice = (name: string, service: string, rv = '1'): KubeObject =>
  obj('discovery.k8s.io/v1', 'EndpointSlice', name, 'ns', { metadata: { name, namespace: 'ns', uid: name, resourceVersion: rv, labels: { 'kubernetes.io/service-name': service } } });

test('indexes objects by kind, namespace and name, accepting the API versions the translator reads', () => {
  const snap = Snapshot.from([
    obj('gateway.networking.k8s.io/v1', 'Gateway', 'a', 'ns'),
    obj('gateway.networking.k8s.io/v1beta1', 'Gateway', 'b', 'ns'),
    obj('gateway.networking.k8s.io/v1', 'GatewayClass', 'kong'),
    obj('networking.k8s.io/v1', 'Ingress', 'i', 'ns'),
    obj('v1', 'Service', 's', 'ns'),
    obj('v1', 'Secret', 'tls', 'ns'),
    obj('configuration.konghq.com/v1beta1', 'KongUpstreamPolicy', 'p', 'ns'),
    slice('s-1', 's'),
  ]);
  assert.equal(snap.size, 8);
  assert.equal(snap.list('Gateway').length, 2);
  assert.equal(snap.get('GatewayClass', undefined, 'kong')?.metadata.name, 'kong');
  assert.equal(snap.get('GatewayClass', '', 'kong')?.metadata.name, 'kong');
  assert.equal(snap.secret('ns', 'tls')?.kind, 'Secret');
  assert.equal(snap.get('KongUpstreamPolicy', 'ns', 'p')?.kind, 'KongUpstreamPolicy');
  assert.deepEqual(snap.endpointSlicesFor('ns', 's').map((s) => s.metadata.name), ['s-1']);
  assert.deepEqual(snap.listIn('Service', 'ns').map((s) => s.metadata.name), ['s']);
  assert.deepEqual(snap.endpointSlicesFor('other', 's'), []);
});

test('drops kinds of unexpected groups or versions, unread kinds and malformed objects without throwing', () => {
  const snap = Snapshot.from([
    obj('example.com/v1', 'Gateway', 'x', 'ns'),
    obj('networking.k8s.io/v1beta1', 'Ingress', 'old-shape', 'ns'),
    obj('extensions/v1beta1', 'Ingress', 'older', 'ns'),
    obj('apps/v1', 'Deployment', 'd', 'ns'),
    null, 42, 'text', {}, { kind: 'Service', apiVersion: 'v1' }, { kind: 'Service', apiVersion: 'v1', metadata: { name: 7 } },
    obj('v1', 'Service', 'Bad Name', 'ns'), obj('v1', 'Service', 'ok', 'Bad_NS'), obj('v1', 'Service', '-x', 'ns'),
  ]);
  assert.equal(snap.size, 0);
});

test('a later duplicate replaces the earlier one everywhere, including the slice index', () => {
  const first = slice('s-1', 'old');
  const second = slice('s-1', 'new', '2');
  const snap = Snapshot.from([first, second]);
  assert.equal(snap.list('EndpointSlice').length, 1);
  assert.equal(snap.get('EndpointSlice', 'ns', 's-1'), second);
  assert.deepEqual(snap.endpointSlicesFor('ns', 'old'), []);
  assert.deepEqual(snap.endpointSlicesFor('ns', 'new'), [second]);
});

test('changedKeys names changed, added and removed objects, the groups they belong to and their kind in every namespace', () => {
  const svc = obj('v1', 'Service', 's', 'ns', { metadata: { name: 's', namespace: 'ns', uid: 'u', resourceVersion: '1' } });
  const a = slice('a', 's');
  const b = slice('b', 's');
  const before = Snapshot.from([svc, a, b]);
  assert.deepEqual([...Snapshot.changedKeys(before, Snapshot.from([svc, a, b]))], []);
  // Same uid and resourceVersion in a new object: unchanged (a relist gives new objects).
  assert.deepEqual([...Snapshot.changedKeys(before, Snapshot.from([{ ...svc }, a, b]))], []);
  const moved = slice('b', 'other', '2');
  assert.deepEqual(new Set(Snapshot.changedKeys(before, Snapshot.from([svc, a, moved]))),
    new Set([objectKey('EndpointSlice', 'ns', 'b'), slicesKey('ns', 'other'), slicesKey('ns', 's'), listAllKey('EndpointSlice')]));
  assert.deepEqual(new Set(Snapshot.changedKeys(before, Snapshot.from([a, b]))),
    new Set([objectKey('Service', 'ns', 's'), listKey('Service', 'ns'), listAllKey('Service')]));
  const added = obj('v1', 'Secret', 'x', 'ns');
  assert.deepEqual(new Set(Snapshot.changedKeys(before, Snapshot.from([svc, a, b, added]))),
    new Set([objectKey('Secret', 'ns', 'x'), listKey('Secret', 'ns'), listAllKey('Secret')]));
});

test('a status write (same generation) does not change the kind in every namespace; a spec change does', () => {
  const route = (rv: string, generation: number, uid = 'u') => obj('gateway.networking.k8s.io/v1', 'HTTPRoute', 'r', 'ns', { metadata: { name: 'r', namespace: 'ns', uid, resourceVersion: rv, generation } });
  const before = Snapshot.from([route('1', 1)]);
  assert.equal(Snapshot.changedKeys(before, Snapshot.from([route('2', 1)])).has(listAllKey('HTTPRoute')), false);
  assert.equal(Snapshot.changedKeys(before, Snapshot.from([route('3', 2)])).has(listAllKey('HTTPRoute')), true);
  assert.equal(Snapshot.changedKeys(before, Snapshot.from([])).has(listAllKey('HTTPRoute')), true);
  // Deleted and created again in between (kubectl replace --force): generation 1 again, a new uid.
  assert.equal(Snapshot.changedKeys(before, Snapshot.from([route('4', 1, 'u2')])).has(listAllKey('HTTPRoute')), true);
});
