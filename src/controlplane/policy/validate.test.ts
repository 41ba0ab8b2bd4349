import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadPolicySpecSchema, packageRoot, UPSTREAM_POLICY_CRD_FILE } from './crd.js';
import { PolicyValidator } from './validate.js';

const validator = new PolicyValidator();

test('the guide policy is valid', () => {
  const spec = { algorithm: 'sticky-sessions', hashOn: { input: 'none' }, stickySessions: { cookie: 'session-id', cookiePath: '/' } };
  assert.deepEqual(validator.validate(spec), []);
});

test('a policy using every field is valid', () => {
  const spec = {
    algorithm: 'consistent-hashing', slots: 100, hashOn: { header: 'x-user' }, hashOnFallback: { input: 'ip' },
    healthchecks: {
      threshold: 50,
      active: { type: 'https', concurrency: 2, httpPath: '/h', httpsSni: 'a', httpsVerifyCertificate: true, timeout: 1, headers: { a: ['b'] },
        healthy: { httpStatuses: [200], interval: 1, successes: 1 }, unhealthy: { httpStatuses: [500], httpFailures: 1, tcpFailures: 1, timeouts: 1, interval: 1 } },
      passive: { type: 'http', healthy: { httpStatuses: [200], successes: 1 }, unhealthy: { httpStatuses: [500], httpFailures: 1, tcpFailures: 1, timeouts: 1 } },
    },
  };
  assert.deepEqual(validator.validate(spec), []);
});

/** Each semantics.md s1 rule broken once, with the message (field path first) it must give. */
const broken: Array<[string, unknown, string]> = [
  ['1: two hashOn inputs', { algorithm: 'consistent-hashing', hashOn: { input: 'ip', header: 'x' } }, 'spec.hashOn: Only one of input, cookie, header, uriCapture or queryArg can be set.'],
  ['2: cookie without cookiePath', { algorithm: 'consistent-hashing', hashOn: { cookie: 'c' } }, 'spec.hashOn: When cookie is set, cookiePath is required (and the reverse).'],
  ['2: cookiePath without cookie', { algorithm: 'consistent-hashing', hashOn: { cookiePath: '/' } }, 'spec.hashOn: When cookie is set, cookiePath is required (and the reverse).'],
  ['3: hashOn with round-robin', { algorithm: 'round-robin', hashOn: { input: 'ip' } }, 'spec.hashOn: algorithm must be consistent-hashing or sticky-sessions when hashOn is set.'],
  ['4: two fallback inputs', { algorithm: 'consistent-hashing', hashOn: { input: 'path' }, hashOnFallback: { header: 'a', uriCapture: 'b' } }, 'spec.hashOnFallback: Only one of input, header, uriCapture or queryArg can be set.'],
  ['4: cookie fallback', { algorithm: 'consistent-hashing', hashOn: { input: 'path' }, hashOnFallback: { cookie: 'c' } }, 'spec.hashOnFallback.cookie: cookie is not allowed as a hash fallback.'],
  ['5: fallback without consistent-hashing', { algorithm: 'least-connections', hashOnFallback: { input: 'ip' } }, 'spec.hashOnFallback: algorithm must be consistent-hashing when hashOnFallback is set.'],
  ['5: fallback with hashOn.cookie', { algorithm: 'consistent-hashing', hashOn: { cookie: 'c', cookiePath: '/' }, hashOnFallback: { input: 'ip' } }, 'spec.hashOnFallback: hashOnFallback must not be set when hashOn.cookie is set.'],
  ['6: passive healthy interval', { healthchecks: { passive: { healthy: { interval: 1 } } } }, 'spec.healthchecks.passive.healthy.interval: interval must not be set for passive health checks.'],
  ['6: passive unhealthy interval', { healthchecks: { passive: { unhealthy: { interval: 1 } } } }, 'spec.healthchecks.passive.unhealthy.interval: interval must not be set for passive health checks.'],
  ['7: stickySessions with another algorithm', { algorithm: 'round-robin', stickySessions: { cookie: 's' } }, 'spec.algorithm: algorithm must be sticky-sessions when stickySessions is set.'],
  ['7: stickySessions with hashOn.input ip', { algorithm: 'sticky-sessions', hashOn: { input: 'ip' }, stickySessions: { cookie: 's' } }, 'spec.hashOn: hashOn.input must be none and no other hashOn field may be set when stickySessions is set.'],
  ['7: stickySessions with another hashOn field', { algorithm: 'sticky-sessions', hashOn: { uriCapture: 'h' }, stickySessions: { cookie: 's' } }, 'spec.hashOn: hashOn.input must be none and no other hashOn field may be set when stickySessions is set.'],
  ['7: stickySessions without cookie', { algorithm: 'sticky-sessions', stickySessions: { cookiePath: '/' } }, 'spec.stickySessions.cookie: Required value'],
  ['7: empty cookie', { algorithm: 'sticky-sessions', stickySessions: { cookie: '' } }, 'spec.stickySessions.cookie: must NOT have fewer than 1 characters'],
  ['berth: sticky-sessions without stickySessions', { algorithm: 'sticky-sessions' }, 'spec.stickySessions: stickySessions is required when algorithm is sticky-sessions.'],
  ['schema: unknown algorithm', { algorithm: 'random' }, 'spec.algorithm: Unsupported value: supported values: "round-robin", "consistent-hashing", "least-connections", "latency", "sticky-sessions"'],
  ['schema: slots too large', { algorithm: 'consistent-hashing', slots: 70000 }, 'spec.slots: must be <= 65536'],
  ['schema: httpPath without slash', { healthchecks: { active: { httpPath: 'health' } } }, 'spec.healthchecks.active.httpPath: must match pattern "^/.*$"'],
  ['schema: status code out of range', { healthchecks: { active: { healthy: { httpStatuses: [600] } } } }, 'spec.healthchecks.active.healthy.httpStatuses.0: must be <= 599'],
  ['schema: threshold out of range', { healthchecks: { threshold: 101 } }, 'spec.healthchecks.threshold: must be <= 100'],
];

test('two rules broken at two levels: both reported, outer first', () => {
  const spec = { algorithm: 'sticky-sessions', hashOn: { input: 'none', header: 'h' }, stickySessions: { cookie: 's' } };
  assert.deepEqual(validator.validate(spec), [
    'spec.hashOn: hashOn.input must be none and no other hashOn field may be set when stickySessions is set.',
    'spec.hashOn: Only one of input, cookie, header, uriCapture or queryArg can be set.',
  ]);
});

for (const [name, spec, message] of broken) {
  test(`rule ${name}`, () => {
    assert.deepEqual(validator.validate(spec), [message]);
  });
}

test('garbage specs give errors, never throw', () => {
  for (const spec of [null, 42, 'x', [], { hashOn: 'ip' }, { healthchecks: { active: { headers: { a: 'b' } } } }]) {
    const errors = validator.validate(spec);
    assert.ok(errors.length > 0, JSON.stringify(spec));
  }
});

test('the CRD is the file the validator reads, with the labels and names the API server needs', () => {
  const crd = parse(readFileSync(join(packageRoot(), UPSTREAM_POLICY_CRD_FILE), 'utf8'));
  assert.equal(crd.metadata.labels['gateway.networking.k8s.io/policy'], 'direct');
  assert.deepEqual(crd.spec.names.shortNames, ['kup']);
  assert.equal(crd.spec.scope, 'Namespaced');
  assert.deepEqual(crd.spec.versions[0].subresources, { status: {} });
  assert.equal(crd.spec.versions[0].name, 'v1beta1');
  // Structural schemas: no $ref anywhere (the API server rejects it).
  assert.ok(!JSON.stringify(crd).includes('$ref'));
  assert.deepEqual(loadPolicySpecSchema(), crd.spec.versions[0].schema.openAPIV3Schema.properties.spec);
});

test('a rule added to the schema is evaluated at its own level', () => {
  const schema = loadPolicySpecSchema();
  schema.properties!.stickySessions!['x-kubernetes-validations'] = [{ rule: "self.cookie.startsWith('s')", message: 'cookie must start with s' }];
  const custom = new PolicyValidator(schema);
  assert.deepEqual(custom.validate({ algorithm: 'sticky-sessions', stickySessions: { cookie: 'x' } }), ['spec.stickySessions: cookie must start with s']);
  assert.deepEqual(custom.validate({ algorithm: 'sticky-sessions', stickySessions: { cookie: 'sx' } }), []);
});
