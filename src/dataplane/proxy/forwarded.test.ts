import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forwardedElement, forwardingHeaders } from './forwarded.js';

const CLIENT = {
  host: 'shop.example:8443',
  'x-forwarded-for': '203.0.113.9',
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'public.example',
  'x-forwarded-port': '443',
  'x-forwarded-path': '/public/p',
  'x-forwarded-prefix': '/public',
  'x-real-ip': '203.0.113.9',
  forwarded: 'for=203.0.113.9;proto=https',
  via: '1.1 edge',
};

function parse(head: string): Record<string, string> {
  return Object.fromEntries(head.trimEnd().split('\r\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
}

test('from a trusted peer the client\'s X-Forwarded-* are kept, XFF and Forwarded extended', () => {
  const h = parse(forwardingHeaders('10.0.0.5', CLIENT, true, false, 'shop.example', 8000, '/p'));
  assert.deepEqual(h, {
    'X-Forwarded-For': '203.0.113.9, 10.0.0.5',
    'X-Forwarded-Proto': 'https',
    'X-Forwarded-Host': 'public.example',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Path': '/public/p',
    'X-Real-IP': '203.0.113.9',
    Via: '1.1 edge, 1.1 berth',
    'X-Forwarded-Prefix': '/public',
    Forwarded: 'for=203.0.113.9;proto=https, for=10.0.0.5;host="shop.example:8443";proto=http',
  });
});

test('from any other peer they are replaced by what berth saw, XFF included (only Via is appended)', () => {
  const h = parse(forwardingHeaders('10.0.0.5', CLIENT, false, false, 'shop.example', 8000, '/p'));
  assert.deepEqual(h, {
    'X-Forwarded-For': '10.0.0.5',
    'X-Forwarded-Proto': 'http',
    'X-Forwarded-Host': 'shop.example',
    'X-Forwarded-Port': '8000',
    'X-Forwarded-Path': '/p',
    'X-Real-IP': '10.0.0.5',
    Via: '1.1 edge, 1.1 berth',
    Forwarded: 'for=10.0.0.5;host="shop.example:8443";proto=http',
  });
});

test('a trusted peer that sends nothing gets berth\'s own values; no Forwarded unless the client sent one', () => {
  const h = parse(forwardingHeaders('10.0.0.5', { host: 'a.example' }, true, true, 'a.example', 8443, '/'));
  assert.deepEqual(h, {
    'X-Forwarded-For': '10.0.0.5', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'a.example',
    'X-Forwarded-Port': '8443', 'X-Forwarded-Path': '/', 'X-Real-IP': '10.0.0.5', Via: '1.1 berth',
  });
});

test('Forwarded elements quote IPv6 nodes and non-token hosts (RFC 7239 s6)', () => {
  assert.equal(forwardedElement('2001:db8::1', 'a.example', 'https'), 'for="[2001:db8::1]";host=a.example;proto=https');
  assert.equal(forwardedElement('::ffff:10.0.0.1', undefined, 'http'), 'for="[::ffff:10.0.0.1]";proto=http');
  assert.equal(forwardedElement('10.0.0.1', 'a"b', 'http'), 'for=10.0.0.1;host="a\\"b";proto=http');
});
