import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseListenerBinding } from '../cli/listener-flags.js';
import { validateConfig } from '../config/validate.js';
import { planSockets } from './entry-points.js';

const L = (name: string, port: number, extra: object = {}) => ({ name, port, ...extra });

function plan(value: string, listeners: Array<{ name: string; port: number; protocol?: 'http' | 'https'; addresses?: string[] }>) {
  const { sockets, conflicts } = planSockets(listeners, parseListenerBinding(value, '127.0.0.1'));
  return { sockets: Object.fromEntries([...sockets].map(([k, s]) => [k, [s.port, [...s.names].sort()]])), conflicts };
}

test('gateway listeners: auto binds each HTTP listener port on the Gateway addresses or the proxy host; Gateways sharing one share the socket', () => {
  const got = plan('auto', [L('a/gw:80', 80), L('b/gw:80', 80), L('a/gw:8080', 8080), L('c/pinned:80', 80, { addresses: ['127.0.0.42'] }), L('a/gw:443', 443, { protocol: 'https' })]);
  assert.deepEqual(got.sockets, {
    '127.0.0.1:80': [80, ['a/gw:80', 'b/gw:80']],
    '127.0.0.1:8080': [8080, ['a/gw:8080']],
    '127.0.0.42:80': [80, ['c/pinned:80']],
  });
});

test('gateway listeners: a named mapping beats a port mapping beats auto; off binds only what is mapped', () => {
  const listeners = [L('a/gw:80', 80), L('b/gw:80', 80), L('a/gw:8080', 8080)];
  assert.deepEqual(plan('auto,80=127.0.0.1:18080,b/gw:80=127.0.0.2:18080', listeners).sockets, {
    '127.0.0.1:18080': [80, ['a/gw:80']], '127.0.0.2:18080': [80, ['b/gw:80']], '127.0.0.1:8080': [8080, ['a/gw:8080']],
  });
  assert.deepEqual(plan('off,8080=[::1]:9000', listeners).sockets, { '[::1]:9000': [8080, ['a/gw:8080']] });
});

test('gateway listeners: one socket cannot stand for two listener ports; the first keeps it', () => {
  const got = plan('80=127.0.0.1:9000,8080=127.0.0.1:9000', [L('a/gw:80', 80), L('a/gw:8080', 8080)]);
  assert.deepEqual(got.sockets, { '127.0.0.1:9000': [80, ['a/gw:80']] });
  assert.equal(got.conflicts.length, 1);
});

test('gateway listeners: bad flag values are refused', () => {
  for (const bad of ['80', 'x=127.0.0.1:1', '80=nope', 'ns/gw=127.0.0.1:1']) assert.throws(() => parseListenerBinding(bad, '0.0.0.0'), bad);
});

test('gateway listeners: config listeners are validated and routes may only name declared ones', () => {
  const ok = validateConfig({ _format_version: '3.0', listeners: [{ name: 'ns/gw:80', port: 80, addresses: ['10.0.0.1'] }],
    services: [{ name: 's', host: 'b', routes: [{ name: 'r', paths: ['/'], listeners: ['ns/gw:80'] }] }] });
  assert.ok(ok.ok);
  const bad = validateConfig({ _format_version: '3.0', listeners: [{ name: 'ns/gw:81', port: 80, addresses: ['not-an-ip'], protocol: 'udp' }],
    services: [{ name: 's', host: 'b', routes: [{ name: 'r', paths: ['/'], listeners: ['ns/gw:80'] }] }] });
  assert.ok(!bad.ok);
  const messages = bad.flat.flatMap((e) => e.errors.map((x) => `${x.field}: ${x.message}`));
  for (const want of ['name:', 'addresses.0: expected an IP address', 'protocol:', "listeners.0: unknown listener 'ns/gw:80'"]) {
    assert.ok(messages.some((m) => m.startsWith(want) || m.includes(want)), `${want} in ${JSON.stringify(messages)}`);
  }
});
