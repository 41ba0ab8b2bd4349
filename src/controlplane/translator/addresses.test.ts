import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Snapshot } from '../snapshot.js';
import { DEFAULT_TRANSLATE_OPTIONS, type KubeObject } from '../types.js';
import { ingressLoadBalancer, publishedAddresses } from './addresses.js';
import { Reader } from './reader.js';

const svc = (name: string, spec: object, status?: object): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'kong' }, spec, status });
const reader = new Reader(Snapshot.from([
  svc('lb', { clusterIP: '10.96.0.1' }, { loadBalancer: { ingress: [{ ip: '203.0.113.5' }, { hostname: 'lb.example.com' }] } }),
  svc('internal', { clusterIP: '10.96.0.2', clusterIPs: ['10.96.0.2', 'fd00::2'] }),
  svc('headless', { clusterIP: 'None' }),
]));
const opts = (extra: object) => ({ ...DEFAULT_TRANSLATE_OPTIONS, ...extra });

test('published addresses: --publish-status-address wins over --publish-service', () => {
  assert.deepEqual(publishedAddresses(reader, opts({ publishStatusAddresses: ['192.0.2.1', 'gw.example.com'], publishService: 'kong/lb' })),
    [{ type: 'IPAddress', value: '192.0.2.1' }, { type: 'Hostname', value: 'gw.example.com' }]);
});

test('published addresses: the Service\'s load-balancer ingress, else its ClusterIPs, never "None"', () => {
  assert.deepEqual(publishedAddresses(reader, opts({ publishService: 'kong/lb' })), [{ type: 'IPAddress', value: '203.0.113.5' }, { type: 'Hostname', value: 'lb.example.com' }]);
  assert.deepEqual(publishedAddresses(reader, opts({ publishService: 'kong/internal' })), [{ type: 'IPAddress', value: '10.96.0.2' }, { type: 'IPAddress', value: 'fd00::2' }]);
  assert.deepEqual(publishedAddresses(reader, opts({ publishService: 'kong/headless' })), []);
  assert.deepEqual(publishedAddresses(reader, opts({ publishService: 'kong/missing', defaultStatusAddresses: ['127.0.0.1'] })), []);
  assert.deepEqual(publishedAddresses(reader, opts({ publishService: 'no-slash' })), []);
});

test('published addresses: the default (manifests mode) only when no flag is set', () => {
  assert.deepEqual(publishedAddresses(reader, opts({ defaultStatusAddresses: ['127.0.0.1'] })), [{ type: 'IPAddress', value: '127.0.0.1' }]);
  assert.deepEqual(publishedAddresses(reader, DEFAULT_TRANSLATE_OPTIONS), []);
});

test('ingress status: ip or hostname entries, empty when there is no address', () => {
  assert.deepEqual(ingressLoadBalancer([{ type: 'IPAddress', value: '10.0.0.1' }, { type: 'Hostname', value: 'a.example' }]), { ingress: [{ ip: '10.0.0.1' }, { hostname: 'a.example' }] });
  assert.deepEqual(ingressLoadBalancer([]), {});
});
