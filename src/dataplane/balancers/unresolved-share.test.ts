import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBalancer } from './registry.js';
import { pickRequest, targets } from './testing.js';
import { UNRESOLVED_BACKEND } from './unresolved-share.js';
import { SessionKeyring } from '../sticky/token.js';

const deps = { keyring: SessionKeyring.fromSecrets(['test-secret-0123456789']), now: () => 0, random: () => 0.5 };

function shareOf(unresolved: number, weights: number[], picks: number): number {
  const b = createBalancer({ name: 'u', unresolved_weight: unresolved }, deps);
  b.update(targets(...weights));
  let n = 0;
  for (let i = 0; i < picks; i++) if (b.pick(pickRequest()) === UNRESOLVED_BACKEND) n++;
  return n;
}

test('unresolved share: exactly its weight share of every window of picks', () => {
  assert.equal(shareOf(100, [100], 200), 100);
  assert.equal(shareOf(1, [1, 1, 1], 400), 100);
  assert.equal(shareOf(30, [70], 100), 30);
});

test('unresolved share: no live target means every pick is answered 500', () => {
  assert.equal(shareOf(1, [], 10), 10);
  assert.equal(shareOf(5, [0, 0], 10), 10);
});

test('unresolved share: unset or zero leaves the policy alone', () => {
  const b = createBalancer({ name: 'u' }, deps);
  b.update(targets(100));
  for (let i = 0; i < 10; i++) assert.notEqual(b.pick(pickRequest()), UNRESOLVED_BACKEND);
});

test('unresolved share: a retry never lands on the unresolved share', () => {
  const b = createBalancer({ name: 'u', unresolved_weight: 1_000 }, deps);
  const ts = targets(1, 1);
  b.update(ts);
  for (let i = 0; i < 20; i++) assert.equal(b.pick(pickRequest(), new Set([ts[0]!])), ts[1]);
});

test('unresolved share: sticky sessions keep working for the resolved share', () => {
  const b = createBalancer({ name: 'u', algorithm: 'sticky-sessions', sticky_sessions_cookie: 's', unresolved_weight: 100 }, deps);
  const ts = targets(100, 100);
  b.update(ts);
  const first = pickRequest();
  let picked = b.pick(first);
  while (picked === UNRESOLVED_BACKEND) picked = b.pick(first);
  assert.ok(first.setCookie !== undefined);
  const cookie = first.setCookie.split(';')[0]!;
  for (let i = 0; i < 10; i++) {
    const again = b.pick(pickRequest({ headers: { cookie } }));
    assert.ok(again === picked || again === UNRESOLVED_BACKEND);
  }
});
