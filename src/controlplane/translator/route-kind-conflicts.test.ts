// HTTPRoutes and GRPCRoutes meeting on one Gateway's listeners (route-kind-conflicts.ts): the
// incremental translator must agree with a fresh translation after every change a cluster makes,
// spec writes (generation + 1), status writes (same generation), objects deleted and created again
// in between (generation 1, a new uid, same creationTimestamp), routes with no valid rule, listener
// hostnames and kinds, namespace selectors and the GatewayClass coming and going.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Snapshot } from '../snapshot.js';
import { DEFAULT_TRANSLATE_OPTIONS, type KubeObject } from '../types.js';
import { IncrementalTranslator, translate } from './index.js';

const NOW = () => '2026-01-01T00:00:00Z';
const opts = DEFAULT_TRANSLATE_OPTIONS;
const GATEWAY_API = 'gateway.networking.k8s.io/v1';
const NAMESPACES = ['a', 'b'];
const HOSTS = ['a.example.com', '*.example.com', 'b.example.com'];
const TIMES = ['2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z'];

const op = fc.oneof(
  { weight: 12, arbitrary: fc.record({ t: fc.constant('route'), kind: fc.constantFrom('HTTPRoute', 'GRPCRoute'), ns: fc.constantFrom(...NAMESPACES),
    name: fc.constantFrom('r1', 'r2', 'r3'), hosts: fc.subarray(HOSTS, { maxLength: 1 }), created: fc.constantFrom(...TIMES),
    section: fc.option(fc.constantFrom('l1', 'l2'), { nil: undefined }), invalid: fc.nat(3).map((n) => n === 0) }) },
  fc.record({ t: fc.constant('gateway'), from: fc.constantFrom('Same', 'All', 'Selector'), h1: fc.option(fc.constantFrom(...HOSTS), { nil: undefined }),
    h2: fc.option(fc.constantFrom(...HOSTS), { nil: undefined }), two: fc.boolean(), kinds: fc.constantFrom('both', 'http', 'grpc') }),
  fc.record({ t: fc.constant('namespace'), name: fc.constantFrom(...NAMESPACES), team: fc.boolean() }),
  fc.record({ t: fc.constant('class'), ours: fc.boolean() }),
  { weight: 3, arbitrary: fc.record({ t: fc.constant('status'), key: fc.nat(30) }) },
  fc.record({ t: fc.constant('replace'), key: fc.nat(30) }),
  fc.record({ t: fc.constant('delete'), key: fc.nat(30) }),
);

function build(o: any): KubeObject {
  if (o.t === 'route') {
    const rule = o.kind === 'HTTPRoute'
      ? { matches: [{ path: { type: 'PathPrefix', value: o.invalid ? 'no-slash' : `/${o.name}` } }], backendRefs: [{ name: 's1', port: 80 }] }
      : { matches: [{ method: o.invalid ? { type: 'Weird', service: 'x' } : { service: 'a.Echo' } }], backendRefs: [{ name: 's1', port: 80 }] };
    return { apiVersion: GATEWAY_API, kind: o.kind, metadata: { name: o.name, namespace: o.ns, creationTimestamp: o.created },
      spec: { parentRefs: [{ name: 'kong', namespace: 'a', ...(o.section ? { sectionName: o.section } : {}) }], ...(o.hosts.length ? { hostnames: o.hosts } : {}), rules: [rule] } };
  }
  if (o.t === 'gateway') {
    const kinds = o.kinds === 'both' ? undefined : [{ kind: o.kinds === 'http' ? 'HTTPRoute' : 'GRPCRoute' }];
    const listener = (name: string, hostname: string | undefined, k: unknown) => ({ name, port: 80, protocol: 'HTTP', ...(hostname ? { hostname } : {}),
      allowedRoutes: { namespaces: { from: o.from, ...(o.from === 'Selector' ? { selector: { matchLabels: { team: 'x' } } } : {}) }, ...(k ? { kinds: k } : {}) } });
    const listeners = [listener('l1', o.h1, undefined), ...(o.two ? [listener('l2', o.h2, kinds)] : [])];
    return { apiVersion: GATEWAY_API, kind: 'Gateway', metadata: { name: 'kong', namespace: 'a' }, spec: { gatewayClassName: 'kong', listeners } };
  }
  if (o.t === 'namespace') return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.name, labels: o.team ? { team: 'x' } : {} } };
  return { apiVersion: GATEWAY_API, kind: 'GatewayClass', metadata: { name: 'kong' }, spec: { controllerName: o.ours ? opts.controllerName : 'other' } };
}

const keyOf = (o: KubeObject) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;

/** The World: objects as an API server keeps them (generation, uid, resourceVersion). */
class World {
  readonly objects = new Map<string, KubeObject>();
  private versions = 0;

  /** put stores `obj` as written: a spec write moves the generation; `anew`: deleted and created again (generation 1, new uid). */
  put(obj: KubeObject, specChange: boolean, anew = false): void {
    const key = keyOf(obj);
    const old = this.objects.get(key);
    const fresh = old === undefined || anew;
    const generation = fresh ? 1 : (old.metadata.generation ?? 1) + (specChange ? 1 : 0);
    const uid = fresh ? `uid-${++this.versions}` : old.metadata.uid;
    this.objects.set(key, { ...obj, metadata: { ...obj.metadata, generation, uid, resourceVersion: String(++this.versions) } });
  }

  apply(o: any): void {
    const keys = [...this.objects.keys()];
    if (o.t === 'delete') {
      const routes = keys.filter((k) => k.startsWith('HTTPRoute/') || k.startsWith('GRPCRoute/') || k.startsWith('Namespace/'));
      if (routes.length > 0) this.objects.delete(routes[o.key % routes.length]!);
    } else if (o.t === 'status') {
      if (keys.length > 0) {
        const old = this.objects.get(keys[o.key % keys.length]!)!;
        this.put({ ...old, status: { written: this.versions } }, false);
      }
    } else if (o.t === 'replace') {
      // kubectl replace --force within the second: same creationTimestamp, another spec, generation 1.
      const routes = keys.filter((k) => k.startsWith('HTTPRoute/') || k.startsWith('GRPCRoute/'));
      if (routes.length > 0) {
        const old = this.objects.get(routes[o.key % routes.length]!)!;
        this.put({ ...old, spec: { ...old.spec, hostnames: old.spec.hostnames?.length ? [] : ['a.example.com'] } }, true, true);
      }
    } else this.put(build(o), true);
  }
}

test('HTTPRoutes and GRPCRoutes on shared listeners: the incremental translator agrees with a fresh translate() after every change', () => {
  let contestedSteps = 0;
  fc.assert(
    fc.property(fc.array(op, { minLength: 10, maxLength: 40 }), (ops) => {
      const world = new World();
      world.put(build({ t: 'class', ours: true }), true);
      world.put(build({ t: 'gateway', from: 'All', two: true, kinds: 'both' }), true);
      for (const ns of NAMESPACES) world.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's1', namespace: ns }, spec: { ports: [{ port: 80 }] } }, true);
      const inc = new IncrementalTranslator(opts, NOW);
      inc.update(Snapshot.from(world.objects.values()));
      for (const o of ops) {
        world.apply(o);
        const snapshot = Snapshot.from(world.objects.values());
        const fresh = translate(snapshot, opts, NOW);
        if (JSON.stringify(fresh.statuses).includes('already has')) contestedSteps++;
        assert.deepEqual(inc.update(snapshot), fresh);
      }
    }),
    { numRuns: 200 },
  );
  assert.ok(contestedSteps > 50, `the runs met few conflicts between the kinds (${contestedSteps} steps)`);
});
