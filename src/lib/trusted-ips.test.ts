import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_TRUSTED_IPS, parseTrustedIps } from './trusted-ips.js';

test('IPv4 CIDRs match IPv4 peers and IPv4-mapped IPv6 peers', () => {
  const trusted = parseTrustedIps('10.0.0.0/8, 192.168.1.7');
  assert.equal(trusted.trusts('10.255.0.1'), true);
  assert.equal(trusted.trusts('::ffff:10.1.2.3'), true);
  assert.equal(trusted.trusts('192.168.1.7'), true);
  assert.equal(trusted.trusts('192.168.1.8'), false);
  assert.equal(trusted.trusts('11.0.0.1'), false);
  assert.equal(trusted.trusts('::ffff:11.0.0.1'), false);
  assert.equal(trusted.trusts('::1'), false);
});

test('IPv6 CIDRs match IPv6 peers only', () => {
  const trusted = parseTrustedIps(['fd00::/8', '::1']);
  assert.equal(trusted.trusts('fd12:3456::1'), true);
  assert.equal(trusted.trusts('::1'), true);
  assert.equal(trusted.trusts('fe80::1'), false);
  assert.equal(trusted.trusts('127.0.0.1'), false);
});

test('0.0.0.0/0 and ::/0 trust everyone; the default trusts no one', () => {
  const all = parseTrustedIps('0.0.0.0/0,::/0');
  for (const ip of ['1.2.3.4', '::ffff:1.2.3.4', '2001:db8::1']) assert.equal(all.trusts(ip), true, ip);
  assert.equal(NO_TRUSTED_IPS.trusts('127.0.0.1'), false);
  assert.equal(all.trusts(''), false, 'a closed socket has no address');
});

test('bad entries are refused with the entry named', () => {
  for (const bad of ['10.0.0.0/33', '::/129', 'example.com', '10.0.0/8', '10.0.0.0/', '10.0.0.0/-1', 'fd00::/x']) {
    assert.throws(() => parseTrustedIps(bad), new RegExp(bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')), bad);
  }
});
