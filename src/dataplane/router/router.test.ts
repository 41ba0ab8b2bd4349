import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validateConfig } from '../../config/validate.js';
import type { GatewayConfig, RouteConfig } from '../../config/types.js';
import { compileRouter } from './compile.js';
import type { RouteRequest } from './types.js';

/** routerOf builds a router from routes given as partial RouteConfigs on one or more services. */
function routerOf(routes: Array<Partial<RouteConfig> & { name: string; svcPath?: string }>) {
  const services = routes.map(({ svcPath, ...r }) => ({ name: `svc-${r.name}`, host: 'backend', ...(svcPath ? { path: svcPath } : {}), routes: [r] }));
  const result = validateConfig({ _format_version: '3.0', services });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.flat));
  return compileRouter(result.config as GatewayConfig);
}

function req(path: string, extra: Partial<RouteRequest> = {}): RouteRequest {
  const q = path.indexOf('?');
  return { method: 'GET', host: 'example.com', path: q < 0 ? path : path.slice(0, q), query: q < 0 ? '' : path.slice(q + 1), headers: {}, tls: false, ...extra };
}

const precedence: Array<[string, Array<Partial<RouteConfig> & { name: string }>, RouteRequest, string | null]> = [
  ['longest prefix wins', [{ name: 'short', paths: ['/a'] }, { name: 'long', paths: ['/a/b'] }], req('/a/b/c'), 'long'],
  ['prefix is a plain string prefix', [{ name: 'echo', paths: ['/echo'] }], req('/echoes'), 'echo'],
  ['KIC prefix pair does not match /echoes', [{ name: 'echo', paths: ['~/echo$', '/echo/'] }], req('/echoes'), null],
  ['KIC prefix pair matches /echo', [{ name: 'echo', paths: ['~/echo$', '/echo/'] }], req('/echo'), 'echo'],
  ['regex before prefix', [{ name: 'prefix', paths: ['/api/v1'] }, { name: 'regex', paths: ['~/api/v\\d+'] }], req('/api/v1/x'), 'regex'],
  ['regex_priority orders regexes', [{ name: 'low', paths: ['~/a'], regex_priority: 1 }, { name: 'high', paths: ['~/a/b'], regex_priority: 5 }], req('/a/b'), 'high'],
  ['more matcher kinds win over longer path', [{ name: 'path', paths: ['/a/very/long'] }, { name: 'path+method', paths: ['/a'], methods: ['GET'] }], req('/a/very/long'), 'path+method'],
  ['host + path beat path only', [{ name: 'path', paths: ['/x'] }, { name: 'host', paths: ['/'], hosts: ['example.com'] }], req('/x'), 'host'],
  ['plain host before wildcard host', [{ name: 'wild', hosts: ['*.example.com'] }, { name: 'plain', hosts: ['a.example.com'] }], req('/', { host: 'a.example.com' }), 'plain'],
  ['suffix wildcard matches deeper names', [{ name: 'wild', hosts: ['*.example.com'] }], req('/', { host: 'a.b.example.com' }), 'wild'],
  ['suffix wildcard needs a label', [{ name: 'wild', hosts: ['*.example.com'] }], req('/', { host: 'example.com' }), null],
  ['prefix wildcard', [{ name: 'wild', hosts: ['example.*'] }], req('/', { host: 'example.org' }), 'wild'],
  ['route host port is ignored', [{ name: 'h', hosts: ['Example.com:8443'] }], req('/'), 'h'],
  ['more headers win', [{ name: 'one', headers: { a: ['1'] }, paths: ['/'] }, { name: 'two', headers: { a: ['1'], b: ['2'] }, paths: ['/'] }], req('/', { headers: { a: '1', b: '2' } }), 'two'],
  ['header values case-insensitive', [{ name: 'h', headers: { 'X-Env': ['Canary'] } }], req('/', { headers: { 'x-env': 'CANARY' } }), 'h'],
  ['header regex', [{ name: 'h', headers: { 'x-v': ['~*^v[0-9]+$'] } }], req('/', { headers: { 'x-v': 'V42' } }), 'h'],
  ['header missing', [{ name: 'h', headers: { 'x-v': ['1'] } }], req('/'), null],
  ['method mismatch', [{ name: 'm', methods: ['POST'] }], req('/'), null],
  ['query params exact', [{ name: 'q', paths: ['/'], query_params: { v: ['2'] } }, { name: 'p', paths: ['/'] }], req('/?a=1&v=2'), 'q'],
  ['query params mismatch falls through', [{ name: 'q', paths: ['/'], query_params: { v: ['2'] } }, { name: 'p', paths: ['/'] }], req('/?v=3'), 'p'],
  ['protocol https only', [{ name: 's', paths: ['/'], protocols: ['https'] }], req('/'), null],
  ['protocol https over tls', [{ name: 's', paths: ['/'], protocols: ['https'] }], req('/', { tls: true }), 's'],
  ['config order breaks ties', [{ name: 'first', paths: ['/a'] }, { name: 'second', paths: ['/a'] }], req('/a'), 'first'],
  ['no route', [{ name: 'a', paths: ['/a'] }], req('/b'), null],
];

for (const [name, routes, request, expected] of precedence) {
  test(`router precedence: ${name}`, () => {
    assert.equal(routerOf(routes).match(request)?.route.name ?? null, expected);
  });
}

const strip: Array<[string, Partial<RouteConfig> & { name: string; svcPath?: string }, string, string]> = [
  ['strip prefix', { name: 'r', paths: ['/api'] }, '/api/users', '/users'],
  ['strip to root', { name: 'r', paths: ['/api'] }, '/api', '/'],
  ['no strip', { name: 'r', paths: ['/api'], strip_path: false }, '/api/users', '/api/users'],
  ['strip with trailing slash prefix', { name: 'r', paths: ['/echo/'] }, '/echo/x', '/x'],
  ['service path prepended', { name: 'r', paths: ['/api'], svcPath: '/v2' }, '/api/users', '/v2/users'],
  ['service path with slash', { name: 'r', paths: ['/api/'], svcPath: '/v2/' }, '/api/users', '/v2/users'],
  ['service path, nothing left', { name: 'r', paths: ['/api'], svcPath: '/v2' }, '/api', '/v2'],
  ['regex strips the matched part', { name: 'r', paths: ['~/v\\d+'] }, '/v12/items', '/items'],
  ['no paths: path kept', { name: 'r', hosts: ['example.com'] }, '/z', '/z'],
];

for (const [name, route, path, upstream] of strip) {
  test(`router strip_path: ${name}`, () => {
    assert.equal(routerOf([route]).match(req(path))?.upstreamPath, upstream);
  });
}

test('router: named captures of the matched regex', () => {
  const r = routerOf([{ name: 'r', paths: ['~/users/(?<id>\\d+)(/(?<rest>x))?'] }]);
  assert.deepEqual({ ...r.match(req('/users/42/y'))?.captures }, { id: '42' });
  assert.equal(routerOf([{ name: 'p', paths: ['/u'] }]).match(req('/u'))?.captures, undefined);
});

test('router: match never throws on random requests', () => {
  const router = routerOf([
    { name: 'a', paths: ['/a', '~/b/(?<x>[^/]+)$'], hosts: ['*.example.com', 'example.*', 'x.y'] },
    { name: 'b', headers: { 'x-h': ['v', '~*^a.*z$'] }, methods: ['GET', 'POST'] },
    { name: 'c', paths: ['/'], query_params: { q: ['1'] } },
  ]);
  const headers = fc.dictionary(fc.constantFrom('x-h', 'cookie', 'a'), fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 })), { maxKeys: 3 });
  fc.assert(fc.property(fc.string(), fc.string(), fc.string(), fc.string(), headers, fc.boolean(), (method, host, path, query, h, tls) => {
    const m = router.match({ method, host, path, query, headers: h, tls });
    if (m !== null) assert.ok(m.upstreamPath.startsWith('/'));
  }), { numRuns: 2000 });
});
