import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../config/validate.js';
import type { GrpcRoutePrecedence, HttpRoutePrecedence, RouteConfig } from '../../config/types.js';
import { compileRouter } from './compile.js';
import type { RouteRequest } from './types.js';

// Gateway API HTTPRoute precedence (apis/v1/httproute_types.go, HTTPRouteRule) on routes shaped
// as the translator emits them; the end-to-end version of these cases is in
// test/e2e/conformance-core.test.ts (conformance/tests/httproute-path-match-order.go,
// httproute-matching.go, httproute-matching-across-routes.go).

type Spec = Partial<RouteConfig> & { name: string; p?: Partial<HttpRoutePrecedence> | Partial<GrpcRoutePrecedence> };

const OLD = '2025-01-01T00:00:00Z';

function prefix(value: string): string[] {
  const t = value.replace(/\/+$/, '');
  return t === '' ? ['/'] : [`~${t}$`, `${t}/`];
}

function gw(name: string, type: HttpRoutePrecedence['path_type'], path: string, extra: Partial<Spec> = {}): Spec {
  const paths = type === 'PathPrefix' ? prefix(path) : type === 'Exact' ? [`~${path}$`] : [`~${path}`];
  return { name, paths, ...extra, p: { path_type: type, path, ...extra.p } };
}

function routerOf(specs: Spec[]) {
  const services = specs.map(({ p, ...r }) => {
    const route: Record<string, unknown> = { ...r, strip_path: false };
    if (p !== undefined) route.gateway_api_precedence = { creation_timestamp: OLD, route: 'ns/r', rule: 0, match: 0, ...p };
    return { name: `svc-${r.name}`, host: 'backend', routes: [route] };
  });
  const result = validateConfig({ _format_version: '3.0', services });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.flat));
  return compileRouter(result.config);
}

function req(path: string, extra: Partial<RouteRequest> = {}): RouteRequest {
  const q = path.indexOf('?');
  return { method: 'GET', host: 'example.com', path: q < 0 ? path : path.slice(0, q), query: q < 0 ? '' : path.slice(q + 1), headers: {}, tls: false, ...extra };
}

const cases: Array<[string, Spec[], RouteRequest, string | null]> = [
  ['a longer prefix beats a method and header match', [
    gw('method', 'PathPrefix', '/a', { methods: ['GET'], headers: { x: ['1'] } }), gw('long', 'PathPrefix', '/a/b')], req('/a/b/c', { headers: { x: '1' } }), 'long'],
  ['exact beats a longer-reaching prefix', [gw('prefix', 'PathPrefix', '/match/'), gw('exact', 'Exact', '/match')], req('/match'), 'exact'],
  ['prefix /match/ still matches /match/any', [gw('exact', 'Exact', '/match'), gw('prefix', 'PathPrefix', '/match/')], req('/match/any'), 'prefix'],
  ['trailing slash does not lengthen a prefix', [gw('slash', 'PathPrefix', '/a/', { p: { rule: 0 } }), gw('plain', 'PathPrefix', '/a', { p: { rule: 1 } })], req('/a/x'), 'slash'],
  ['method beats headers', [gw('headers', 'PathPrefix', '/', { headers: { a: ['1'], b: ['2'] } }), gw('method', 'PathPrefix', '/', { methods: ['GET'] })], req('/', { headers: { a: '1', b: '2' } }), 'method'],
  ['more headers win', [gw('one', 'PathPrefix', '/', { headers: { a: ['1'] } }), gw('two', 'PathPrefix', '/', { headers: { a: ['1'], b: ['2'] } })], req('/', { headers: { a: '1', b: '2' } }), 'two'],
  ['headers beat query params', [gw('query', 'PathPrefix', '/', { query_params: { q: ['1'], r: ['2'] } }), gw('header', 'PathPrefix', '/', { headers: { a: ['1'] } })], req('/?q=1&r=2', { headers: { a: '1' } }), 'header'],
  ['more query params win', [gw('one', 'PathPrefix', '/', { query_params: { q: ['1'] } }), gw('two', 'PathPrefix', '/', { query_params: { q: ['1'], r: ['2'] } })], req('/?q=1&r=2'), 'two'],
  ['the older route wins a tie', [gw('new', 'PathPrefix', '/', { p: { creation_timestamp: '2026-01-01T00:00:00Z', route: 'a/a' } }), gw('old', 'PathPrefix', '/', { p: { creation_timestamp: OLD, route: 'z/z' } })], req('/'), 'old'],
  ['then namespace/name alphabetically', [gw('b', 'PathPrefix', '/', { p: { route: 'ns/b' } }), gw('a', 'PathPrefix', '/', { p: { route: 'ns/a' } })], req('/'), 'a'],
  ['then rule order, not config order', [gw('rule2', 'PathPrefix', '/', { p: { rule: 2 } }), gw('rule10', 'PathPrefix', '/', { p: { rule: 10 } })], req('/'), 'rule2'],
  ['an exact hostname beats a wildcard with a longer path', [gw('wild', 'PathPrefix', '/a/b/c', { hosts: ['*.example.com'] }), gw('exact', 'PathPrefix', '/', { hosts: ['a.example.com'] })], req('/a/b/c', { host: 'a.example.com' }), 'exact'],
  ['the longer wildcard wins', [gw('short', 'PathPrefix', '/', { hosts: ['*.com'] }), gw('long', 'PathPrefix', '/', { hosts: ['*.example.com'] })], req('/', { host: 'a.example.com' }), 'long'],
  ['no match falls through to nothing', [gw('a', 'Exact', '/a')], req('/b'), null],
];

for (const [name, specs, request, expected] of cases) {
  test(`gateway api precedence: ${name}`, () => {
    assert.equal(routerOf(specs).match(request)?.route.name ?? null, expected);
  });
}

// GRPCRoute precedence (apis/v1/grpcroute_types.go GRPCRouteRule.Matches), routes shaped as the
// translator emits them (controlplane/translator/grpcroute-rules.ts methodPaths).
function grpcRoute(name: string, service: string, method: string, extra: Partial<Spec> = {}): Spec {
  const paths = service !== '' && method !== '' ? [`~/${service}/${method}$`] : service !== '' ? [`/${service}/`] : method !== '' ? [`~/[^/]+/${method}$`] : ['/'];
  return { name, paths, protocols: ['grpc', 'grpcs'], ...extra, p: { grpc_service: service, grpc_method: method, ...extra.p } };
}

const grpcCases: Array<[string, Spec[], RouteRequest, string]> = [
  ['a service match beats a method-only match (more service characters)', [grpcRoute('method', '', 'Say'), grpcRoute('service', 'a.Echo', '')], req('/a.Echo/Say'), 'service'],
  ['service and method beat the service alone', [grpcRoute('service', 'a.Echo', '', { headers: { x: ['1'] } }), grpcRoute('both', 'a.Echo', 'Say')], req('/a.Echo/Say', { headers: { x: '1' } }), 'both'],
  ['more header matches win at equal names', [grpcRoute('one', 'a.Echo', 'Say', { headers: { x: ['1'] } }), grpcRoute('two', 'a.Echo', 'Say', { headers: { x: ['1'], y: ['2'] } })], req('/a.Echo/Say', { headers: { x: '1', y: '2' } }), 'two'],
  ['then the first rule, not the name order ("10" < "2")', [grpcRoute('rule10', 'a.Echo', 'Say', { p: { rule: 10 } }), grpcRoute('rule2', 'a.Echo', 'Say', { p: { rule: 2 } })], req('/a.Echo/Say'), 'rule2'],
  ['then the older route', [grpcRoute('new', 'a.Echo', 'Say', { p: { creation_timestamp: '2026-01-01T00:00:00Z', route: 'a/a' } }), grpcRoute('old', 'a.Echo', 'Say', { p: { route: 'z/z' } })], req('/a.Echo/Say'), 'old'],
];

for (const [name, specs, request, expected] of grpcCases) {
  test(`grpcroute precedence: ${name}`, () => {
    assert.equal(routerOf(specs).match(request)?.route.name ?? null, expected);
  });
}

test('gateway api precedence: Kong routes keep Kong order; between the families Kong order decides', () => {
  // Kong alone: more matcher kinds beat a longer path (router.test.ts).
  const kong = [{ name: 'k-long', paths: ['/a/very/long'] }, { name: 'k-method', paths: ['/a'], methods: ['GET'] }];
  assert.equal(routerOf([...kong, gw('g', 'PathPrefix', '/zzz')]).match(req('/a/very/long'))?.route.name, 'k-method');
  // An HTTPRoute match with a host outranks a hostless Kong route in Kong's order too.
  const mixed = routerOf([{ name: 'kong', paths: ['/'] }, gw('gw', 'PathPrefix', '/', { hosts: ['example.com'] })]);
  assert.equal(mixed.match(req('/x'))?.route.name, 'gw');
  assert.equal(mixed.match(req('/x', { host: 'other.com' }))?.route.name, 'kong');
});

test('gateway api precedence: an invalid precedence is rejected field by field', () => {
  const bad = validateConfig({ _format_version: '3.0', services: [{ name: 's', host: 'b', routes: [
    { name: 'r', paths: ['/'], gateway_api_precedence: { path_type: 'Glob', path: '/', creation_timestamp: 'yesterday', route: 'a/b', rule: -1 } },
  ] }] });
  assert.ok(!bad.ok);
  const fields = bad.flat.flatMap((e) => e.errors.map((x) => x.field));
  for (const f of ['gateway_api_precedence.path_type', 'gateway_api_precedence.creation_timestamp', 'gateway_api_precedence.rule', 'gateway_api_precedence.match']) {
    assert.ok(fields.includes(f), `${f} in ${JSON.stringify(bad.flat)}`);
  }
  const mixed = validateConfig({ _format_version: '3.0', services: [{ name: 's', host: 'b', routes: [
    { name: 'r', paths: ['/'], gateway_api_precedence: { path_type: 'Exact', path: '/', grpc_service: 'a.B', creation_timestamp: OLD, route: 'a/b', rule: 0, match: 0 } },
  ] }] });
  assert.ok(!mixed.ok);
  assert.deepEqual(mixed.flat.flatMap((e) => e.errors.map((x) => `${x.field}: ${x.message}`)), [
    'gateway_api_precedence.path_type: a GRPCRoute precedence has grpc_service and grpc_method, no path',
    'gateway_api_precedence.path: a GRPCRoute precedence has grpc_service and grpc_method, no path',
    'gateway_api_precedence.grpc_method: required field missing',
  ]);
});

test('listener ports: a route with listeners matches only on sockets standing for one of them; the catch-all socket matches it', () => {
  const result = validateConfig({ _format_version: '3.0', listeners: [{ name: 'ns/gw:80', port: 80 }, { name: 'ns/gw:8080', port: 8080 }],
    services: [{ name: 's', host: 'b', routes: [
      { name: 'on80', paths: ['/'], listeners: ['ns/gw:80'] },
      { name: 'on8080', paths: ['/'], listeners: ['ns/gw:8080'] },
    ] }] });
  assert.ok(result.ok);
  const router = compileRouter(result.config);
  const on = (port: number, names: string[]) => router.match(req('/', { entryPoint: { port, names: new Set(names) } }))?.route.name ?? null;
  assert.equal(on(80, ['ns/gw:80']), 'on80');
  assert.equal(on(8080, ['ns/gw:8080']), 'on8080');
  assert.equal(on(9090, ['other/gw:9090']), null);
  assert.equal(router.match(req('/'))?.route.name, 'on80');
});

test('grpcroute precedence: where both kinds meet, a GRPCRoute matching everything does not beat a longer HTTPRoute path', () => {
  const router = routerOf([grpcRoute('grpc-all', '', ''), gw('http-api', 'PathPrefix', '/api')]);
  assert.equal(router.match(req('/api/x'))?.route.name, 'http-api');
  assert.equal(router.match(req('/a.Echo/Say'))?.route.name, 'grpc-all');
});
