// berth's Gateway API extensions to the declarative config: rule timeouts and retry on services,
// the `cors` and `request-mirror` plugins. Valid input keeps its values; bad input is reported
// field by field in Kong's flat shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from './validate.js';

const upstreams = [{ name: 'up', targets: [{ target: '127.0.0.1:1' }] }, { name: 'mirror', targets: [{ target: '127.0.0.2:1' }] }];
const cfg = (service: object, routePlugins: object[] = []) => ({
  _format_version: '3.0',
  services: [{ name: 's', host: 'up', routes: [{ name: 'r', paths: ['/'], plugins: routePlugins }], ...service }],
  upstreams,
});

function errorsOf(input: unknown): string[] {
  const r = validateConfig(input);
  if (r.ok) return [];
  return r.flat.flatMap((e) => e.errors.map((x) => `${e.entity_type}/${e.entity_name ?? ''} ${x.field ?? '@entity'}: ${x.message}`));
}

test('service timeouts and retry extensions are kept; absent ones stay absent', () => {
  const r = validateConfig(cfg({ request_timeout: 500, backend_request_timeout: 200, retry_statuses: [500, 503, 500], retry_backoff: 0 }));
  assert.ok(r.ok, JSON.stringify(!r.ok && r.flat));
  const s = r.config.services![0]!;
  assert.deepEqual([s.request_timeout, s.backend_request_timeout, s.retry_statuses, s.retry_backoff], [500, 200, [500, 503], 0]);
  const plain = validateConfig(cfg({}));
  assert.ok(plain.ok);
  assert.equal('request_timeout' in plain.config.services![0]!, false);
});

test('bad timeout and retry values are field errors', () => {
  assert.deepEqual(errorsOf(cfg({ request_timeout: 0, backend_request_timeout: 'x', retry_statuses: [200, 503], retry_backoff: -1 })), [
    'service/s request_timeout: value should be between 1 and 2147483646',
    'service/s backend_request_timeout: expected an integer',
    'service/s retry_statuses.0: value should be between 400 and 599',
    'service/s retry_backoff: value should be between 0 and 2147483646',
  ]);
});

test('cors and request-mirror plugins validate their config', () => {
  const ok = validateConfig(cfg({}, [
    { name: 'cors', config: { origins: ['https://www.foo.com', 'https://*.bar.com', 'http://x:8080'], methods: ['GET', '*'], headers: ['x-a'], exposed_headers: ['*'], credentials: true, max_age: 5 } },
    { name: 'request-mirror', config: { mirrors: [{ upstream: 'mirror', percent: 12.5 }, { upstream: 'up' }] } },
  ]));
  assert.ok(ok.ok, JSON.stringify(!ok.ok && ok.flat));
  assert.deepEqual(errorsOf(cfg({}, [
    { name: 'cors', config: { origins: ['foo.com', 'https://a.com/path'], methods: ['GE T'], max_age: -1, origin: 'x' } },
    { name: 'request-mirror', config: { mirrors: [{ upstream: 'nowhere', percent: 101 }, 'x'] } },
    { name: 'request-mirror', config: { mirrors: [] } },
    { name: 'request-mirror' },
  ])), [
    'plugin/cors config.origin: unknown field',
    'plugin/cors config.origins.0: expected "*" or an origin "scheme://host[:port]" (host may start with "*.")',
    'plugin/cors config.origins.1: expected "*" or an origin "scheme://host[:port]" (host may start with "*.")',
    'plugin/cors config.methods.0: invalid method',
    'plugin/cors config.max_age: value should be between 0 and 2147483647',
    'plugin/request-mirror config.mirrors.0.percent: value should be between 0 and 100',
    'plugin/request-mirror config.mirrors.1: expected a record',
    "plugin/request-mirror config.mirrors.0.upstream: unknown upstream 'nowhere'",
    'plugin/request-mirror config.mirrors: expected a non-empty array',
    'plugin/request-mirror config: required field missing',
  ]);
  assert.deepEqual(errorsOf(cfg({}, [{ name: 'request-mirror', config: { mirrors: [{ upstream: 'mirror' }, { upstream: 'nowhere' }] } }])), [
    "plugin/request-mirror config.mirrors.1.upstream: unknown upstream 'nowhere'",
  ]);
});

test('backend_plugins: transformers per backend; other plugins and non-records are refused', () => {
  const ok = validateConfig(cfg({ backend_plugins: { a: [{ name: 'request-transformer', config: { add: { headers: ['B:a'] } } }], b: [] } }));
  assert.ok(ok.ok, JSON.stringify(!ok.ok && ok.flat));
  assert.deepEqual(Object.keys(ok.config.services![0]!.backend_plugins!), ['a', 'b']);
  assert.deepEqual(errorsOf(cfg({ backend_plugins: { a: [{ name: 'cors' }] } })), [
    'plugin/cors name: only request-transformer, response-transformer may apply to a backend',
  ]);
  assert.deepEqual(errorsOf(cfg({ backend_plugins: ['x'] })), ['service/s backend_plugins: expected a record']);
});

test('an https listener keeps its hostnames; a bad hostname, or hostnames on an http listener, is a field error', () => {
  const base = { _format_version: '3.0' };
  const ok = validateConfig({ ...base, listeners: [{ name: 'ns/gw:443', port: 443, protocol: 'https', hostnames: ['*', 'Shop.example.com', '*.wild.org'] }] });
  assert.ok(ok.ok, JSON.stringify(!ok.ok && ok.flat));
  assert.deepEqual(ok.config.listeners![0]!.hostnames, ['*', 'Shop.example.com', '*.wild.org']);
  assert.deepEqual(errorsOf({ ...base, listeners: [
    { name: 'ns/gw:443', port: 443, protocol: 'https', hostnames: ['a..b', '*.', 'x.*', 7] },
    { name: 'ns/gw:80', port: 80, hostnames: ['a.org'] },
  ] }), [
    'listener/ns/gw:443 hostnames.0: expected a hostname, a *. wildcard or *',
    'listener/ns/gw:443 hostnames.1: expected a hostname, a *. wildcard or *',
    'listener/ns/gw:443 hostnames.2: expected a hostname, a *. wildcard or *',
    'listener/ns/gw:443 hostnames.3: expected a string',
    'listener/ns/gw:80 hostnames: only https listeners select by hostname',
  ]);
});
