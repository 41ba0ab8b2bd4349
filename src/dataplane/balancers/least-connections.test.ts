import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeastConnectionsBalancer } from './least-connections.js';
import { pickRequest, targets } from './testing.js';

test('least-connections: fewest in-flight per weight', () => {
  const b = new LeastConnectionsBalancer();
  const [a, bb, c] = targets(100, 100, 200);
  b.update([a!, bb!, c!]);
  a!.inFlight = 0;
  bb!.inFlight = 3;
  c!.inFlight = 1; // (1+1)/200 = 1/100 == (0+1)/100: a tie between a and c
  const picked = new Set([b.pick(pickRequest())!.identity, b.pick(pickRequest())!.identity, b.pick(pickRequest())!.identity]);
  assert.deepEqual([...picked].sort(), ['a', 'c']);
  c!.inFlight = 5;
  assert.equal(b.pick(pickRequest())!.identity, 'a');
});

test('least-connections: ties rotate and load evens out as in-flight grows', () => {
  const b = new LeastConnectionsBalancer();
  const ts = targets(100, 100, 100);
  b.update(ts);
  const order: string[] = [];
  for (let i = 0; i < 6; i++) {
    const t = b.pick(pickRequest())!;
    t.inFlight++;
    order.push(t.identity);
  }
  assert.deepEqual(ts.map((t) => t.inFlight), [2, 2, 2]);
  assert.equal(new Set(order.slice(0, 3)).size, 3);
});

test('least-connections: weight 0, unhealthy and excluded never picked', () => {
  const b = new LeastConnectionsBalancer();
  const ts = targets(0, 100, 100);
  b.update(ts);
  ts[1]!.inFlight = 10;
  ts[2]!.healthy = false;
  assert.equal(b.pick(pickRequest())!.identity, 'b');
  assert.equal(b.pick(pickRequest(), new Set([ts[1]!])), null);
});
