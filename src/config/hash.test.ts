import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashConfig, hashService, hashUpstream, rememberHashes } from './hash.js';

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

test('hashConfig: configs larger than one hashing batch are still independent of key order', () => {
  const targets = Array.from({ length: 3000 }, (_, i) => ({ target: `10.0.${i >> 8}.${i & 255}:80`, weight: 100 }));
  const a = hashUpstream({ name: 'u', algorithm: 'round-robin', targets });
  const b = hashUpstream({ targets: targets.map((t) => ({ weight: t.weight, target: t.target })), algorithm: 'round-robin', name: 'u' });
  assert.equal(a, b);
  assert.notEqual(a, hashUpstream({ name: 'u', algorithm: 'round-robin', targets: targets.slice(1) }));
});

test('rememberHashes: digests from the push worker are used for those objects only', () => {
  const u = { name: 'u', algorithm: 'round-robin' as const, targets: [{ target: 'a:1', weight: 1 }] };
  const copy = structuredClone(u);
  const own = hashUpstream(u);
  rememberHashes([u], ['from-worker']);
  assert.equal(hashUpstream(u), 'from-worker');
  assert.equal(hashUpstream(copy), own);
  rememberHashes([copy], []);
  assert.equal(hashUpstream(copy), own, 'a mismatched list is ignored');
});

test('hashService: covers the routes, ignores key order, is the digest an equal copy gets', () => {
  const s = { name: 's', host: 'up', routes: [{ name: 'r', paths: ['/a'], strip_path: false }] };
  const reordered = { routes: [{ strip_path: false, paths: ['/a'], name: 'r' }], host: 'up', name: 's' };
  assert.equal(hashService(s), hashService(reordered));
  assert.notEqual(hashService(s), hashService({ ...s, routes: [{ name: 'r', paths: ['/b'], strip_path: false }] }));
});
