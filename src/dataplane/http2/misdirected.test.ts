import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildTlsContexts, NO_TLS } from '../proxy/tls.js';
import { httpsListenerHostnames, NO_LISTENER_HOSTNAMES, selectListener } from '../router/listener-hostnames.js';
import { isMisdirected } from './misdirected.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/tls/${name}`, import.meta.url), 'utf8');

test('a host served with another certificate than the SNI chose is misdirected', () => {
  const contexts = buildTlsContexts([
    { cert: fixture('a.crt'), key: fixture('a.key'), snis: ['example.org', '*.wild.example'] },
    { cert: fixture('wild.crt'), key: fixture('wild.key'), snis: ['second-example.org'] },
  ], NO_TLS);
  assert.equal(isMisdirected(contexts, NO_LISTENER_HOSTNAMES, 'example.org', 'example.org'), false);
  assert.equal(isMisdirected(contexts, NO_LISTENER_HOSTNAMES, 'example.org', 'a.wild.example'), false, 'same certificate covers it');
  assert.equal(isMisdirected(contexts, NO_LISTENER_HOSTNAMES, 'example.org', 'second-example.org'), true);
  assert.equal(isMisdirected(contexts, NO_LISTENER_HOSTNAMES, 'second-example.org', 'example.org'), true);
  assert.equal(isMisdirected(contexts, NO_LISTENER_HOSTNAMES, undefined, 'second-example.org'), true, 'no SNI: the default certificate');
  assert.equal(isMisdirected(contexts, NO_LISTENER_HOSTNAMES, 'example.org', 'unknown.test'), false, 'both fall back to the default');
  assert.equal(isMisdirected(NO_TLS, NO_LISTENER_HOSTNAMES, 'a', 'b'), false);
});

// kubernetes-sigs/gateway-api conformance/tests/httproute-https-listener-detect-misdirected-requests.go:
// one certificate on four HTTPS listeners of port 443 (base manifests' same-namespace-with-https-listener);
// 421 where the Host selects another listener than the SNI, else routing answers (200 or 404).
const DETECT_MISDIRECTED: Array<{ serverName: string; host: string; status: 200 | 404 | 421 }> = [
  { serverName: 'example.org', host: 'example.org', status: 200 },
  { serverName: 'example.org', host: 'second-example.org', status: 421 },
  { serverName: 'example.org', host: 'unknown-example.org', status: 404 },
  { serverName: 'second-example.org', host: 'second-example.org', status: 200 },
  { serverName: 'second-example.org', host: 'example.org', status: 421 },
  { serverName: 'second-example.org', host: 'unknown-example.org', status: 421 },
  { serverName: 'third-example.wildcard.org', host: 'third-example.wildcard.org', status: 200 },
  { serverName: 'third-example.wildcard.org', host: 'fith-example.wildcard.org', status: 200 },
  { serverName: 'third-example.wildcard.org', host: 'fourth-example.wildcard.org', status: 421 },
  { serverName: 'third-example.wildcard.org', host: 'second-example.org', status: 421 },
  { serverName: 'third-example.wildcard.org', host: 'unknown-example.org', status: 421 },
  { serverName: 'fourth-example.wildcard.org', host: 'fourth-example.wildcard.org', status: 200 },
  { serverName: 'fourth-example.wildcard.org', host: 'fith-example.wildcard.org', status: 421 },
  { serverName: 'unknown-example.org', host: 'example.org', status: 200 },
  { serverName: 'unknown-example.org', host: 'unknown-example.org', status: 404 },
];

test('a host that selects another HTTPS listener than the SNI is misdirected, with one certificate for all (HTTPRouteHTTPSListenerDetectMisdirectedRequests)', () => {
  const contexts = buildTlsContexts([{ cert: fixture('a.crt'), key: fixture('a.key'), snis: ['example.org'] }], NO_TLS);
  const listeners = httpsListenerHostnames([
    { name: 'infra/gw:443', port: 443, protocol: 'https', hostnames: ['*', 'second-example.org', '*.wildcard.org', 'fourth-example.wildcard.org'] },
  ]);
  for (const c of DETECT_MISDIRECTED) {
    assert.equal(isMisdirected(contexts, listeners, c.serverName, c.host), c.status === 421, `SNI ${c.serverName}, Host ${c.host}`);
  }
  assert.equal(isMisdirected(contexts, listeners, undefined, 'second-example.org'), false, 'no SNI: no listener to compare with');
});

test('a name selects the most specific listener hostname: exact, the longest wildcard suffix, then one without', () => {
  const listeners = httpsListenerHostnames([
    { name: 'a/gw:443', port: 443, protocol: 'https', hostnames: ['*.example.com', 'a.example.com'] },
    { name: 'b/gw:8443', port: 8443, protocol: 'https', hostnames: ['*.b.example.com'] },
    { name: 'c/gw:80', port: 80, protocol: 'http' },
  ]);
  assert.equal(selectListener(listeners, 'a.example.com'), 'a.example.com');
  assert.equal(selectListener(listeners, 'x.a.example.com'), '*.example.com');
  assert.equal(selectListener(listeners, 'x.b.example.com'), '*.b.example.com');
  assert.equal(selectListener(listeners, 'b.example.com'), '*.example.com');
  assert.equal(selectListener(listeners, 'example.com'), null, 'a wildcard needs a label before its suffix');
  assert.equal(selectListener(listeners, 'other.org'), null);
  const contexts = buildTlsContexts([
    { cert: fixture('a.crt'), key: fixture('a.key'), snis: ['*.b.example.com'] },
    { cert: fixture('wild.crt'), key: fixture('wild.key'), snis: ['other.org'] },
  ], NO_TLS);
  assert.equal(isMisdirected(contexts, listeners, 'x.b.example.com', 'other.org'), false, 'a host no listener takes is left to routing (404), whatever its certificate');
  assert.equal(isMisdirected(contexts, listeners, 'x.b.example.com', 'x.b.example.com.'), false, 'an absolute name is the same name');
  assert.equal(httpsListenerHostnames([{ name: 'a/gw:443', port: 443, protocol: 'https', hostnames: ['*'] }]).trivial, true);
  const one = httpsListenerHostnames([{ name: 'a/gw:443', port: 443, protocol: 'https', hostnames: ['foo.example.com'] }]);
  assert.equal(one.trivial, false, 'one listener with a hostname: a name selects it or none');
  assert.equal(isMisdirected(NO_TLS, one, 'baz.example.com', 'foo.example.com'), true);
});
