import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestRedirectConfig } from '../../config/types.js';
import type { PluginRequest } from './index.js';
import { RequestRedirect } from './request-redirect.js';

// Expected Locations from kubernetes-sigs/gateway-api conformance/tests/httproute-redirect-port-and-scheme.go,
// httproute-redirect-path.go, httproute-redirect-host-and-status.go (the e2e versions are in
// test/e2e/conformance/filters.ts).

function request(extra: Partial<PluginRequest> & { port?: number } = {}): PluginRequest {
  const { port, ...rest } = extra;
  return {
    method: 'GET', url: '/p?q=1', path: '/p', query: 'q=1', host: 'example.org', headers: { host: 'example.org' }, rawHeaders: [],
    tls: false, clientIp: '127.0.0.1', entryPoint: port === undefined ? null : { port, names: new Set() }, requestHeaders: null, upstreamPath: '/p', ...rest,
  };
}

function location(config: RequestRedirectConfig, req: PluginRequest): string {
  const answer = new RequestRedirect(config).answer(req);
  return answer.headers[answer.headers.indexOf('Location') + 1]!;
}

const cases: Array<[string, RequestRedirectConfig, PluginRequest, string]> = [
  ['scheme and port unset on listener 80', {}, request({ port: 80 }), 'http://example.org/p?q=1'],
  ['scheme and port unset on listener 8080', {}, request({ port: 8080 }), 'http://example.org:8080/p?q=1'],
  ['port 80 on listener 8080 is dropped', { port: 80 }, request({ port: 8080 }), 'http://example.org/p?q=1'],
  ['scheme https, port unset: 443, dropped', { scheme: 'https' }, request({ port: 8080 }), 'https://example.org/p?q=1'],
  ['scheme https, port 8443', { scheme: 'https', port: 8443 }, request({ port: 80 }), 'https://example.org:8443/p?q=1'],
  ['TLS listener 443, scheme unset', {}, request({ port: 443, tls: true }), 'https://example.org/p?q=1'],
  ['hostname replaced', { hostname: 'other.example' }, request({ port: 80 }), 'http://other.example/p?q=1'],
  ['full path replaced', { replace_full_path: '/full' }, request({ port: 80 }), 'http://example.org/full?q=1'],
  ['prefix replaced', { replace_prefix_match: { prefix: '/original-prefix', replacement: '/replacement-prefix' } },
    request({ port: 80, path: '/original-prefix/lemon', query: '' }), 'http://example.org/replacement-prefix/lemon'],
  ['catch-all socket: the port from Host', {}, request({ headers: { host: 'example.org:31000' } }), 'http://example.org:31000/p?q=1'],
  ['no Host: a relative reference', {}, request({ host: '', headers: {} }), '/p?q=1'],
];

for (const [name, config, req, want] of cases) {
  test(`request-redirect: ${name}`, () => assert.equal(location(config, req), want));
}

test('request-redirect: status defaults to 302 and keeps 301/303/307/308', () => {
  assert.equal(new RequestRedirect({}).answer(request()).status, 302);
  for (const code of [301, 303, 307, 308] as const) assert.equal(new RequestRedirect({ status_code: code }).answer(request()).status, code);
});
