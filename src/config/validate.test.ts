import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validateConfig } from './validate.js';

const svc = (extra: object = {}, routes: object[] = [{ name: 'r', paths: ['/'] }]) => ({ name: 's', host: 'up', routes, ...extra });
const cfg = (extra: object) => ({ _format_version: '3.0', ...extra });

/** errorsOf returns "entity_type/entity_name field: message" lines from the flat shape. */
function errorsOf(input: unknown): string[] {
  const r = validateConfig(input);
  if (r.ok) return [];
  return r.flat.flatMap((e) => e.errors.map((x) => `${e.entity_type}/${e.entity_name ?? ''} ${x.field ?? '@entity'}: ${x.message}`));
}

test('validateConfig: normalizes defaults and moves top-level routes under their service', () => {
  const r = validateConfig(cfg({
    services: [{ name: 's', host: 'up', protocol: 'https' }],
    routes: [{ name: 'top', service: { name: 's' }, hosts: ['Example.COM'] }],
    upstreams: [{ name: 'up', targets: [{ target: '10.0.0.1' }] }],
  }));
  assert.ok(r.ok, JSON.stringify(!r.ok && r.flat));
  const s = r.config.services![0]!;
  assert.deepEqual([s.port, s.retries, s.connect_timeout, s.read_timeout, s.write_timeout], [443, 5, 60000, 60000, 60000]);
  const route = s.routes![0]!;
  assert.deepEqual([route.name, route.strip_path, route.preserve_host, route.regex_priority, route.hosts], ['top', true, false, 0, ['example.com']]);
  assert.deepEqual(route.protocols, ['http', 'https']);
  assert.equal(route.service, undefined);
  const u = r.config.upstreams![0]!;
  assert.deepEqual([u.algorithm, u.slots, u.hash_on, u.hash_fallback, u.sticky_sessions_cookie_path], ['round-robin', 10000, 'none', 'none', '/']);
  assert.deepEqual(u.targets, [{ target: '10.0.0.1:8000', weight: 100 }]);
  assert.deepEqual(u.healthchecks?.active?.unhealthy?.http_statuses, [429, 404, 500, 501, 502, 503, 504, 505]);
  assert.deepEqual(u.healthchecks?.passive?.unhealthy?.http_statuses, [429, 500, 503]);
  assert.equal(r.config.routes, undefined);
});

const cases: Array<[string, unknown, string[]]> = [
  ['not an object', 42, ['config/ @entity: expected a record (the declarative config object)']],
  ['format version', { services: [] }, ['config/ _format_version: required field missing']],
  ['service basics', cfg({ services: [{ port: -1, protocol: 'h2', retries: 40000, read_timeout: 0, path: 'x' }] }), [
    'service/ name: required field missing', 'service/ protocol: expected one of: http, https, grpc, grpcs', 'service/ host: required field missing',
    'service/ path: should start with: /', 'service/ port: value should be between 0 and 65535',
    'service/ retries: value should be between 0 and 32767', 'service/ read_timeout: value should be between 1 and 2147483646']],
  ['unknown field', cfg({ services: [svc({ colour: 'red' })] }), ['service/s colour: unknown field']],
  ['route needs a matcher', cfg({ services: [svc({}, [{ name: 'r' }])] }),
    ["route/r @entity: must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http' or 'https'"]],
  ['route paths and regex', cfg({ services: [svc({}, [{ name: 'r', paths: ['/ok', 'x', '~/(a'] }])] }), [
    'route/r paths.1: should start with: / (fixed path) or ~/ (regex path)', "route/r paths.2: invalid regex: '/(a' (Invalid regular expression: //(a/: Unterminated group)"]],
  ['route fields', cfg({ services: [svc({}, [{ name: 'r', methods: ['get'], hosts: ['a.*.com'], headers: { Host: ['x'] }, protocols: ['ws'] }])] }), [
    'route/r protocols.0: expected one of: http, https, grpc, grpcs', 'route/r methods.0: invalid method (uppercase letters only)',
    'route/r hosts.0: invalid wildcard or hostname', "route/r headers.Host: cannot contain 'host' header, which must be specified in the 'hosts' attribute"]],
  ['duplicate names', cfg({ services: [svc(), svc({}, [{ name: 'r2', paths: ['/'] }])] }), [
    "service/s name: uniqueness violation: service 's' is defined more than once"]],
  ['duplicate route names across services', cfg({ services: [svc(), { name: 't', host: 'h', routes: [{ name: 'r', paths: ['/'] }] }] }), [
    "route/r name: uniqueness violation: route 'r' is defined more than once"]],
  ['unknown service of top-level route', cfg({ routes: [{ name: 'r', service: 'nope', paths: ['/'] }] }), ["route/r service: unknown service 'nope'"]],
  ['upstream ranges', cfg({ upstreams: [{ name: 'u', slots: 5, algorithm: 'random', targets: [{ target: 'a:1', weight: 70000 }, { target: 'a:99999' }] }] }), [
    'upstream/u algorithm: expected one of: round-robin, consistent-hashing, least-connections, latency, sticky-sessions',
    'upstream/u slots: value should be between 10 and 65536', 'target/a:1 weight: value should be between 0 and 65535',
    'target/a:99999 target: port out of range in target "a:99999"']],
  ['hash_on header needs a name', cfg({ upstreams: [{ name: 'u', algorithm: 'consistent-hashing', hash_on: 'header', hash_fallback: 'query_arg' }] }), [
    "upstream/u hash_on_header: required when 'hash_on' is 'header'", "upstream/u hash_fallback_query_arg: required when 'hash_fallback' is 'query_arg'"]],
  ['no fallback with cookie', cfg({ upstreams: [{ name: 'u', hash_on: 'cookie', hash_on_cookie: 'c', hash_fallback: 'ip' }] }), [
    "upstream/u hash_fallback: must be 'none' when 'hash_on' is 'cookie'"]],
  ['sticky needs a cookie', cfg({ upstreams: [{ name: 'u', algorithm: 'sticky-sessions', hash_on: 'ip' }] }), [
    "upstream/u sticky_sessions_cookie: required when 'algorithm' is 'sticky-sessions'", "upstream/u hash_on: must be 'none' when 'algorithm' is 'sticky-sessions'"]],
  ['healthchecks', cfg({ upstreams: [{ name: 'u', healthchecks: { threshold: 101, active: { http_path: 'x', healthy: { http_statuses: [99, 200] } }, passive: { healthy: { interval: 5 } } } }] }), [
    'upstream/u healthchecks.threshold: value should be between 0 and 100', 'upstream/u healthchecks.active.http_path: should start with: /',
    'upstream/u healthchecks.active.healthy.http_statuses.0: value should be between 100 and 599',
    'upstream/u healthchecks.passive.healthy.interval: passive health checks have no interval']],
  ['plugins', cfg({ services: [svc({ plugins: [{ name: 'rate-limiting', config: {} }, { name: 'redirect', config: {} }] })] }), [
    "plugin/rate-limiting name: plugin 'rate-limiting' is not supported (supported: request-transformer, response-transformer, redirect, cors, request-mirror, request-redirect)",
    'plugin/redirect config.location: required field missing']],
  ['certificates', cfg({ certificates: [{ cert: 'nope', key: '-----BEGIN PRIVATE KEY-----\nxx\n-----END PRIVATE KEY-----', snis: ['a b'] }] }), [
    'certificate/ cert: invalid certificate: not a PEM certificate', 'certificate/ key: invalid key: not a PEM private key', 'certificate/ snis.0: invalid SNI name']],
  ['unsupported entity', cfg({ consumers: [] }), ["config/ consumers: unsupported entity 'consumers'"]],
];

for (const [name, input, expected] of cases) {
  test(`validateConfig rejects: ${name}`, () => {
    assert.deepEqual(errorsOf(input).sort(), [...expected].sort());
  });
}

test('validateConfig: free-form plugin fields are bounded (no deep values reach the config)', () => {
  let deep: unknown = 'x';
  for (let i = 0; i < 5000; i++) deep = [deep];
  const plugins = [{ name: 'request-transformer', config: { add: { json: deep } } }];
  assert.deepEqual(errorsOf(cfg({ services: [svc({ plugins })] })), ['plugin/request-transformer config.add.json.0: expected a string']);
  const ok = validateConfig(cfg({ services: [svc({ plugins: [{ name: 'response-transformer' }] })] }));
  assert.ok(ok.ok);
  assert.deepEqual(ok.config.services![0]!.plugins, [{ name: 'response-transformer', config: {} }]);
});

test('validateConfig: Kong url shorthand', () => {
  const r = validateConfig(cfg({ services: [{ name: 's', url: 'https://api.internal:8443/v1/', enabled: false }] }));
  assert.ok(r.ok, JSON.stringify(!r.ok && r.flat));
  const s = r.config.services![0]!;
  assert.deepEqual([s.protocol, s.host, s.port, s.path, s.enabled], ['https', 'api.internal', 8443, '/v1/', false]);
  const def = validateConfig(cfg({ services: [{ name: 's', url: 'http://[fd00::1]' }] }));
  assert.ok(def.ok);
  assert.deepEqual([def.config.services![0]!.host, def.config.services![0]!.port, def.config.services![0]!.path], ['fd00::1', 80, undefined]);
  assert.deepEqual(errorsOf(cfg({ services: [{ name: 's', url: 'http://a', host: 'b' }] })), ['service/s url: cannot be set with: host']);
  assert.deepEqual(errorsOf(cfg({ services: [{ name: 's', url: 'nope' }] })).sort(), ['service/s host: required field missing', 'service/s url: invalid url']);
});

test('validateConfig: nested error body follows Kong (arrays indexed like the input)', () => {
  const r = validateConfig(cfg({ services: [svc(), svc({ name: 't' }, [{ name: 'r2', paths: ['/a', 'b'] }])] }));
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.error.code, 14);
  assert.equal(r.error.name, 'invalid declarative configuration');
  assert.deepEqual(r.error.fields, { services: [null, { routes: [{ paths: [null, 'should start with: / (fixed path) or ~/ (regex path)'] }] }] });
  assert.match(r.error.message, /^declarative config is invalid: services\[1\]\.routes\[0\]\.paths\[1\]: should start/);
});

test('validateConfig: "__proto__" keys from JSON never reach a prototype', () => {
  const input = JSON.parse('{"_format_version":"3.0","services":[{"name":"s","host":"h","routes":[{"name":"r","headers":{"__proto__":["x"]}}]}]}');
  const r = validateConfig(input);
  assert.ok(r.ok);
  const headers = r.config.services![0]!.routes![0]!.headers!;
  assert.deepEqual(Object.keys(headers), ['__proto__']);
  assert.equal(Object.getPrototypeOf(headers), Object.prototype);
});

test('validateConfig: random input never throws and always answers ok or an error body', () => {
  const leaf = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom('/', '~/(', 'http', 'header', 'cookie', 'sticky-sessions'));
  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.constantFrom('name', 'host', 'paths', 'routes', 'targets', 'hash_on', 'headers', 'weight', 'algorithm', 'healthchecks', 'active', 'x'), tie('value'), { maxKeys: 5 })),
  })).value;
  const config = fc.record({
    _format_version: fc.oneof(fc.constant('3.0'), json),
    services: fc.oneof(json, fc.array(fc.record({ name: json, host: json, routes: json }, { requiredKeys: [] }), { maxLength: 3 })),
    upstreams: fc.oneof(json, fc.array(fc.record({ name: json, algorithm: json, targets: json, hash_on: json, healthchecks: json }, { requiredKeys: [] }), { maxLength: 3 })),
    routes: json,
  }, { requiredKeys: [] });
  fc.assert(fc.property(fc.oneof(json, config), (input) => {
    const r = validateConfig(input);
    if (r.ok) assert.equal(r.config._format_version, '3.0');
    else {
      assert.equal(r.error.code, 14);
      assert.ok(r.flat.length > 0);
      assert.doesNotMatch(r.error.message, /internal validation error/);
    }
  }), { numRuns: 400 });
});

/** A self-signed P-256 test certificate for berth.test (100 years), generated with openssl. */
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBgjCCASegAwIBAgIUTWypko0Og3YxAMEEywy1noJVgDcwCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKYmVydGgudGVzdDAgFw0yNjExMjcwNjU0NTJaGA8yMTI2MTEw
MzA2NTQ1MlowFTETMBEGA1UEAwwKYmVydGgudGVzdDBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABHip7EU1YmliEWmbhe3bs5g1uGXBto9EfJUwpAfbis1tJHs8fgH9
CwQarVCvi0RIL1uOx5TN7M8UYBO/diFRNsCjUzBRMB0GA1UdDgQWBBT+G7i5BHWz
92gEIZv2DFTOf8dQWjAfBgNVHSMEGDAWgBT+G7i5BHWz92gEIZv2DFTOf8dQWjAP
BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQCXzO+V/Q2sUopBoSoe
xbehEGmYxuHteLmEnr8/jo5CCAIhAIp6oCPDb8fDg1rzEIwuQp5ZOS7Unbk0ufQ2
td2LThaF
-----END CERTIFICATE-----`;
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQghzCCVVLEXvlyA1ez
zxIr5V8jWUWmr2WuZWDWll6IUVWhRANCAAR4qexFNWJpYhFpm4Xt27OYNbhlwbaP
RHyVMKQH24rNbSR7PH4B/QsEGq1Qr4tESC9bjseUzezPFGATv3YhUTbA
-----END PRIVATE KEY-----`;

test('validateConfig: a PEM certificate and key load; SNIs are normalized and unique', () => {
  const ok = validateConfig(cfg({ certificates: [{ cert: TEST_CERT, key: TEST_KEY, snis: ['Berth.Test', { name: '*.berth.test' }] }] }));
  assert.ok(ok.ok, JSON.stringify(!ok.ok && ok.flat));
  assert.deepEqual(ok.config.certificates![0]!.snis, ['berth.test', '*.berth.test']);
  const mismatch = validateConfig(cfg({ certificates: [{ cert: TEST_CERT, key: OTHER_KEY }] }));
  assert.deepEqual(mismatch.ok ? [] : mismatch.flat[0]!.errors, [{ type: 'field', field: 'key', message: 'certificate does not match key' }]);
  const dup = validateConfig(cfg({ certificates: [{ cert: TEST_CERT, key: TEST_KEY, snis: ['a.test'] }, { cert: TEST_CERT, key: TEST_KEY, snis: ['a.test'] }] }));
  assert.equal(dup.ok, false);
});

/** A private key that does not belong to TEST_CERT. */
const OTHER_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgGptZWWmwNaPD1Byu
91tCawF+4ZSybbrzv860Ge5nQQuhRANCAAR1Ht4uwoe/vMXd2PKITphdZiM2ZlYu
oTIr+maReov04cpJcw5sDkDN9idnMXpIrfRtR5523Vi0u1uwZXwGIDvG
-----END PRIVATE KEY-----`;

test('validateConfig: Kong gRPC services and routes (grpc = h2c upstream, grpcs = h2 over TLS)', () => {
  const r = validateConfig(cfg({
    services: [
      { name: 'g', host: 'up', protocol: 'grpc', routes: [{ name: 'gr', protocols: ['grpc', 'grpcs'], paths: ['/helloworld.Greeter/'] }] },
      { name: 'gs', host: 'up', protocol: 'grpcs' },
    ],
    upstreams: [{ name: 'up', targets: [{ target: '10.0.0.1:9000' }] }],
  }));
  assert.ok(r.ok, JSON.stringify(!r.ok && r.flat));
  assert.deepEqual(r.config.services!.map((s) => [s.protocol, s.port]), [['grpc', 80], ['grpcs', 443]]);
  assert.deepEqual(r.config.services![0]!.routes![0]!.protocols, ['grpc', 'grpcs']);
});
