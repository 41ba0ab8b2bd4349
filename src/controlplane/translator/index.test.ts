import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Snapshot } from '../snapshot.js';
import { DEFAULT_TRANSLATE_OPTIONS, type KubeObject } from '../types.js';
import { validateConfig } from '../../config/validate.js';
import { IncrementalTranslator, translate } from './index.js';

const NOW = () => '2026-01-01T00:00:00Z';
const opts = DEFAULT_TRANSLATE_OPTIONS;

const gatewayClass: KubeObject = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'kong' }, spec: { controllerName: opts.controllerName } };
const gateway: KubeObject = {
  apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'kong', namespace: 'a' },
  spec: { gatewayClassName: 'kong', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }] },
};
const service = (ns: string, name: string, policy?: string): KubeObject => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, ...(policy ? { annotations: { 'konghq.com/upstream-policy': policy } } : {}) },
  spec: { ports: [{ name: 'http', port: 80 }] },
});
const slice = (ns: string, svc: string, ips: number[], terminating: boolean): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `${svc}-x`, namespace: ns, labels: { 'kubernetes.io/service-name': svc } },
  ports: [{ name: 'http', port: 8080 }],
  endpoints: ips.map((ip, i) => ({ addresses: [`10.0.0.${ip}`], conditions: { ready: !(terminating && i === 0), terminating: terminating && i === 0 }, targetRef: { uid: `pod-${ip}` } })),
});
const route = (ns: string, name: string, backends: string[], path: string, backendNs?: string): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name, namespace: ns },
  spec: {
    parentRefs: [{ name: 'kong', namespace: 'a' }],
    rules: [{ matches: [{ path: { type: 'PathPrefix', value: path } }], backendRefs: backends.map((b) => ({ name: b, port: 80, weight: 10, ...(backendNs ? { namespace: backendNs } : {}) })) }],
  },
});
const policy = (ns: string, name: string, cookie: string): KubeObject => ({
  apiVersion: 'configuration.konghq.com/v1beta1', kind: 'KongUpstreamPolicy', metadata: { name, namespace: ns },
  spec: { algorithm: 'sticky-sessions', stickySessions: { cookie } },
});

const NAMESPACES = ['a', 'b'];
const SERVICES = ['s1', 's2', 's3'];

/** A world as a map of key -> object; operations replace or delete entries. */
const op = fc.oneof(
  fc.record({ t: fc.constant('slice'), ns: fc.constantFrom(...NAMESPACES), svc: fc.constantFrom(...SERVICES), ips: fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { maxLength: 4 }), term: fc.boolean() }),
  fc.record({ t: fc.constant('service'), ns: fc.constantFrom(...NAMESPACES), svc: fc.constantFrom(...SERVICES), policy: fc.option(fc.constantFrom('p1', 'p2'), { nil: undefined }) }),
  fc.record({ t: fc.constant('route'), ns: fc.constantFrom(...NAMESPACES), name: fc.constantFrom('r1', 'r2', 'r3'), backends: fc.subarray(SERVICES, { minLength: 1 }), path: fc.constantFrom('/x', '/y'), backendNs: fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined }),
    // Ages on both sides of the GRPCRoutes' and hostnames that meet theirs: the two kinds' conflicts in chains.
    created: fc.option(fc.constantFrom('2024-06-01T00:00:00Z', '2026-01-01T00:00:00Z', '2028-01-01T00:00:00Z'), { nil: undefined }),
    hostname: fc.option(fc.constantFrom('a.example.com', '*.example.com'), { nil: undefined }) }),
  fc.record({ t: fc.constant('policy'), ns: fc.constantFrom(...NAMESPACES), name: fc.constantFrom('p1', 'p2'), cookie: fc.constantFrom('c', '') }),
  fc.record({ t: fc.constant('gateway'), from: fc.constantFrom('Same', 'All'), hostname: fc.option(fc.constantFrom('*.example.com', 'a.example.com'), { nil: undefined }) }),
  fc.record({ t: fc.constant('ingress'), ns: fc.constantFrom(...NAMESPACES), svc: fc.constantFrom(...SERVICES), host: fc.constantFrom('a.example.com', 'b.example.com') }),
  fc.record({ t: fc.constant('grant'), ns: fc.constantFrom(...NAMESPACES) }),
  fc.record({ t: fc.constant('grpcroute'), ns: fc.constantFrom(...NAMESPACES), name: fc.constantFrom('r1', 'g2'), backends: fc.subarray(SERVICES, { minLength: 1 }),
    hostname: fc.option(fc.constantFrom('a.example.com', '*.example.com'), { nil: undefined }), created: fc.constantFrom('2025-01-01T00:00:00Z', '2027-01-01T00:00:00Z') }),
  fc.record({ t: fc.constant('delete'), key: fc.nat(20) }),
  // The controller's status writes: same generation, a new resourceVersion.
  fc.record({ t: fc.constant('status'), key: fc.nat(20) }),
).chain((o) => fc.boolean().map((replaced) => ({ ...o, replaced })));

function gatewayWith(from: string, hostname: string | undefined): KubeObject {
  const listener: Record<string, unknown> = { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from } } };
  if (hostname !== undefined) listener.hostname = hostname;
  return { ...gateway, spec: { gatewayClassName: 'kong', listeners: [listener] } };
}

function ingress(ns: string, svc: string, host: string): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'ing', namespace: ns },
    spec: { ingressClassName: 'kong', rules: [{ host, http: { paths: [{ path: '/i', pathType: 'Prefix', backend: { service: { name: svc, port: { number: 80 } } } }] } }] } };
}

function grant(ns: string): KubeObject {
  return { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant', metadata: { name: 'g', namespace: ns },
    spec: { from: NAMESPACES.map((n) => ({ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: n })), to: [{ group: '', kind: 'Service' }] } };
}

function grpcRoute(ns: string, name: string, backends: string[], hostname?: string, created?: string): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute', metadata: { name, namespace: ns, ...(created ? { creationTimestamp: created } : {}) },
    spec: {
      parentRefs: [{ name: 'kong', namespace: 'a' }], ...(hostname ? { hostnames: [hostname] } : {}),
      rules: [{ matches: [{ method: { service: 'a.Echo' } }], backendRefs: backends.map((b) => ({ name: b, port: 80 })) }],
    },
  };
}

function aged(r: KubeObject, created: string | undefined, hostname: string | undefined): KubeObject {
  return { ...r, metadata: { ...r.metadata, ...(created ? { creationTimestamp: created } : {}) }, spec: { ...r.spec, ...(hostname ? { hostnames: [hostname] } : {}) } };
}

let uids = 0;

function apply(world: Map<string, KubeObject>, o: any): void {
  let obj: KubeObject;
  const keys = [...world.keys()];
  const picked = keys.length > 0 ? keys[(o.key ?? 0) % keys.length]! : undefined;
  if (o.t === 'delete') {
    if (picked !== undefined) world.delete(picked);
    return;
  } else if (o.t === 'status') {
    if (picked === undefined) return;
    const was = world.get(picked)!;
    world.set(picked, { ...was, metadata: { ...was.metadata, resourceVersion: `${uids++}` }, status: { written: uids } });
    return;
  } else if (o.t === 'slice') obj = slice(o.ns, o.svc, o.ips, o.term);
  else if (o.t === 'service') obj = service(o.ns, o.svc, o.policy);
  else if (o.t === 'route') obj = aged(route(o.ns, o.name, o.backends, o.path, o.backendNs), o.created, o.hostname);
  else if (o.t === 'gateway') obj = gatewayWith(o.from, o.hostname);
  else if (o.t === 'ingress') obj = ingress(o.ns, o.svc, o.host);
  else if (o.t === 'grant') obj = grant(o.ns);
  else if (o.t === 'grpcroute') obj = grpcRoute(o.ns, o.name, o.backends, o.hostname, o.created);
  else obj = policy(o.ns, o.name, o.cookie);
  const key = `${obj.kind}/${obj.metadata.namespace}/${obj.metadata.name}`;
  // As an API server does: a spec write moves the generation, the uid stays with the object; one
  // deleted and created again in between (`replaced`, kubectl replace --force) starts over at
  // generation 1 with a new uid.
  const was = o.replaced ? undefined : world.get(key)?.metadata;
  world.set(key, { ...obj, metadata: { ...obj.metadata, uid: was?.uid ?? `uid-${uids++}`, resourceVersion: `${uids++}`, generation: (was?.generation ?? 0) + 1 } });
}

test('IncrementalTranslator agrees with a fresh translate() after every change', () => {
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 25 }), (ops) => {
      const world = new Map<string, KubeObject>([['gc', gatewayClass], ['gw', gateway]]);
      const inc = new IncrementalTranslator(opts, NOW);
      for (const o of ops) {
        apply(world, o);
        const snap = Snapshot.from(world.values());
        assert.deepEqual(inc.update(snap), translate(snap, opts, NOW));
      }
    }),
    { numRuns: 150 },
  );
});

test('one EndpointSlice change reuses the other units and changes only its upstream', () => {
  const objs = [gatewayClass, gateway, service('a', 's1'), service('a', 's2'), slice('a', 's1', [1, 2], false), slice('a', 's2', [3], false),
    route('a', 'r1', ['s1'], '/x'), route('a', 'r2', ['s2'], '/y')];
  const inc = new IncrementalTranslator(opts, NOW);
  const before = inc.update(Snapshot.from(objs));
  objs[4] = slice('a', 's1', [1, 2], true);
  const after = inc.update(Snapshot.from(objs));
  const [u1Before, u2Before] = before.config.upstreams!;
  const [u1After, u2After] = after.config.upstreams!;
  assert.equal(u2After, u2Before, 'the untouched upstream is the same object');
  assert.notDeepEqual(u1After, u1Before);
  assert.deepEqual(u1After!.targets!.map((t) => t.weight), [0, 10]);
});

test('garbage in specs never throws and never takes down the valid route', () => {
  const anything = fc.anything({ maxDepth: 3, withNullPrototype: false });
  fc.assert(
    fc.property(anything, anything, anything, (spec1, spec2, spec3) => {
      const objs: any[] = [gatewayClass, gateway, service('a', 's1'), slice('a', 's1', [1], false), route('a', 'good', ['s1'], '/good'),
        { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'bad', namespace: 'a' }, spec: spec1 },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'weird', namespace: 'a' }, spec: spec2 },
        { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g2', namespace: 'a' }, spec: spec3 },
        { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'a' }, spec: spec1 }];
      const result = translate(Snapshot.from(objs), opts, NOW);
      const names = result.config.services!.flatMap((s) => s.routes!.map((r) => r.name));
      assert.ok(names.includes('httproute.a.good.0.0'));
      const valid = validateConfig(result.config);
      assert.ok(valid.ok, JSON.stringify(valid.ok ? null : valid.flat));
    }),
    { numRuns: 300 },
  );
});

test('watchNamespaces limits what is read', () => {
  const objs = [gatewayClass, gateway, service('a', 's1'), service('b', 's1'), route('a', 'r1', ['s1'], '/x'), route('b', 'r2', ['s1'], '/y')];
  const result = translate(Snapshot.from(objs), { ...opts, watchNamespaces: ['a'] }, NOW);
  assert.deepEqual(result.config.services!.flatMap((s) => s.routes!.map((r) => r.name)), ['httproute.a.r1.0.0']);
});

test('lastTransitionTime is kept from the existing status while a condition keeps its status', () => {
  const old = '2020-01-01T00:00:00Z';
  const withStatus: KubeObject = {
    ...gatewayClass,
    metadata: { name: 'kong', generation: 2 },
    status: { conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '', lastTransitionTime: old }] },
  };
  const result = translate(Snapshot.from([withStatus]), opts, NOW);
  const cond = (result.statuses[0]!.status.conditions as any[])[0];
  assert.equal(cond.lastTransitionTime, old);
  assert.equal(cond.observedGeneration, 2);
});

test('allowedRoutes from Selector admits routes from namespaces whose labels match', () => {
  const gw: KubeObject = {
    ...gateway,
    spec: { gatewayClassName: 'kong', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { team: 'shop' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] } } } }] },
  };
  const ns = (name: string, labels: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  const objs = [gatewayClass, gw, ns('a', { team: 'shop' }), ns('b', { team: 'shop', env: 'dev' }), service('a', 's1'), service('b', 's1'),
    route('a', 'r1', ['s1'], '/x'), route('b', 'r2', ['s1'], '/y')];
  const result = translate(Snapshot.from(objs), opts, NOW);
  assert.deepEqual(result.config.services!.flatMap((s) => s.routes!.map((r) => r.name)), ['httproute.a.r1.0.0']);
  const r2 = result.statuses.find((s) => s.ref.name === 'r2')!;
  assert.equal((r2.status.parents as any[])[0].conditions[0].reason, 'NotAllowedByListeners');
});

test('a namespace Selector sees kubernetes.io/metadata.name, which Kubernetes sets on every Namespace, even when the object omits it', () => {
  const gw: KubeObject = {
    ...gateway,
    spec: { gatewayClassName: 'kong', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': 'a' } } } } }] },
  };
  const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const objs = [gatewayClass, gw, ns('a'), ns('b'), service('a', 's1'), service('b', 's1'), route('a', 'r1', ['s1'], '/x'), route('b', 'r2', ['s1'], '/y')];
  const result = translate(Snapshot.from(objs), opts, NOW);
  assert.deepEqual(result.config.services!.flatMap((s) => s.routes!.map((r) => r.name)), ['httproute.a.r1.0.0']);
  const gwStatus = result.statuses.find((s) => s.ref.kind === 'Gateway')!;
  assert.equal((gwStatus.status.listeners as any[])[0].attachedRoutes, 1);
});

test('a Gateway with a listener not accepted is Accepted=True/ListenersNotValid while another is accepted, False once none is', () => {
  const accepted = (listeners: unknown[]) => {
    const gw: KubeObject = { ...gateway, spec: { gatewayClassName: 'kong', listeners } };
    const status = translate(Snapshot.from([gatewayClass, gw]), opts, NOW).statuses.find((s) => s.ref.kind === 'Gateway')!.status;
    return (status.conditions as any[]).map((c) => `${c.type}=${c.status}/${c.reason}`);
  };
  const http = { name: 'http', port: 80, protocol: 'HTTP' };
  const invalid = { name: 'invalid', port: 1111, protocol: 'INVALID' };
  assert.deepEqual(accepted([http]), ['Accepted=True/Accepted', 'Programmed=True/Programmed']);
  assert.deepEqual(accepted([http, invalid]), ['Accepted=True/ListenersNotValid', 'Programmed=True/Programmed']);
  assert.deepEqual(accepted([invalid]), ['Accepted=False/ListenersNotValid', 'Programmed=False/Invalid']);
});

test('a Gateway naming infrastructure parameters is not accepted (InvalidParameters) and not served; its routes find no accepted parent', () => {
  const gw: KubeObject = { ...gateway, spec: { gatewayClassName: 'kong', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }],
    infrastructure: { parametersRef: { group: 'invalid.io', kind: 'InvalidParameters', name: 'invalid' } } } };
  const result = translate(Snapshot.from([gatewayClass, gw, service('a', 's1'), route('a', 'r1', ['s1'], '/x')]), opts, NOW);
  assert.deepEqual(result.config.listeners ?? [], []);
  assert.deepEqual(result.config.services ?? [], []);
  const status = result.statuses.find((s) => s.ref.kind === 'Gateway')!.status;
  assert.deepEqual((status.conditions as any[]).map((c) => `${c.type}=${c.status}/${c.reason}`), ['Accepted=False/InvalidParameters', 'Programmed=False/Invalid']);
  const routeStatus = result.statuses.find((s) => s.ref.kind === 'HTTPRoute')!.status;
  assert.equal((routeStatus.parents as any[])[0].conditions[0].reason, 'NoMatchingParent');
  assert.ok(result.events.some((e) => e.message.includes('parametersRef')));
});

test('an HTTPRoute and a GRPCRoute on one listener with intersecting hostnames: only the older is accepted there, and the other again once it goes', () => {
  const http = { ...route('a', 'web', ['s1'], '/'), metadata: { name: 'web', namespace: 'a', creationTimestamp: '2025-01-01T00:00:00Z' } };
  http.spec = { ...http.spec, hostnames: ['*.example.com'] };
  const grpc = grpcRoute('b', 'rpc', ['s1'], 'api.example.com', '2026-01-01T00:00:00Z');
  const inc = new IncrementalTranslator(opts, NOW);
  const base = [gatewayClass, gateway, service('a', 's1'), service('b', 's1')];
  const accepted = (result: ReturnType<typeof translate>, kind: string) => {
    const status = result.statuses.find((s) => s.ref.kind === kind)!.status;
    const c = (status.parents as any[])[0].conditions.find((x: any) => x.type === 'Accepted');
    return `${c.status}/${c.reason}`;
  };
  const both = inc.update(Snapshot.from([...base, http, grpc]));
  assert.equal(accepted(both, 'HTTPRoute'), 'True/Accepted');
  assert.equal(accepted(both, 'GRPCRoute'), 'False/NotAllowedByListeners');
  assert.deepEqual(both.config.services!.flatMap((s) => s.routes!.map((r) => r.name)), ['httproute.a.web.0.0']);
  const elsewhere = translate(Snapshot.from([...base, http, grpcRoute('b', 'rpc', ['s1'], 'api.example.org', '2026-01-01T00:00:00Z')]), opts, NOW);
  assert.equal(accepted(elsewhere, 'GRPCRoute'), 'True/Accepted', 'hostnames that do not intersect: both');
  const alone = inc.update(Snapshot.from([...base, grpc]));
  assert.equal(accepted(alone, 'GRPCRoute'), 'True/Accepted', 'the HTTPRoute deleted: the incremental translator redoes the GRPCRoute');
  assert.deepEqual(alone, translate(Snapshot.from([...base, grpc]), opts, NOW));
  // Same namespace/name and no timestamps (folder mode): still exactly one, by kind.
  const twin = { ...grpc, metadata: { name: 'web', namespace: 'a' } };
  const untimed = { ...http, metadata: { name: 'web', namespace: 'a' } };
  const tie = translate(Snapshot.from([...base, untimed, twin]), opts, NOW);
  assert.deepEqual([accepted(tie, 'HTTPRoute'), accepted(tie, 'GRPCRoute')].sort(), ['False/NotAllowedByListeners', 'True/Accepted']);
});

test('routes of the two kinds alternating on one listener: a route that yielded takes nothing from a younger one, and an older route of its own kind going changes that', () => {
  const http = (name: string, created: string): KubeObject => {
    const r = route('a', name, ['s1'], `/${name}`);
    return { ...r, metadata: { ...r.metadata, creationTimestamp: created }, spec: { ...r.spec, hostnames: ['api.example.com'] } };
  };
  const oldest = http('oldest', '2025-01-01T00:00:00Z');
  const middle = grpcRoute('b', 'middle', ['s1'], 'api.example.com', '2026-01-01T00:00:00Z');
  const youngest = http('youngest', '2026-06-01T00:00:00Z');
  const base = [gatewayClass, gateway, service('a', 's1'), service('b', 's1')];
  const accepted = (result: ReturnType<typeof translate>) => result.statuses
    .filter((s) => s.ref.kind === 'HTTPRoute' || s.ref.kind === 'GRPCRoute')
    .map((s) => `${s.ref.name}=${(s.status.parents as any[])[0].conditions.find((c: any) => c.type === 'Accepted').reason}`).sort();
  const inc = new IncrementalTranslator(opts, NOW);
  const three = inc.update(Snapshot.from([...base, oldest, middle, youngest]));
  assert.deepEqual(accepted(three), ['middle=NotAllowedByListeners', 'oldest=Accepted', 'youngest=Accepted']);
  const two = inc.update(Snapshot.from([...base, middle, youngest]));
  assert.deepEqual(accepted(two), ['middle=Accepted', 'youngest=NotAllowedByListeners'], 'the oldest HTTPRoute gone: the GRPCRoute is accepted and the younger HTTPRoute yields to it');
  assert.deepEqual(two, translate(Snapshot.from([...base, middle, youngest]), opts, NOW));
  const back = inc.update(Snapshot.from([...base, oldest, middle, youngest]));
  assert.deepEqual(back, three);
});

test('a route deleted and created again between two snapshots (generation 1 again, a new uid) redoes the routes of the other kind', () => {
  const meta = { namespace: 'a', creationTimestamp: '2025-01-01T00:00:00Z', generation: 1, resourceVersion: '1' };
  const http = (uid: string, hostname: string): KubeObject => {
    const r = route('a', 'web', ['s1'], '/');
    return { ...r, metadata: { ...r.metadata, ...meta, uid }, spec: { ...r.spec, hostnames: [hostname] } };
  };
  const grpc = { ...grpcRoute('b', 'rpc', ['s1'], 'api.example.com', '2026-01-01T00:00:00Z') };
  grpc.metadata = { ...grpc.metadata, uid: 'g', generation: 1, resourceVersion: '1' };
  const base = [gatewayClass, gateway, service('a', 's1'), service('b', 's1'), grpc];
  const inc = new IncrementalTranslator(opts, NOW);
  const reason = (result: ReturnType<typeof translate>) => (result.statuses.find((s) => s.ref.kind === 'GRPCRoute')!.status.parents as any[])[0].conditions.find((c: any) => c.type === 'Accepted').reason;
  assert.equal(reason(inc.update(Snapshot.from([...base, http('u1', 'api.example.com')]))), 'NotAllowedByListeners');
  const replaced = Snapshot.from([...base, http('u2', 'other.example.com')]);
  assert.deepEqual(inc.update(replaced), translate(replaced, opts, NOW));
  assert.equal(reason(translate(replaced, opts, NOW)), 'Accepted');
});

test('an older route of the other kind with no rule berth can serve holds nothing: the younger route is accepted on the listener', () => {
  const http = { ...route('a', 'web', ['s1'], '/'), metadata: { name: 'web', namespace: 'a', creationTimestamp: '2026-01-01T00:00:00Z' } };
  const broken = grpcRoute('b', 'rpc', ['s1'], undefined, '2025-01-01T00:00:00Z');
  broken.spec.rules[0].matches = [{ method: { type: 'Weird', service: 'x' } }];
  const result = translate(Snapshot.from([gatewayClass, gateway, service('a', 's1'), service('b', 's1'), http, broken]), opts, NOW);
  const reason = (kind: string) => (result.statuses.find((s) => s.ref.kind === kind)!.status.parents as any[])[0].conditions.find((c: any) => c.type === 'Accepted').reason;
  assert.equal(reason('GRPCRoute'), 'UnsupportedValue');
  assert.equal(reason('HTTPRoute'), 'Accepted');
  assert.deepEqual(result.config.services!.flatMap((s) => s.routes!.map((r) => r.name)), ['httproute.a.web.0.0']);
});

test('Gateway spec.addresses: an unsupported type is not accepted nor served; with the host known, an address it lacks is not programmed and not reported', () => {
  const withAddresses = (addresses: unknown[]): KubeObject => ({ ...gateway, spec: { ...gateway.spec, addresses } });
  const conditions = (result: ReturnType<typeof translate>) => {
    const status = result.statuses.find((s) => s.ref.kind === 'Gateway')!.status;
    return { conditions: (status.conditions as any[]).map((c) => `${c.type}=${c.status}/${c.reason}`), addresses: status.addresses };
  };
  const base = [gatewayClass, service('a', 's1'), route('a', 'r1', ['s1'], '/x')];
  const hostname = translate(Snapshot.from([...base, withAddresses([{ type: 'Hostname', value: 'gw.example.com' }])]), opts, NOW);
  assert.deepEqual(conditions(hostname).conditions, ['Accepted=False/UnsupportedAddress', 'Programmed=False/Invalid']);
  assert.equal(hostname.config.listeners, undefined, 'not served');
  const host = { ...opts, bindableAddresses: ['127.0.0.1/8'], defaultStatusAddresses: ['127.0.0.1'] };
  const mixed = translate(Snapshot.from([...base, withAddresses([{ value: '203.0.113.7' }, { value: '127.0.0.2' }])]), host, NOW);
  assert.deepEqual(conditions(mixed), { conditions: ['Accepted=True/Accepted', 'Programmed=False/AddressNotUsable'], addresses: [{ type: 'IPAddress', value: '127.0.0.2' }] });
  assert.ok(mixed.events.some((e) => e.message.includes('203.0.113.7')));
  assert.deepEqual(mixed.config.listeners?.map((l) => l.addresses), [['127.0.0.2']], 'served on the usable address only');
  const assigned = translate(Snapshot.from([...base, withAddresses([{ type: 'IPAddress' }])]), host, NOW);
  assert.deepEqual(conditions(assigned), { conditions: ['Accepted=True/Accepted', 'Programmed=True/Programmed'], addresses: [{ type: 'IPAddress', value: '127.0.0.1' }] });
});

test('a conflicted listener is not served: a route attached only through it is not accepted, and its port is not declared', () => {
  const gw: KubeObject = { ...gateway, spec: { gatewayClassName: 'kong', listeners: [
    { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } },
    { name: 'dup-a', port: 8080, protocol: 'HTTP', hostname: 'dup.example.com', allowedRoutes: { namespaces: { from: 'All' } } },
    { name: 'dup-b', port: 8080, protocol: 'HTTP', hostname: 'dup.example.com', allowedRoutes: { namespaces: { from: 'All' } } },
  ] } };
  const onDup = route('a', 'dup', ['s1'], '/d');
  onDup.spec = { ...onDup.spec, parentRefs: [{ name: 'kong', namespace: 'a', sectionName: 'dup-a' }] };
  const result = translate(Snapshot.from([gatewayClass, gw, service('a', 's1'), onDup, route('a', 'all', ['s1'], '/x')]), opts, NOW);
  assert.deepEqual(result.config.listeners?.map((l) => l.name), ['a/kong:80']);
  assert.deepEqual(result.config.services!.flatMap((s) => s.routes!.map((r) => `${r.name} ${r.listeners}`)), ['httproute.a.all.0.0 a/kong:80']);
  const dup = result.statuses.find((s) => s.ref.kind === 'HTTPRoute' && s.ref.name === 'dup')!.status;
  assert.equal((dup.parents as any[])[0].conditions[0].reason, 'NotAllowedByListeners');
});

test('a class-less Ingress is ours only while our IngressClass is the default', () => {
  const ing: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'a' }, spec: { defaultBackend: { service: { name: 's1', port: { number: 80 } } } } };
  const cls = (isDefault: string): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'kong', annotations: { 'ingressclass.kubernetes.io/is-default-class': isDefault } } });
  const inc = new IncrementalTranslator(opts, NOW);
  const routes = (objs: KubeObject[]) => inc.update(Snapshot.from(objs)).config.services!.flatMap((s) => s.routes!.map((r) => r.name));
  assert.deepEqual(routes([service('a', 's1'), ing]), []);
  assert.deepEqual(routes([service('a', 's1'), ing, cls('true')]), ['a.i.s1._.80']);
  assert.deepEqual(routes([service('a', 's1'), ing, cls('false')]), []);
});

test('a backendRef to another namespace needs a ReferenceGrant there', () => {
  const r: KubeObject = { ...route('a', 'r1', ['s1'], '/x') };
  r.spec = { ...r.spec, rules: [{ backendRefs: [{ name: 's1', namespace: 'b', port: 80 }] }] };
  const grant: KubeObject = {
    apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant', metadata: { name: 'g', namespace: 'b' },
    spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'a' }], to: [{ group: '', kind: 'Service', name: 's1' }] },
  };
  const base = [gatewayClass, gateway, service('b', 's1'), slice('b', 's1', [1], false), r];
  const inc = new IncrementalTranslator(opts, NOW);
  const resolved = (objs: KubeObject[]) => {
    const res = inc.update(Snapshot.from(objs));
    const cond = (res.statuses.find((s) => s.ref.name === 'r1')!.status.parents as any[])[0].conditions.find((c: any) => c.type === 'ResolvedRefs');
    return [cond.reason, res.config.upstreams![0]!.targets!.length];
  };
  assert.deepEqual(resolved(base), ['RefNotPermitted', 0]);
  assert.deepEqual(resolved([...base, grant]), ['ResolvedRefs', 1]);
  assert.deepEqual(resolved(base), ['RefNotPermitted', 0], 'deleting the grant is seen by the incremental translator');
});

test('our stale status entries are withdrawn, other controllers\' entries kept', () => {
  const theirs = { parentRef: { name: 'x' }, controllerName: 'example.com/other', conditions: [] };
  const ours = { parentRef: { name: 'kong' }, controllerName: opts.controllerName, conditions: [] };
  const detached: KubeObject = { ...route('a', 'r1', ['s1'], '/x'), status: { parents: [theirs, ours] } };
  detached.spec = { ...detached.spec, parentRefs: [{ name: 'x' }] };
  const pol: KubeObject = { ...policy('a', 'p1', 'c'), status: { ancestors: [{ ancestorRef: { name: 'old' }, controllerName: opts.controllerName }, { ancestorRef: { name: 'o' }, controllerName: 'example.com/other' }] } };
  const result = translate(Snapshot.from([gatewayClass, gateway, detached, pol]), opts, NOW);
  assert.deepEqual(result.statuses.find((s) => s.ref.kind === 'HTTPRoute')!.status, { parents: [theirs] });
  assert.deepEqual(result.statuses.find((s) => s.ref.kind === 'KongUpstreamPolicy')!.status, { ancestors: [{ ancestorRef: { name: 'o' }, controllerName: 'example.com/other' }] });
});

test('an object the translator cannot read costs that object only, reported as an event', () => {
  const spec = { parentRefs: [{ name: 'kong', namespace: 'a' }] };
  Object.defineProperty(spec, 'rules', { enumerable: true, get: () => { throw new Error('boom'); } });
  const hostile: KubeObject = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'hostile', namespace: 'a' }, spec };
  const result = translate(Snapshot.from([gatewayClass, gateway, service('a', 's1'), route('a', 'good', ['s1'], '/good'), hostile]), opts, NOW);
  assert.deepEqual(result.config.services!.flatMap((s) => s.routes!.map((r) => r.name)), ['httproute.a.good.0.0']);
  const event = result.events.find((e) => e.involvedObject.name === 'hostile');
  assert.match(event!.message, /internal error translating this object: boom/);
});

test('Services of one backend group in two namespaces naming the same policy name use two policies: a conflict', () => {
  const r: KubeObject = { ...route('a', 'r1', ['s1'], '/x') };
  r.spec = { ...r.spec, rules: [{ backendRefs: [{ name: 's1', port: 80 }, { name: 's2', namespace: 'b', port: 80 }] }] };
  const objs = [
    gatewayClass, gateway, r, grant('b'),
    service('a', 's1', 'p1'), slice('a', 's1', [1], false), policy('a', 'p1', 'cookie-a'),
    service('b', 's2', 'p1'), slice('b', 's2', [2], false), policy('b', 'p1', 'cookie-b'),
  ];
  const res = translate(Snapshot.from(objs), opts, NOW);
  const upstream = res.config.upstreams![0]!;
  assert.equal(upstream.targets!.length, 2);
  assert.equal(upstream.sticky_sessions_cookie, undefined, 'b/s2 must not get policy a/p1');
  assert.ok(res.events.some((e) => e.reason === 'PolicyConflict'));
});
