import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RollingCounter } from './rolling-counter.js';

test('history lists events per second, oldest first, the current second last', () => {
  const c = new RollingCounter(5);
  const t0 = 1_000_000_000;
  c.add(t0);
  c.add(t0 + 10);
  c.add(t0 + 2_000);
  assert.deepEqual(c.history(t0 + 2_500), [0, 0, 2, 0, 1]);
  assert.equal(c.count(t0 + 2_500), 3);
});

test('history forgets seconds that left the window, even when their bucket was not reused', () => {
  const c = new RollingCounter(5);
  const t0 = 1_000_000_000;
  c.add(t0);
  c.add(t0 + 1_000);
  assert.deepEqual(c.history(t0 + 5_000), [0, 0, 0, 0, 0].map((_, i) => (i === 0 ? 1 : 0)));
  assert.deepEqual(c.history(t0 + 6_000), [0, 0, 0, 0, 0]);
  assert.equal(c.count(t0 + 6_000), 0);
});
