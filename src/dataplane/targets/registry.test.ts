import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TargetRegistry } from './registry.js';

test('a reload finds the same target object; weight changes in place', () => {
  const registry = new TargetRegistry();
  const a = registry.upsert('up', 'pod-a', '10.0.0.1', 80, 100);
  a.inFlight = 2;
  const again = registry.upsert('up', 'pod-a', '10.0.0.1', 80, 0);
  assert.equal(again, a);
  assert.equal(a.weight, 0);
  assert.equal(a.inFlight, 2);
});

test('retire says the endpoint is gone only when no other upstream still has that pod there', () => {
  const registry = new TargetRegistry();
  const inShop = registry.upsert('shop', 'pod-a', '10.0.0.1', 80, 100);
  const inCart = registry.upsert('cart', 'pod-a', '10.0.0.1', 80, 100);
  assert.equal(registry.retire(inShop), false, 'cart still routes to pod-a: keep its pooled connections');
  assert.equal(inShop.removed, true);
  assert.equal(registry.retire(inShop), false, 'retiring twice changes nothing');
  assert.equal(registry.retire(inCart), true);
  assert.equal(registry.size, 0);
});

test('a new pod at a reused address is another endpoint', () => {
  const registry = new TargetRegistry();
  const oldPod = registry.upsert('up', 'pod-old', '10.0.0.1', 80, 100);
  const newPod = registry.upsert('up', 'pod-new', '10.0.0.1', 80, 100);
  assert.notEqual(oldPod, newPod);
  assert.equal(registry.retire(oldPod), true);
  assert.equal(newPod.removed, false);
});
