import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyBalancer } from './latency.js';
import { pickRequest, targets } from './testing.js';

test('latency: untried targets first, then the lowest ewma', () => {
  let now = 0;
  const b = new LatencyBalancer(() => now);
  const ts = targets(100, 100, 100);
  b.update(ts);
  const first = [b.pick(pickRequest())!, b.pick(pickRequest())!, b.pick(pickRequest())!].map((t) => t.identity);
  assert.deepEqual(first.sort(), ['a', 'b', 'c']);
  b.done(ts[0]!, 50);
  b.done(ts[1]!, 10);
  b.done(ts[2]!, 30);
  for (let i = 0; i < 5; i++) assert.equal(b.pick(pickRequest())!.identity, 'b');
  ts[1]!.inFlight = 5; // 10 * 6 = 60 > 30 * 1
  assert.equal(b.pick(pickRequest())!.identity, 'c');
});

test('latency: peak EWMA jumps up at once and decays with time', () => {
  let now = 1000;
  const b = new LatencyBalancer(() => now);
  const [t] = targets(100);
  b.update([t!]);
  b.done(t!, 10);
  assert.equal(t!.ewmaLatencyMs, 10);
  now += 100;
  b.done(t!, 100);
  assert.equal(t!.ewmaLatencyMs, 100);
  now += 100;
  b.done(t!, 10);
  assert.ok(t!.ewmaLatencyMs > 95 && t!.ewmaLatencyMs < 100, String(t!.ewmaLatencyMs));
  now += 60_000;
  b.done(t!, 10);
  assert.ok(t!.ewmaLatencyMs < 11, String(t!.ewmaLatencyMs));
});

test('latency: the average lives on the target and survives a new balancer', () => {
  const ts = targets(100, 100);
  const b1 = new LatencyBalancer(() => 0);
  b1.update(ts);
  b1.done(ts[0]!, 5);
  b1.done(ts[1]!, 50);
  const b2 = new LatencyBalancer(() => 0);
  b2.update(ts);
  assert.equal(b2.pick(pickRequest())!.identity, 'a');
});

test('latency: weight 0 and excluded targets never picked', () => {
  const b = new LatencyBalancer(() => 0);
  const ts = targets(0, 100);
  b.update(ts);
  assert.equal(b.pick(pickRequest())!.identity, 'b');
  assert.equal(b.pick(pickRequest(), new Set([ts[1]!])), null);
});
