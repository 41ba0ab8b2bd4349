import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validateConfig } from '../../config/validate.js';
import type { GatewayConfig, RouteConfig } from '../../config/types.js';
import { compileEntries, compileRouter } from './compile.js';
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
  ['repeated header: any value matches', [{ name: 'h', headers: { 'x-v': ['b'] } }], req('/', { headers: { 'x-v': 'a, b' } }), 'h'],
  ['header missing', [{ name: 'h', headers: { 'x-v': ['1'] } }], req('/'), null],
  ['method mismatch', [{ name: 'm', methods: ['POST'] }], req('/'), null],
  ['query params exact', [{ name: 'q', paths: ['/'], query_params: { v: ['2'] } }, { name: 'p', paths: ['/'] }], req('/?a=1&v=2'), 'q'],
  ['query params mismatch falls through', [{ name: 'q', paths: ['/'], query_params: { v: ['2'] } }, { name: 'p', paths: ['/'] }], req('/?v=3'), 'p'],
  ['protocol https only', [{ name: 's', paths: ['/'], protocols: ['https'] }], req('/'), null],
  ['protocol https over tls', [{ name: 's', paths: ['/'], protocols: ['https'] }], req('/', { tls: true }), 's'],
  ['config order breaks ties', [{ name: 'first', paths: ['/a'] }, { name: 'second', paths: ['/a'] }], req('/a'), 'first'],
  ['no route', [{ name: 'a', paths: ['/a'] }], req('/b'), null],
  ['indexed segment beats shorter unindexed prefix', [{ name: 'root', paths: ['/'] }, { name: 'ap', paths: ['/ap'] }, { name: 'api', paths: ['/api/'] }], req('/api/x'), 'api'],
  ['unindexed prefix still found', [{ name: 'root', paths: ['/'] }, { name: 'ap', paths: ['/ap'] }, { name: 'api', paths: ['/api/'] }], req('/apple'), 'ap'],
  ['unindexed regex outranks indexed prefix', [{ name: 'api', paths: ['/api/'] }, { name: 'rx', paths: ['~/a.i'] }], req('/api/x'), 'rx'],
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

test('router: routes of a disabled service do not match', () => {
  const r = validateConfig({ _format_version: '3.0', services: [
    { name: 'off', host: 'b', enabled: false, routes: [{ name: 'x', paths: ['/x'] }] },
    { name: 'on', host: 'b', routes: [{ name: 'y', paths: ['/'] }] },
  ] });
  assert.ok(r.ok);
  assert.equal(compileRouter(r.config).match(req('/x'))?.route.name, 'y');
});

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

test('router: a request runs only the regexes whose literal prefix matched', () => {
  const routes = Array.from({ length: 300 }, (_, i) => ({ name: `r${i}`, paths: [`~/svc${i}/(?<id>\\d+)$`] }));
  const router = routerOf(routes);
  const exec = RegExp.prototype.exec;
  let calls = 0;
  RegExp.prototype.exec = function (this: RegExp, s: string) {
    calls++;
    return exec.call(this, s);
  };
  try {
    const m = router.match(req('/svc250/7'));
    assert.equal(m?.route.name, 'r250');
    assert.deepEqual({ ...m?.captures }, { id: '7' });
  } finally {
    RegExp.prototype.exec = exec;
  }
  // "/svc2", "/svc25" and "/svc250" share the literal prefix; nothing else runs.
  assert.ok(calls <= 3, `ran ${calls} regexes`);
});

test('router: the indexed match equals a linear scan in priority order', () => {
  const path = fc.constantFrom('/', '/a', '/a/', '/ab', '/a/b', '~/a$', '~/a/(?<x>b)', '~/(a|b)/', '/b/', '~/b.*');
  const route = fc.record({
    paths: fc.option(fc.uniqueArray(path, { minLength: 1, maxLength: 3 }), { nil: undefined }),
    hosts: fc.option(fc.uniqueArray(fc.constantFrom('x.com', '*.x.com', 'x.*', 'y.com'), { minLength: 1, maxLength: 2 }), { nil: undefined }),
    methods: fc.option(fc.constant(['GET']), { nil: undefined }),
    regex_priority: fc.integer({ min: -2, max: 2 }),
    strip_path: fc.boolean(),
  });
  const request = fc.record({
    path: fc.constantFrom('/', '/a', '/a/', '/a/b', '/ab', '/b/', '/b/c', '/c', '/ax/'),
    host: fc.constantFrom('x.com', 'a.x.com', 'x.org', 'y.com', 'z.com', ''),
    method: fc.constantFrom('GET', 'POST'),
  });
  fc.assert(fc.property(fc.array(route, { minLength: 1, maxLength: 8 }), request, (routes, r) => {
    const named = routes.map((rt, i) => ({ ...rt, name: `r${i}`, ...(rt.paths || rt.hosts || rt.methods ? {} : { paths: ['/'] }) }));
    const config = validateConfig({ _format_version: '3.0', services: named.map((rt, i) => ({ name: `s${i}`, host: 'b', routes: [rt] })) });
    assert.ok(config.ok);
    const rq = req(r.path, { host: r.host, method: r.method });
    const indexed = compileRouter(config.config).match(rq);
    let linear = null;
    for (const e of compileEntries(config.config)) {
      const hostOk = e.exactHosts.length + e.hostSuffixes.length + e.hostPrefixes.length === 0 || e.exactHosts.includes(rq.host);
      linear = hostOk ? e.match(rq, true) : e.hasWildcardHost && rq.host !== '' ? e.match(rq, false) : null;
      if (linear) break;
    }
    assert.deepEqual(indexed && [indexed.route.name, indexed.upstreamPath], linear && [linear.route.name, linear.upstreamPath]);
  }), { numRuns: 1500 });
});

// Gateway API listener isolation (kubernetes-sigs/gateway-api conformance/tests/gateway-http-listener-isolation.go):
// a Gateway port with listeners "", "*.example.com", "*.foo.example.com" and "abc.foo.example.com",
// one route attached to each; a host belongs to the most specific listener that takes it.
test('listener isolation: a route answers only the hosts whose most specific listener it is attached through', () => {
  const all = ['*', '*.example.com', '*.foo.example.com', 'abc.foo.example.com'];
  const pathOf: Record<string, string> = { '*': '/empty-hostname', '*.example.com': '/wildcard-example-com', '*.foo.example.com': '/wildcard-foo-example-com', 'abc.foo.example.com': '/abc-foo-example-com' };
  const attached = (served: string, hosts?: string[]): Partial<RouteConfig> & { name: string } => ({
    name: served, paths: [pathOf[served]!], ...(hosts ? { hosts } : {}),
    listener_isolation: { served: [served], other: all.filter((h) => h !== served) },
  });
  const router = routerOf([
    attached('*'),
    attached('*.example.com', ['*.example.com']),
    attached('*.foo.example.com', ['*.foo.example.com']),
    attached('abc.foo.example.com', ['abc.foo.example.com']),
    // The suite's second Gateway: route hostnames that the isolation overrides.
    { ...attached('*'), name: 'with-hostnames', paths: ['/with-hostnames'], hosts: ['bar.com', '*.example.com', 'abc.foo.example.com'] },
  ]);
  const routeFor = (host: string, path: string) => router.match(req(path, { host }))?.route.name ?? null;
  const owner: Record<string, string> = { 'bar.com': '*', 'bar.example.com': '*.example.com', 'bar.foo.example.com': '*.foo.example.com', 'abc.foo.example.com': 'abc.foo.example.com' };
  for (const [host, listener] of Object.entries(owner)) {
    for (const served of all) assert.equal(routeFor(host, pathOf[served]!), served === listener ? served : null, `${host} ${pathOf[served]}`);
    assert.equal(routeFor(host, '/with-hostnames'), listener === '*' ? 'with-hostnames' : null, `${host} /with-hostnames`);
  }
});

test('listener isolation is validated: both lists of listener hostnames, served not empty', () => {
  const bad = validateConfig({ _format_version: '3.0', services: [{ name: 's', host: 'b', routes: [
    { name: 'r', paths: ['/'], listener_isolation: { served: [], other: ['a..b'], extra: 1 } },
    { name: 'q', paths: ['/'], listener_isolation: { other: [] } },
  ] }] });
  assert.equal(bad.ok, false);
  const messages = !bad.ok ? bad.flat.flatMap((e) => e.errors.map((x) => `${e.entity_name} ${x.field}: ${x.message}`)) : [];
  assert.deepEqual(messages.sort(), [
    'q listener_isolation.served: required field missing',
    'r listener_isolation.extra: unknown field',
    'r listener_isolation.other.0: expected a hostname, a *. wildcard or *',
    'r listener_isolation.served: expected a non-empty array',
  ]);
});
