import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Snapshot } from '../snapshot.js';
import type { KubeObject } from '../types.js';
import { endpointState, formatTarget, mergeTargets, serviceTargets } from './endpoints.js';
import { Reader } from './reader.js';

test('drain truth table (semantics.md s2) with the flag off and on, and berth serving:false', () => {
  const rows: Array<[object, string, string]> = [
    [{}, 'normal', 'normal'],
    [{ ready: true, terminating: false }, 'normal', 'normal'],
    [{ ready: true, terminating: true }, 'normal', 'draining'],
    [{ terminating: true }, 'normal', 'draining'],
    [{ ready: false, terminating: true }, 'skip', 'draining'],
    [{ ready: false, serving: true, terminating: true }, 'skip', 'draining'],
    [{ ready: false, serving: false, terminating: true }, 'skip', 'skip'],
    [{ ready: true, serving: false, terminating: true }, 'normal', 'skip'],
    [{ ready: false }, 'skip', 'skip'],
    [{ ready: false, terminating: false }, 'skip', 'skip'],
    [{ ready: null, terminating: null }, 'normal', 'normal'],
  ];
  for (const [conditions, off, on] of rows) {
    assert.equal(endpointState(conditions, false), off, `off ${JSON.stringify(conditions)}`);
    assert.equal(endpointState(conditions, true), on, `on ${JSON.stringify(conditions)}`);
  }
  assert.equal(endpointState(undefined, true), 'normal');
});

test('formatTarget brackets IPv6 only', () => {
  assert.equal(formatTarget('10.0.0.1', 80), '10.0.0.1:80');
  assert.equal(formatTarget('fd00::1', 80), '[fd00::1]:80');
  assert.equal(formatTarget('api.example.com', 443), 'api.example.com:443');
});

const service: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'ns' }, spec: { ports: [{ name: 'http', port: 80 }] } };

function targetsFor(endpoints: Array<{ ready?: boolean; terminating?: boolean }>, weight: number | undefined, drain: boolean) {
  const slice: KubeObject = {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 's-1', namespace: 'ns', labels: { 'kubernetes.io/service-name': 's' } },
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: endpoints.map((conditions, i) => ({ addresses: [`10.0.0.${i + 1}`], conditions })),
  };
  return serviceTargets(new Reader(Snapshot.from([service, slice])), service, { name: 'http', port: 80 }, weight, drain);
}

test('weights: default 100, spread over non-terminating targets, terminating 0, w == 0 all 0', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ ready: fc.boolean(), terminating: fc.boolean() }), { maxLength: 20 }),
      fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
      fc.boolean(),
      (endpoints, weight, drain) => {
        const targets = targetsFor(endpoints, weight, drain);
        const kept = endpoints.filter((e) => endpointState(e, drain) !== 'skip');
        assert.equal(targets.length, kept.length);
        const active = kept.filter((e) => endpointState(e, drain) === 'normal').length;
        targets.forEach((t, i) => {
          const draining = endpointState(kept[i]!, drain) === 'draining';
          const expected = draining ? 0 : weight === undefined ? 100 : weight === 0 ? 0 : Math.max(1, Math.floor(weight / active));
          assert.equal(t.weight, expected);
        });
      },
    ),
  );
});

test('mergeTargets tells one pod on two ports apart: its sessions stay with the port that issued them', () => {
  const merged = mergeTargets([
    { target: '10.0.0.5:9090', weight: 10, tags: ['berth.identity=uid-x'] },
    { target: '10.0.0.5:8080', weight: 90, tags: ['berth.identity=uid-x'] },
    { target: '10.0.0.6:8080', weight: 90, tags: ['berth.identity=uid-y'] },
  ]);
  assert.deepEqual(merged.map((t) => t.tags), [['berth.identity=uid-x:8080'], ['berth.identity=uid-x:9090'], ['berth.identity=uid-y']]);
});

test('mergeTargets sums duplicate addresses (capped at 65535) and sorts', () => {
  const merged = mergeTargets([
    { target: '10.0.0.2:80', weight: 10 },
    { target: '10.0.0.1:80', weight: 60000, tags: ['berth.identity=a'] },
    { target: '10.0.0.1:80', weight: 60000 },
    { target: '10.0.0.2:80', weight: 5 },
  ]);
  assert.deepEqual(merged, [
    { target: '10.0.0.1:80', weight: 65535, tags: ['berth.identity=a'] },
    { target: '10.0.0.2:80', weight: 15 },
  ]);
});

test('malformed slices and endpoints are skipped, not thrown on', () => {
  const bad: KubeObject = {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'x', namespace: 'ns', labels: { 'kubernetes.io/service-name': 's' } },
    ports: [null, { name: 'http', port: 'eighty' }, { name: 'http', port: 8080 }] as any[],
    endpoints: [null, {}, { addresses: [] }, { addresses: [42] }, { addresses: ['10.0.0.9'], conditions: 'yes', targetRef: { uid: 7 } }],
  };
  const targets = serviceTargets(new Reader(Snapshot.from([service, bad])), service, { name: 'http', port: 80 }, undefined, true);
  assert.deepEqual(targets, [{ target: '10.0.0.9:8080', weight: 100 }]);
});
