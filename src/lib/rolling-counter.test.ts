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

test('a counter that never saw an event counts 0 and has an empty history', () => {
  const c = new RollingCounter(5);
  assert.equal(c.count(1_000_000_000), 0);
  assert.deepEqual(c.history(1_000_000_000), [0, 0, 0, 0, 0]);
});

test('buckets of different seconds stay apart (count and history agree with a list of the events)', () => {
  const c = new RollingCounter(60);
  const t0 = Date.UTC(2026, 10, 30);
  const events = Array.from({ length: 500 }, (_, i) => t0 + ((i * 7919) % 90_000));
  events.sort((a, b) => a - b);
  for (const e of events) c.add(e);
  const now = t0 + 90_000;
  const nowSecond = Math.floor(now / 1000);
  const expected = new Array<number>(60).fill(0);
  for (const e of events) {
    const age = nowSecond - Math.floor(e / 1000);
    if (age < 60) expected[59 - age]!++;
  }
  assert.deepEqual(c.history(now), expected);
  assert.equal(c.count(now), expected.reduce((a, b) => a + b, 0));
});
