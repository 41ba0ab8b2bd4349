import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionKeyring } from '../sticky/token.js';
import { ConsistentHashingBalancer } from './consistent-hashing.js';
import { LatencyBalancer } from './latency.js';
import { LeastConnectionsBalancer } from './least-connections.js';
import { createBalancer } from './registry.js';
import { RoundRobinBalancer } from './round-robin.js';
import { StickyBalancer } from './sticky.js';

const deps = { keyring: SessionKeyring.random(), now: Date.now, random: Math.random };

test('createBalancer: one policy per algorithm', () => {
  assert.ok(createBalancer({ name: 'u' }, deps) instanceof RoundRobinBalancer);
  assert.ok(createBalancer({ name: 'u', algorithm: 'least-connections' }, deps) instanceof LeastConnectionsBalancer);
  assert.ok(createBalancer({ name: 'u', algorithm: 'latency' }, deps) instanceof LatencyBalancer);
  assert.ok(createBalancer({ name: 'u', algorithm: 'consistent-hashing', hash_on: 'ip' }, deps) instanceof ConsistentHashingBalancer);
  assert.ok(createBalancer({ name: 'u', algorithm: 'consistent-hashing', hash_on: 'none' }, deps) instanceof RoundRobinBalancer);
  assert.ok(createBalancer({ name: 'u', algorithm: 'sticky-sessions', sticky_sessions_cookie: 's', sticky_sessions_cookie_path: '/' }, deps) instanceof StickyBalancer);
});
