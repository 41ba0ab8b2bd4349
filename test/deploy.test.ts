import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

// The shipped manifests keep the admin API private (issue 11, point 4).

const docs = (file: string): any[] =>
  parseAllDocuments(readFileSync(new URL(`../deploy/${file}`, import.meta.url), 'utf8')).map((d) => d.toJS()).filter(Boolean);
const container = (d: any) => d.spec.template.spec.containers[0];
const flag = (c: any, name: string): string | undefined =>
  (c.args as string[]).find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);

test('all-in-one: the admin API listens on loopback only and no Service exposes it', () => {
  const all = docs('all-in-one.yaml');
  const berth = container(all.find((d) => d.kind === 'Deployment'));
  assert.match(flag(berth, '--admin-listen') ?? '127.0.0.1:8001', /^127\.0\.0\.1:/);
  assert.ok(!berth.ports.some((p: any) => p.name === 'admin'), 'no admin container port');
  assert.ok(!all.some((d) => d.kind === 'Service' && d.spec.ports.some((p: any) => p.port === 8001 || p.targetPort === 'admin')));
  assert.ok(JSON.stringify(berth.readinessProbe).includes('127.0.0.1:8001/status'), 'readiness asks the admin API from inside the pod');
});

test('split: gateways require and the controller sends the token from one Secret; a NetworkPolicy admits only the controller to the admin port', () => {
  const split = docs('split.yaml');
  const byName = (name: string) => split.find((d) => d.kind === 'Deployment' && d.metadata.name === name);
  const secretOf = (d: any, c: any) => {
    const path = flag(c, '--admin-token-file');
    assert.ok(path, `${d.metadata.name} has --admin-token-file`);
    const mount = c.volumeMounts.find((m: any) => path!.startsWith(`${m.mountPath}/`));
    return d.spec.template.spec.volumes.find((v: any) => v.name === mount.name).secret.secretName;
  };
  const gateway = byName('berth-gateway');
  const controller = byName('berth-controller');
  assert.equal(secretOf(gateway, container(gateway)), 'berth-admin-token');
  assert.equal(secretOf(controller, container(controller)), 'berth-admin-token');
  assert.ok(split.some((d) => d.kind === 'Secret' && d.metadata.name === 'berth-admin-token'));

  const policy = split.find((d) => d.kind === 'NetworkPolicy');
  assert.deepEqual(policy.spec.podSelector.matchLabels, gateway.spec.template.metadata.labels);
  assert.deepEqual(policy.spec.policyTypes, ['Ingress']);
  const adminRules = policy.spec.ingress.filter((r: any) => r.ports.some((p: any) => p.port === 'admin' || p.port === 8001));
  assert.equal(adminRules.length, 1);
  assert.deepEqual(adminRules[0].from, [{ podSelector: { matchLabels: controller.spec.template.metadata.labels } }]);
  const proxyRule = policy.spec.ingress.find((r: any) => r.ports.some((p: any) => p.port === 'proxy'));
  assert.equal(proxyRule.from, undefined, 'the proxy port stays open');
  assert.ok(!proxyRule.ports.some((p: any) => p.port === 'admin'));
});
