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

test('unresolved share with sticky sessions: it splits new sessions only; a pinned one keeps its target, draining included', () => {
  const b = createBalancer({ name: 'u', algorithm: 'sticky-sessions', sticky_sessions_cookie: 's', unresolved_weight: 100 }, deps);
  const ts = targets(100, 100);
  b.update(ts);
  let first = pickRequest();
  let picked = b.pick(first);
  let unresolvedNew = 0;
  while (picked === UNRESOLVED_BACKEND) {
    assert.equal(first.setCookie, undefined, 'the 500 share pins nothing');
    unresolvedNew++;
    first = pickRequest();
    picked = b.pick(first);
  }
  assert.ok(first.setCookie !== undefined);
  const cookie = first.setCookie.split(';')[0]!;
  for (let i = 0; i < 10; i++) assert.equal(b.pick(pickRequest({ headers: { cookie } })), picked);
  // The pinned target drains (weight 0): its session still reaches it, never the 500 share.
  picked!.weight = 0;
  b.update(ts);
  for (let i = 0; i < 10; i++) assert.equal(b.pick(pickRequest({ headers: { cookie } })), picked);
  // New sessions still meet the share: 100 unresolved against the 100 live left after the drain, half of them.
  let share = 0;
  for (let i = 0; i < 100; i++) if (b.pick(pickRequest()) === UNRESOLVED_BACKEND) share++;
  assert.equal(share, 50);
  assert.ok(unresolvedNew <= 1);
});
