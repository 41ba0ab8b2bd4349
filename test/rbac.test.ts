import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ApiServer } from './apiserver/server.js';
import { silentLogger } from '../src/lib/log.js';
import { createKubeSource, loadKubeConfig, SOURCE_PERMISSIONS } from '../src/controlplane/sources/kube.js';
import { KubeStatusSink, STATUS_PERMISSIONS } from '../src/controlplane/status/kube-status.js';
import { EVENT_PERMISSIONS } from '../src/controlplane/status/events.js';
import { LeaderElector, LEASE_PERMISSIONS } from '../src/controlplane/lease.js';
import { DISCOVERY_PERMISSIONS, GatewayPusher } from '../src/controlplane/pusher.js';
import type { Permission } from '../src/controlplane/sources/kube-kinds.js';

/** The tables the code builds its informers and writes from. */
const CODE_TABLES: readonly Permission[] = [
  ...SOURCE_PERMISSIONS, ...STATUS_PERMISSIONS, ...EVENT_PERMISSIONS, ...LEASE_PERMISSIONS, ...DISCOVERY_PERMISSIONS,
];

const triple = (group: string, resource: string, verb: string) => `${group}|${resource}|${verb}`;

function expand(perms: readonly Permission[]): Set<string> {
  return new Set(perms.flatMap((p) => p.verbs.map((v) => triple(p.group, p.resource, v))));
}

function clusterRole(): Set<string> {
  const docs = parseAllDocuments(readFileSync(new URL('../deploy/rbac.yaml', import.meta.url), 'utf8')).map((d) => d.toJS());
  const role = docs.find((d) => d?.kind === 'ClusterRole');
  assert.ok(role, 'deploy/rbac.yaml has a ClusterRole');
  const out = new Set<string>();
  for (const rule of role.rules) {
    for (const g of rule.apiGroups) for (const r of rule.resources) for (const v of rule.verbs) out.add(triple(g, r, v));
  }
  return out;
}

test('the ClusterRole grants exactly the (group, resource, verb) the code tables use', () => {
  const granted = clusterRole();
  const used = expand(CODE_TABLES);
  assert.deepEqual([...used].filter((t) => !granted.has(t)).sort(), [], 'used by the code but not granted');
  assert.deepEqual([...granted].filter((t) => !used.has(t)).sort(), [], 'granted but unused');
  assert.ok(![...granted].some((t) => t.includes('*')), 'no wildcards');
});

test('the deployments run as the bound ServiceAccount; gateways get no token', () => {
  const docs = parseAllDocuments(readFileSync(new URL('../deploy/rbac.yaml', import.meta.url), 'utf8')).map((d) => d.toJS());
  const binding = docs.find((d) => d?.kind === 'ClusterRoleBinding');
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'berth', namespace: 'kong' }]);
  for (const file of ['all-in-one.yaml', 'split.yaml']) {
    const deployments = parseAllDocuments(readFileSync(new URL(`../deploy/${file}`, import.meta.url), 'utf8'))
      .map((d) => d.toJS()).filter((d) => d?.kind === 'Deployment');
    for (const d of deployments) {
      const spec = d.spec.template.spec;
      const args: string[] = spec.containers[0].args;
      if (args[0] === 'gateway') assert.equal(spec.automountServiceAccountToken, false, d.metadata.name);
      else assert.equal(spec.serviceAccountName, 'berth', d.metadata.name);
      const env = spec.containers[0].env ?? [];
      if (args[0] !== 'controller') assert.ok(env.some((e: any) => e.name === 'BERTH_SESSION_SECRET' && e.valueFrom.secretKeyRef.name === 'berth-session'));
    }
  }
});

test('every request the controller pieces actually make is covered by the ClusterRole', async () => {
  const api = new ApiServer();
  await api.start();
  const kubeconfig = api.writeKubeconfig(join(mkdtempSync(join(tmpdir(), 'berth-rbac-')), 'config'));
  const log = silentLogger();
  const source = createKubeSource({ kubeconfig, namespaces: [], log });
  const route = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', namespace: 'kong', name: 'echo' };
  api.apply({ ...route, metadata: { name: 'echo', namespace: 'kong' }, spec: {} });
  const elector = new LeaderElector({ kubeconfig, namespace: 'kong', name: 'l', identity: 'a', log });
  try {
    await source.start();
    await new KubeStatusSink({ kubeconfig, log }).publish({
      config: {} as never,
      statuses: [{ ref: route, status: { parents: [] } }],
      events: [{ type: 'Warning', reason: 'R', message: 'm', involvedObject: route }],
    });
    await elector.tryOnce();
    await elector.tryOnce();
    const pusher = new GatewayPusher({ service: { namespace: 'kong', name: 'admin' }, kubeconfig: loadKubeConfig(kubeconfig), log });
    await pusher.push({} as never, 'h');
    const granted = clusterRole();
    const made = new Set(api.requests.map((r) => triple(r.group, r.subresource ? `${r.resource}/${r.subresource}` : r.resource, r.verb)));
    assert.deepEqual([...made].filter((t) => !granted.has(t)), []);
    for (const t of ['|services|watch', 'gateway.networking.k8s.io|httproutes/status|patch', 'events.k8s.io|events|create',
      'coordination.k8s.io|leases|create', 'coordination.k8s.io|leases|update', 'discovery.k8s.io|endpointslices|list']) {
      assert.ok(made.has(t), `exercised ${t}`);
    }
  } finally {
    await source.stop();
    await api.stop();
  }
});
