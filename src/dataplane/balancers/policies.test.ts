import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TargetState } from '../targets/target.js';
import type { Balancer } from './balancer.js';
import { ConsistentHashingBalancer } from './consistent-hashing.js';
import { LatencyBalancer } from './latency.js';
import { LeastConnectionsBalancer } from './least-connections.js';
import { RoundRobinBalancer } from './round-robin.js';
import { pickRequest } from './testing.js';

const policies: Array<[string, () => Balancer]> = [
  ['round-robin', () => new RoundRobinBalancer()],
  ['least-connections', () => new LeastConnectionsBalancer()],
  ['latency', () => new LatencyBalancer(() => 0)],
  ['consistent-hashing', () => new ConsistentHashingBalancer({ name: 'u', hash_on: 'header', hash_on_header: 'x-k', slots: 10 })],
];

const targetArb = fc.record({
  weight: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 65535 })),
  healthy: fc.boolean(),
  removed: fc.boolean(),
  inFlight: fc.nat(50),
  ewma: fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 1e4, noNaN: true })),
  excluded: fc.boolean(),
});

for (const [name, make] of policies) {
  test(`${name}: picks only a usable target, and null only when there is none`, () => {
    fc.assert(fc.property(fc.array(targetArb, { maxLength: 12 }), fc.string(), fc.nat(3), (specs, key, updates) => {
      const ts = specs.map((s, i) => {
        const t = new TargetState('u', `id${i}`, `10.0.0.${i}`, 80, s.weight);
        Object.assign(t, { healthy: s.healthy, removed: s.removed, inFlight: s.inFlight, ewmaLatencyMs: s.ewma });
        return t;
      });
      const exclude = new Set(ts.filter((_, i) => specs[i]!.excluded));
      const b = make();
      for (let u = 0; u <= updates; u++) b.update(ts.slice(0, ts.length - u));
      b.update(ts);
      const anyUsable = ts.some((t) => t.servesNew && !exclude.has(t));
      for (let i = 0; i < 5; i++) {
        const t = b.pick(pickRequest({ headers: { 'x-k': `${key}${i}` } }), exclude);
        if (t === null) assert.equal(anyUsable, false);
        else assert.ok(t.servesNew && !exclude.has(t) && ts.includes(t));
      }
    }), { numRuns: 300 });
  });
}
