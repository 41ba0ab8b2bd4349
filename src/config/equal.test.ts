import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { sameConfigValue } from './equal.js';
import { hashConfig } from './hash.js';

test('sameConfigValue: key order and undefined fields do not matter, array order does', () => {
  assert.equal(sameConfigValue({ a: 1, b: [1, 2], c: undefined }, { b: [1, 2], a: 1 }), true);
  assert.equal(sameConfigValue({ a: 1, b: [1, 2] }, { a: 1, b: [2, 1] }), false);
  assert.equal(sameConfigValue({ a: 1 }, { a: 1, b: null }), false);
  assert.equal(sameConfigValue({ a: '1' }, { a: 1 }), false);
  assert.equal(sameConfigValue([], {}), false);
});

test('sameConfigValue agrees with the digest (config/hash.ts) on JSON values', () => {
  const value = fc.jsonValue({ maxDepth: 3 });
  fc.assert(fc.property(value, value, (a, b) => {
    assert.equal(sameConfigValue(a, b), hashConfig(a as never) === hashConfig(b as never));
    assert.equal(sameConfigValue(a, structuredClone(a)), true);
  }), { numRuns: 300 });
});
