import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoundRobinBalancer } from './round-robin.js';
import { pickRequest, targets } from './testing.js';
import type { Balancer } from './balancer.js';

const seq = (b: Balancer, n: number): string => Array.from({ length: n }, () => b.pick(pickRequest())?.identity ?? '-').join('');

test('round-robin: weights 3:1 interleave as A A B A', () => {
  const b = new RoundRobinBalancer();
  b.update(targets(300, 100));
  assert.equal(seq(b, 8), 'aabaaaba');
});

test('round-robin: weights 5:1:1 are spread out, not bunched', () => {
  const b = new RoundRobinBalancer();
  b.update(targets(5, 1, 1));
  assert.equal(seq(b, 7), 'aabacaa');
});

test('round-robin: weight 0 and unhealthy targets are never picked', () => {
  const b = new RoundRobinBalancer();
  const ts = targets(100, 0, 100);
  b.update(ts);
  assert.equal(seq(b, 4), 'acac');
  ts[2]!.healthy = false; // not yet re-fed: pick itself skips it
  assert.equal(seq(b, 3), 'aaa');
  ts[0]!.healthy = false;
  assert.equal(b.pick(pickRequest()), null);
});

test('round-robin: exclude skips targets a retry already failed on', () => {
  const b = new RoundRobinBalancer();
  const ts = targets(100, 100);
  b.update(ts);
  const ex = new Set([ts[0]!]);
  assert.equal(seq({ update: () => {}, pick: (r) => b.pick(r, ex) }, 3), 'bbb');
  assert.equal(b.pick(pickRequest(), new Set(ts)), null);
});

test('round-robin: position survives update() when targets survive', () => {
  const b = new RoundRobinBalancer();
  const ts = targets(100, 100, 100);
  b.update(ts);
  assert.equal(seq(b, 2), 'ab');
  b.update([...ts]);
  assert.equal(seq(b, 1), 'c');
  const [d] = targets(100, 100, 100, 100).slice(3);
  b.update([...ts, d!]);
  assert.equal(seq(b, 5), 'abcda');
  b.update([ts[0]!, ts[2]!]); // next was b, which left: continue from the same place
  assert.equal(seq(b, 3), 'cac');
});

test('round-robin: empty upstream answers null', () => {
  const b = new RoundRobinBalancer();
  b.update([]);
  assert.equal(b.pick(pickRequest()), null);
  b.update(targets(0, 0));
  assert.equal(b.pick(pickRequest()), null);
});

test('round-robin: huge coprime weights are scaled, proportions kept', () => {
  const b = new RoundRobinBalancer();
  b.update(targets(65535, 65534, 1));
  const counts = new Map<string, number>();
  for (let i = 0; i < 20000; i++) {
    const id = b.pick(pickRequest())!.identity;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  assert.ok(Math.abs(counts.get('a')! - counts.get('b')!) < 20);
  assert.ok(counts.get('c')! >= 1 && counts.get('c')! <= 4);
});
