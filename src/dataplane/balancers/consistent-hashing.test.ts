import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { UpstreamConfig } from '../../config/types.js';
import { ConsistentHashingBalancer } from './consistent-hashing.js';
import { KetamaRing } from './ketama.js';
import { pickRequest, targets } from './testing.js';
import { TargetState } from '../targets/target.js';

const upstream = (extra: Partial<UpstreamConfig>): UpstreamConfig => ({ name: 'u', algorithm: 'consistent-hashing', slots: 10000, ...extra });

function many(n: number): TargetState[] {
  return Array.from({ length: n }, (_, i) => new TargetState('u', `pod-${i}`, `10.0.${i >> 8}.${i & 255}`, 80, 100));
}

test('consistent-hashing: same key, same target; keys spread over targets', () => {
  const b = new ConsistentHashingBalancer(upstream({ hash_on: 'header', hash_on_header: 'X-User' }));
  b.update(many(5));
  const pick = (user: string) => b.pick(pickRequest({ headers: { 'x-user': user } }))!.identity;
  assert.equal(pick('alice'), pick('alice'));
  const counts = new Map<string, number>();
  for (let i = 0; i < 5000; i++) counts.set(pick(`user-${i}`), (counts.get(pick(`user-${i}`)) ?? 0) + 1);
  assert.equal(counts.size, 5);
  for (const c of counts.values()) assert.ok(c > 600 && c < 1500, `unbalanced: ${[...counts.values()]}`);
});

test('consistent-hashing: removing one of N targets moves only its keys (~1/N)', () => {
  const ts = many(10);
  const b = new ConsistentHashingBalancer(upstream({ hash_on: 'path' }));
  b.update(ts);
  const keys = Array.from({ length: 5000 }, (_, i) => `/k/${i}`);
  const before = keys.map((k) => b.pick(pickRequest({ path: k }))!);
  b.update(ts.filter((t) => t !== ts[3]));
  const after = keys.map((k) => b.pick(pickRequest({ path: k }))!);
  let moved = 0;
  keys.forEach((_, i) => {
    if (before[i] !== after[i]) {
      moved++;
      assert.equal(before[i], ts[3], 'a key moved that was not on the removed target');
    }
  });
  assert.ok(moved / keys.length > 0.05 && moved / keys.length < 0.16, `moved ${moved}`);
});

test('consistent-hashing: weights scale the share; weight 0, unhealthy, excluded skipped', () => {
  const ts = targets(300, 100, 0);
  const b = new ConsistentHashingBalancer(upstream({ hash_on: 'ip' }));
  b.update(ts);
  const counts = new Map<string, number>();
  for (let i = 0; i < 4000; i++) {
    const id = b.pick(pickRequest({ clientIp: `192.168.${i >> 8}.${i & 255}` }))!.identity;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  assert.equal(counts.get('c'), undefined);
  assert.ok(counts.get('a')! / 4000 > 0.65 && counts.get('a')! / 4000 < 0.85, String(counts.get('a')));
  ts[0]!.healthy = false;
  assert.equal(b.pick(pickRequest({ clientIp: '1.2.3.4' }))!.identity, 'b');
  assert.equal(b.pick(pickRequest(), new Set([ts[1]!])), null);
});

test('consistent-hashing: fallback chain, then ""', () => {
  const b = new ConsistentHashingBalancer(upstream({ hash_on: 'query_arg', hash_on_query_arg: 'id', hash_fallback: 'uri_capture', hash_fallback_uri_capture: 'tenant' }));
  b.update(many(20));
  const byQuery = b.pick(pickRequest({ query: 'x=1&id=t7' }));
  const byCapture = b.pick(pickRequest({ uriCaptures: { tenant: 't7' } }));
  assert.equal(byQuery, byCapture, 'query value and capture value t7 hash alike');
  const none1 = b.pick(pickRequest({ path: '/a' }));
  const none2 = b.pick(pickRequest({ path: '/b', clientIp: '9.9.9.9' }));
  assert.equal(none1, none2, 'no input at all hashes ""');
});

test('consistent-hashing: absent cookie is generated, set, and then honoured', () => {
  let r = 0;
  const b = new ConsistentHashingBalancer(upstream({ hash_on: 'cookie', hash_on_cookie: 'lb', hash_on_cookie_path: '/app' }), () => (r = (r + 0.37) % 1));
  b.update(many(8));
  const req = pickRequest({ tls: true });
  const first = b.pick(req);
  assert.match(req.setCookie!, /^lb=[0-9a-f]{32}; Path=\/app; HttpOnly; SameSite=Lax; Secure$/);
  const value = req.setCookie!.split(';')[0]!.slice(3);
  const again = pickRequest({ headers: { cookie: `other=1; lb=${value}` } });
  assert.equal(b.pick(again), first);
  assert.equal(again.setCookie, undefined);
});

test('KetamaRing: total points respect slots; about 160 per equal-weight target', () => {
  assert.equal(new KetamaRing(many(4), 10000).size, 640);
  assert.ok(new KetamaRing(many(100), 1000).size <= 1000);
  assert.equal(new KetamaRing(many(20), 10).size, 20); // every target keeps at least one point
});
