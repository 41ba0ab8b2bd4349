// Cases ported from kubernetes-sigs/gateway-api conformance/tests/httproute-cors.go (+ .yaml):
// the four routes' filters as the translator emits them, each request and its expected headers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { Cors } from './cors.js';

const multiple = new Cors({
  origins: ['https://www.foo.com', 'https://*.bar.com'],
  methods: ['GET', 'OPTIONS'],
  headers: ['x-header-1', 'x-header-2'],
  exposed_headers: ['x-header-3', 'x-header-4'],
  credentials: true,
  max_age: 3600,
});
const wildcardMethods = new Cors({ origins: ['https://www.foo.com'], methods: ['*'], headers: [], max_age: 5 });
const wildcardOrigin = new Cors({ origins: ['*'], methods: ['PUT'], headers: [], credentials: false, max_age: 5 });
const allWildcards = new Cors({ origins: ['*'], methods: ['*'], headers: ['*'], credentials: true, max_age: 5 });
const allWildcardsUnauth = new Cors({ origins: ['*'], methods: ['*'], headers: ['*'], credentials: false, max_age: 5 });

/** preflight runs a preflight and returns the status and headers (lower-cased names). */
function preflight(cors: Cors, headers: IncomingHttpHeaders): { status: number; headers: Record<string, string> } {
  assert.ok(cors.answersPreflight({ method: 'OPTIONS', headers }));
  const answer = cors.preflight(headers);
  assert.equal(answer.body, '');
  return { status: answer.status, headers: toRecord(answer.headers) };
}

function actual(cors: Cors, headers: IncomingHttpHeaders): Record<string, string> {
  const list: string[] = [];
  cors.response(list, headers);
  return toRecord(list);
}

function toRecord(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < list.length; i += 2) out[list[i]!.toLowerCase()] = list[i + 1]!;
  return out;
}

const ask = (origin: string, method: string, headers?: string): IncomingHttpHeaders => ({
  origin,
  'access-control-request-method': method,
  ...(headers === undefined ? {} : { 'access-control-request-headers': headers }),
});

describe('cors preflight (httproute-cors.go)', () => {
  for (const origin of ['https://www.foo.com', 'https://www.bar.com', 'https://xpto.www.bar.com']) {
    test(`allowed origin ${origin} gets every configured header`, () => {
      const r = preflight(multiple, ask(origin, 'GET', 'x-header-1, x-header-2'));
      assert.ok(r.status === 200 || r.status === 204);
      assert.equal(r.headers['access-control-allow-origin'], origin);
      assert.equal(r.headers['access-control-allow-methods'], 'GET, OPTIONS');
      assert.equal(r.headers['access-control-allow-headers'], 'x-header-1, x-header-2');
      assert.equal(r.headers['access-control-expose-headers'], 'x-header-3, x-header-4');
      assert.equal(r.headers['access-control-max-age'], '3600');
      assert.equal(r.headers['access-control-allow-credentials'], 'true');
    });
  }

  test('a non-matching origin gets no CORS headers', () => {
    const r = preflight(multiple, ask('https://foobar.com', 'GET'));
    assert.ok([200, 204, 403].includes(r.status));
    assert.equal(r.headers['access-control-allow-origin'], undefined);
  });

  test('wildcard methods allow POST; no credentials header when not enabled', () => {
    const r = preflight(wildcardMethods, ask('https://www.foo.com', 'POST'));
    assert.ok(['POST', '*'].includes(r.headers['access-control-allow-methods']!));
    assert.equal(r.headers['access-control-allow-origin'], 'https://www.foo.com');
    assert.equal(r.headers['access-control-allow-credentials'], undefined);
  });

  for (const origin of ['https://foobar.com', 'https://foobar.com:12345']) {
    test(`wildcard origin ${origin}: '*' or the origin, configured method`, () => {
      const r = preflight(wildcardOrigin, ask(origin, 'PUT'));
      assert.ok([origin, '*'].includes(r.headers['access-control-allow-origin']!));
      assert.equal(r.headers['access-control-allow-methods'], 'PUT');
      assert.equal(r.headers['access-control-allow-credentials'], undefined);
    });
  }

  test('all wildcards with credentials echo origin, method and headers (never "*")', () => {
    const r = preflight(allWildcards, ask('https://other.foo.com', 'PUT', 'x-header-1, x-header-2'));
    assert.equal(r.headers['access-control-allow-origin'], 'https://other.foo.com');
    assert.equal(r.headers['access-control-allow-methods'], 'PUT');
    assert.equal(r.headers['access-control-allow-headers'], 'x-header-1, x-header-2');
    assert.equal(r.headers['access-control-allow-credentials'], 'true');
  });

  test('all wildcards without credentials hide the credentials header', () => {
    const r = preflight(allWildcardsUnauth, ask('https://other.foo.com', 'PUT', 'x-header-1, x-header-2'));
    assert.ok(['https://other.foo.com', '*'].includes(r.headers['access-control-allow-origin']!));
    assert.ok(['PUT', '*'].includes(r.headers['access-control-allow-methods']!));
    assert.equal(r.headers['access-control-allow-credentials'], undefined);
  });

  test('without Access-Control-Request-Headers no Allow-Headers is sent (HTTPCORSFilter.AllowHeaders)', () => {
    const r = preflight(allWildcards, ask('https://other.foo.com', 'PUT'));
    assert.equal(r.headers['access-control-allow-headers'], undefined);
  });
});

describe('cors actual requests (httproute-cors.go)', () => {
  test('exact and wildcard origins are echoed; others get nothing', () => {
    assert.equal(actual(multiple, { origin: 'https://www.foo.com' })['access-control-allow-origin'], 'https://www.foo.com');
    assert.equal(actual(multiple, { origin: 'https://www.bar.com' })['access-control-allow-origin'], 'https://www.bar.com');
    assert.deepEqual(actual(multiple, { origin: 'https://foobar.com' }), {});
    assert.deepEqual(actual(multiple, {}), {});
  });

  test("the upstream's own CORS headers are replaced, not doubled; other headers stay", () => {
    const list = ['Access-Control-Allow-Origin', '*', 'access-control-allow-credentials', 'false', 'X-Other', '1'];
    multiple.response(list, { origin: 'https://www.foo.com' });
    const names = list.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    assert.equal(names.filter((n) => n === 'access-control-allow-origin').length, 1);
    assert.deepEqual(toRecord(list), {
      'x-other': '1',
      'access-control-allow-origin': 'https://www.foo.com',
      vary: 'Origin',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'x-header-3, x-header-4',
    });
  });

  test('credentials follow allowCredentials', () => {
    assert.equal(actual(allWildcards, { origin: 'https://other.foo.com' })['access-control-allow-credentials'], 'true');
    const unauth = actual(allWildcardsUnauth, { origin: 'https://other.foo.com' });
    assert.ok(['https://other.foo.com', '*'].includes(unauth['access-control-allow-origin']!));
    assert.equal(unauth['access-control-allow-credentials'], undefined);
  });

  test('ports and schemes are part of the origin; a header-splitting Origin is refused', () => {
    const cors = new Cors({ origins: ['http://a.example', 'https://b.example:8443'] });
    assert.equal(cors.allowedOrigin('http://a.example:80'), 'http://a.example:80');
    assert.equal(cors.allowedOrigin('https://a.example'), null);
    assert.equal(cors.allowedOrigin('https://b.example:8443'), 'https://b.example:8443');
    assert.equal(cors.allowedOrigin('https://b.example'), null);
    assert.equal(cors.allowedOrigin('http://a.example\r\nX-Evil: 1'), null);
    assert.equal(cors.allowedOrigin('null'), null);
  });

  test('a non-preflight OPTIONS (no Access-Control-Request-Method) is proxied', () => {
    assert.equal(multiple.answersPreflight({ method: 'OPTIONS', headers: { origin: 'https://www.foo.com' } }), false);
    assert.equal(multiple.answersPreflight({ method: 'GET', headers: ask('https://www.foo.com', 'GET') }), false);
    assert.equal(new Cors({ preflight_continue: true }).answersPreflight({ method: 'OPTIONS', headers: ask('https://a.example', 'GET') }), false);
  });
});
