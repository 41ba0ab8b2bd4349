import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validateConfig } from '../../config/validate.js';
import { Snapshot } from '../snapshot.js';
import { DEFAULT_TRANSLATE_OPTIONS, type KubeObject } from '../types.js';
import { translate } from './index.js';

/**
 * Whatever users write in their HTTPRoutes and Ingresses, the translator either reports it or
 * emits a config the gateway accepts: one bad route must never get the whole config rejected.
 */
const opts = DEFAULT_TRANSLATE_OPTIONS;
const NOW = () => '2026-01-01T00:00:00Z';
const base: KubeObject[] = [
  { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'kong' }, spec: { controllerName: opts.controllerName } },
  { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'kong', namespace: 'a' }, spec: { gatewayClassName: 'kong', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'a' }, spec: { ports: [{ name: 'http', port: 80 }] } },
];

const text = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('/', '/a', '/a/', '/a.b', '/(x', '/[', '*', '~', '/a b', 'x:y', '\u00e9', ''));
const match = fc.record({
  path: fc.option(fc.record({ type: fc.constantFrom('PathPrefix', 'Exact', 'RegularExpression', 'Other'), value: text }), { nil: undefined }),
  headers: fc.option(fc.array(fc.record({ type: fc.constantFrom('Exact', 'RegularExpression'), name: text, value: text }), { maxLength: 2 }), { nil: undefined }),
  method: fc.option(fc.constantFrom('GET', 'POST', 'get', 'BREW'), { nil: undefined }),
  queryParams: fc.option(fc.array(fc.record({ name: text, value: text }), { maxLength: 2 }), { nil: undefined }),
}, { requiredKeys: [] });
const headerList = fc.array(fc.record({ name: text, value: text }), { maxLength: 2 });
const filter = fc.oneof(
  fc.record({ type: fc.constant('RequestHeaderModifier'), requestHeaderModifier: fc.record({ set: headerList, add: headerList, remove: fc.array(text, { maxLength: 2 }) }) }),
  fc.record({ type: fc.constant('ResponseHeaderModifier'), responseHeaderModifier: fc.record({ set: headerList }) }),
  fc.record({ type: fc.constant('RequestRedirect'), requestRedirect: fc.record({ hostname: text, scheme: fc.constantFrom('http', 'https'), statusCode: fc.constantFrom(301, 302, 307) }, { requiredKeys: [] }) }),
  fc.record({ type: fc.constant('URLRewrite'), urlRewrite: fc.record({ hostname: text, path: fc.record({ type: fc.constantFrom('ReplaceFullPath', 'ReplacePrefixMatch'), replaceFullPath: text, replacePrefixMatch: text }) }, { requiredKeys: [] }) }),
);
const rule = fc.record({
  matches: fc.array(match, { maxLength: 2 }),
  filters: fc.array(filter, { maxLength: 2 }),
  backendRefs: fc.array(fc.record({ name: fc.constantFrom('s', 'missing'), port: fc.constantFrom(80, 81), weight: fc.option(fc.integer({ min: -5, max: 100000 }), { nil: undefined }) }, { requiredKeys: ['name', 'port'] }), { maxLength: 2 }),
  sessionPersistence: fc.option(fc.record({ sessionName: text, type: fc.constantFrom('Cookie', 'Header'), absoluteTimeout: fc.constantFrom('5m', '1h', 'x', '0s') }, { requiredKeys: [] }), { nil: undefined }),
  timeouts: fc.option(fc.record({ request: fc.constantFrom('10s', '0s', 'soon') }), { nil: undefined }),
}, { requiredKeys: [] });

test('every translated config passes validateConfig, whatever the routes say', () => {
  fc.assert(
    fc.property(fc.array(rule, { maxLength: 3 }), fc.array(text, { maxLength: 2 }), (rules, hostnames) => {
      const route: KubeObject = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'a' }, spec: { parentRefs: [{ name: 'kong' }], hostnames, rules } };
      const result = translate(Snapshot.from([...base, route]), opts, NOW);
      const valid = validateConfig(result.config);
      assert.ok(valid.ok, JSON.stringify(valid.ok ? null : valid.flat));
    }),
    { numRuns: 400, seed: 8 },
  );
});

test('an empty RegularExpression path match translates to a valid config (found by the property above)', () => {
  const route: KubeObject = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'a' }, spec: { parentRefs: [{ name: 'kong' }], rules: [{ matches: [{ path: { type: 'RegularExpression', value: '' } }] }] } };
  const result = translate(Snapshot.from([...base, route]), opts, NOW);
  const valid = validateConfig(result.config);
  assert.ok(valid.ok, JSON.stringify(valid.ok ? null : valid.flat));
});

test('every translated config passes validateConfig, whatever the Ingresses say', () => {
  const annotation = fc.dictionary(fc.constantFrom('konghq.com/strip-path', 'konghq.com/methods', 'konghq.com/regex-priority', 'konghq.com/protocols', 'konghq.com/headers.x', 'konghq.com/preserve-host', 'konghq.com/https-redirect-status-code'), text);
  const path = fc.record({ path: text, pathType: fc.constantFrom('Prefix', 'Exact', 'ImplementationSpecific', 'Nope'), backend: fc.constant({ service: { name: 's', port: { number: 80 } } }) });
  fc.assert(
    fc.property(annotation, fc.array(fc.record({ host: text, http: fc.record({ paths: fc.array(path, { maxLength: 3 }) }) }, { requiredKeys: ['http'] }), { maxLength: 2 }), (annotations, rules) => {
      const ing: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'a', annotations }, spec: { ingressClassName: 'kong', rules } };
      const result = translate(Snapshot.from([...base, ing]), opts, NOW);
      const valid = validateConfig(result.config);
      assert.ok(valid.ok, JSON.stringify(valid.ok ? null : valid.flat));
    }),
    { numRuns: 400 },
  );
});

test('every translated config passes validateConfig, whatever the Gateway listeners say', () => {
  const listener = fc.record({
    name: fc.constantFrom('a', 'b', 'c'),
    port: fc.constantFrom(80, 443),
    protocol: fc.constantFrom('HTTP', 'HTTPS', 'TCP', 'http'),
    hostname: fc.option(fc.oneof(text, fc.constantFrom('*.example.com', 'shop.example.com', 'Shop.example.com')), { nil: undefined }),
    tls: fc.option(fc.record({ certificateRefs: fc.constant([{ name: 'tls' }]) }), { nil: undefined }),
  }, { requiredKeys: ['name', 'port', 'protocol'] });
  fc.assert(
    fc.property(fc.array(listener, { maxLength: 3 }), fc.array(fc.constantFrom('shop.example.com', '*.example.com', 'a.example.org'), { maxLength: 2 }), (listeners, hostnames) => {
      const gw: KubeObject = { ...base[1]!, spec: { gatewayClassName: 'kong', listeners } };
      const route: KubeObject = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'a' },
        spec: { parentRefs: [{ name: 'kong' }], hostnames, rules: [{ backendRefs: [{ name: 's', port: 80 }] }] } };
      const result = translate(Snapshot.from([base[0]!, gw, base[2]!, route]), opts, NOW);
      const valid = validateConfig(result.config);
      assert.ok(valid.ok, JSON.stringify(valid.ok ? null : valid.flat));
    }),
    { numRuns: 400 },
  );
});

test('listener hostnames the Gateway API accepts (labels longer than DNS allows included) translate to a valid config: listener hostnames, isolation', () => {
  const label = fc.oneof(fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/), fc.integer({ min: 60, max: 70 }).map((n) => 'a'.repeat(n)));
  const hostname = fc.tuple(fc.boolean(), fc.array(label, { minLength: 1, maxLength: 3 })).map(([wild, labels]) => `${wild ? '*.' : ''}${labels.join('.')}.example`);
  fc.assert(
    fc.property(fc.uniqueArray(fc.option(hostname, { nil: undefined }), { minLength: 1, maxLength: 3 }), (hostnames) => {
      const listeners = hostnames.flatMap((h, i) => [
        { name: `http-${i}`, port: 80, protocol: 'HTTP', ...(h === undefined ? {} : { hostname: h }) },
        { name: `https-${i}`, port: 443, protocol: 'HTTPS', ...(h === undefined ? {} : { hostname: h }), tls: { certificateRefs: [{ name: 'missing' }] } },
      ]);
      const gateway: KubeObject = { ...base[1]!, spec: { gatewayClassName: 'kong', listeners } };
      const route: KubeObject = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'a' },
        spec: { parentRefs: [{ name: 'kong', sectionName: 'http-0' }, { name: 'kong', sectionName: 'https-0' }], rules: [{ backendRefs: [{ name: 's', port: 80 }] }] } };
      const result = translate(Snapshot.from([base[0]!, gateway, base[2]!, route]), opts, NOW);
      const valid = validateConfig(result.config);
      assert.ok(valid.ok, JSON.stringify(valid.ok ? null : valid.flat));
    }),
    { numRuns: 200, seed: 8 },
  );
});
