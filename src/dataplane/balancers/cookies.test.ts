import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cookieValue, randomToken } from './cookies.js';

test('cookieValue: finds the named cookie only', () => {
  assert.equal(cookieValue('a=1; lb=xyz; b=2', 'lb'), 'xyz');
  assert.equal(cookieValue('lbx=1; lb=2', 'lb'), '2');
  assert.equal(cookieValue('xlb=1', 'lb'), undefined);
  assert.equal(cookieValue('lb=', 'lb'), undefined);
  assert.equal(cookieValue(['a=1', 'lb=3'], 'lb'), '3');
  assert.equal(cookieValue(undefined, 'lb'), undefined);
});

test('cookieValue: never throws on garbage', () => {
  fc.assert(fc.property(fc.string(), fc.string({ minLength: 1 }), (h, n) => {
    const v = cookieValue(h, n);
    assert.ok(v === undefined || typeof v === 'string');
  }));
});

test('randomToken: 32 hex chars', () => {
  assert.match(randomToken(Math.random), /^[0-9a-f]{32}$/);
  assert.equal(randomToken(() => 0), '0'.repeat(32));
});
