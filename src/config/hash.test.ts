import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashConfig, hashUpstream } from './hash.js';

test('hashUpstream: key order does not matter, values do', () => {
  const a = hashUpstream({ name: 'u', algorithm: 'round-robin', targets: [{ target: 'a:1', weight: 1 }] });
  const b = hashUpstream({ targets: [{ weight: 1, target: 'a:1' }], algorithm: 'round-robin', name: 'u' });
  assert.equal(a, b);
  assert.notEqual(a, hashUpstream({ name: 'u', algorithm: 'round-robin', targets: [{ target: 'a:1', weight: 2 }] }));
  assert.notEqual(a, hashUpstream({ name: 'u', algorithm: 'latency', targets: [{ target: 'a:1', weight: 1 }] }));
});

test('hashConfig: array order matters, undefined fields do not', () => {
  const base = { _format_version: '3.0', services: [{ name: 'a', host: 'h' }, { name: 'b', host: 'h' }] };
  assert.equal(hashConfig(base), hashConfig({ ...base, upstreams: undefined }));
  assert.notEqual(hashConfig(base), hashConfig({ ...base, services: [...base.services].reverse() }));
  assert.notEqual(hashConfig({ _format_version: '3.0', services: [{ name: '1', host: 'h', port: 1 }] }),
    hashConfig({ _format_version: '3.0', services: [{ name: '1', host: 'h', port: '1' as unknown as number }] }));
});
