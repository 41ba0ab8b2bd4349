// End-to-end GRPCRoute: manifests translated by the controller's translator into the gateway,
// real @grpc/grpc-js clients and servers. The Gateway API conformance cases
// GRPCExactMethodMatching, GRPCRouteHeaderMatching and GRPCRouteListenerHostnameMatching
// (kubernetes-sigs/gateway-api conformance/tests/grpcroute-*.go; their service
// gateway_api_conformance...GrpcEcho Echo/EchoTwo/EchoThree is our berth.test.Echo
// Say/Count/Third), then the seed guide's scale-down with a gRPC client holding a header session.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { translate, Snapshot } from '../../src/controlplane/translator/index.js';
import type { KubeObject } from '../../src/controlplane/types.js';
import { Gateway } from '../../src/dataplane/gateway.js';
import { testHttp2Engine } from '../helpers/gateway.js';
import { loadSessionSecrets } from '../../src/dataplane/sticky/token.js';
import { createLogger } from '../../src/lib/log.js';
import { count, echoClient, grpc, say, startGrpcBackend, type GrpcBackend } from '../helpers/grpc.js';

const STEP = { timeout: 60_000 };
const NS = 'gateway-conformance-infra';
const SESSION = 'x-berth-session';
const OPTS = { controllerName: 'konghq.com/kic-gateway-controller', ingressClass: 'kong', enableDrainSupport: true, watchNamespaces: [] };
let backends: Record<string, GrpcBackend> = {};
let gateway: Gateway;
let address = '';

const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: NS, generation: 1, ...extra });

function base(): KubeObject[] {
  return [
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'kong' }, spec: { controllerName: OPTS.controllerName } },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: meta('same-namespace'), spec: { gatewayClassName: 'kong', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } }] } },
  ] as KubeObject[];
}

/** service: a Service on port 8080 and one EndpointSlice per pod; `state` per pod: ready | terminating. */
function service(name: string, pods: Array<{ backend: GrpcBackend; state?: 'ready' | 'terminating' }>): KubeObject[] {
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS }, spec: { ports: [{ protocol: 'TCP', port: 8080 }] } };
  const slices = pods.map((p, i) => {
    const [ip, port] = p.backend.address.split(':');
    const terminating = p.state === 'terminating';
    return {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: `${name}-${i}`, namespace: NS, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4', ports: [{ port: Number(port), protocol: 'TCP' }],
      endpoints: [{ addresses: [ip], conditions: { ready: !terminating, serving: true, terminating }, targetRef: { kind: 'Pod', namespace: NS, name: p.backend.name, uid: `uid-${p.backend.name}` } }],
    };
  });
  return [svc, ...slices] as KubeObject[];
}

function grpcRoute(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute', metadata: meta(name), spec: { parentRefs: [{ name: 'same-namespace' }], ...spec } } as KubeObject;
}

/** apply translates the objects and makes the result live; returns the statuses for assertions. */
function apply(objects: KubeObject[]): ReturnType<typeof translate> {
  const result = translate(Snapshot.from(objects), OPTS, () => '2026-01-01T00:00:00Z');
  const r = gateway.apply(result.config);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.flat));
  return result;
}

function routeAccepted(result: ReturnType<typeof translate>, name: string): void {
  const status = result.statuses.find((s) => s.ref.kind === 'GRPCRoute' && s.ref.name === name);
  const conditions = (status?.status as any)?.parents?.[0]?.conditions ?? [];
  assert.equal(conditions.find((c: any) => c.type === 'Accepted')?.status, 'True', `${name}: ${JSON.stringify(conditions)}`);
}

function md(entries: Record<string, string>): grpc.Metadata {
  const m = new grpc.Metadata();
  for (const [k, v] of Object.entries(entries)) m.set(k, v);
  return m;
}

async function expectPod(client: any, expected: string | 'UNIMPLEMENTED', opts: Parameters<typeof say>[2] = {}): Promise<void> {
  const r = await say(client, { text: 'x' }, opts);
  if (expected === 'UNIMPLEMENTED') assert.equal(r.error?.code, grpc.status.UNIMPLEMENTED, `expected UNIMPLEMENTED, got ${r.reply?.pod ?? r.error?.message}`);
  else assert.equal(r.reply?.pod ?? r.error?.message, expected);
}

describe('GRPCRoute end to end', () => {
  before(async () => {
    const names = ['grpc-infra-backend-v1', 'grpc-infra-backend-v2', 'grpc-infra-backend-v3', 'pod-a', 'pod-b', 'pod-c'];
    const started = await Promise.all(names.map((n, i) => startGrpcBackend(n, `127.0.0.${91 + i}`)));
    backends = Object.fromEntries(started.map((b) => [b.name, b]));
    const { keyring } = loadSessionSecrets({ secret: 'test-secret-0123456789abcdef' });
    gateway = new Gateway({ http2Engine: testHttp2Engine(), proxyListen: { host: '127.0.0.1', port: 0 }, keyring, log: createLogger('silent'), shutdownTimeoutMs: 2000 });
    await gateway.start();
    address = `127.0.0.1:${gateway.proxyAddress().port}`;
  });

  after(async () => {
    await gateway?.stop();
    await Promise.all(Object.values(backends).map((b) => b.close()));
  });

  const infra = (): KubeObject[] => ['v1', 'v2', 'v3'].flatMap((v) => service(`grpc-infra-backend-${v}`, [{ backend: backends[`grpc-infra-backend-${v}`]! }]));

  test('GRPCExactMethodMatching: each exact method reaches its backend; another method is UNIMPLEMENTED', STEP, async () => {
    const result = apply([...base(), ...infra(), grpcRoute('exact-matching', {
      rules: [
        { matches: [{ method: { service: 'berth.test.Echo', method: 'Say' } }], backendRefs: [{ name: 'grpc-infra-backend-v1', port: 8080 }] },
        { matches: [{ method: { service: 'berth.test.Echo', method: 'Count' } }], backendRefs: [{ name: 'grpc-infra-backend-v2', port: 8080 }] },
      ],
    })]);
    routeAccepted(result, 'exact-matching');
    const client = echoClient(address);
    await expectPod(client, 'grpc-infra-backend-v1');
    const streamed = await count(client, 2);
    assert.deepEqual(streamed.replies.map((r) => r.pod), ['grpc-infra-backend-v2', 'grpc-infra-backend-v2']);
    await expectPod(client, 'UNIMPLEMENTED', { method: 'Third' });
    client.close();
  });

  test('GRPCRouteHeaderMatching: header matches pick the backend, the most specific first', STEP, async () => {
    const h = (pairs: Array<[string, string]>) => ({ headers: pairs.map(([name, value]) => ({ name, value })) });
    const result = apply([...base(), ...infra(), grpcRoute('grpc-header-matching', {
      rules: [
        { matches: [h([['version', 'one']])], backendRefs: [{ name: 'grpc-infra-backend-v1', port: 8080 }] },
        { matches: [h([['version', 'two']])], backendRefs: [{ name: 'grpc-infra-backend-v2', port: 8080 }] },
        { matches: [h([['version', 'two'], ['color', 'orange']])], backendRefs: [{ name: 'grpc-infra-backend-v1', port: 8080 }] },
        { matches: [h([['color', 'blue']]), h([['color', 'green']])], backendRefs: [{ name: 'grpc-infra-backend-v1', port: 8080 }] },
        { matches: [h([['color', 'red']]), h([['color', 'yellow']])], backendRefs: [{ name: 'grpc-infra-backend-v2', port: 8080 }] },
      ],
    })]);
    routeAccepted(result, 'grpc-header-matching');
    const client = echoClient(address);
    const cases: Array<[Record<string, string>, string]> = [
      [{ version: 'one' }, 'grpc-infra-backend-v1'],
      [{ version: 'two' }, 'grpc-infra-backend-v2'],
      [{ version: 'two', color: 'orange' }, 'grpc-infra-backend-v1'],
      [{ version: 'two', color: 'blue' }, 'grpc-infra-backend-v2'],
      [{ color: 'orange' }, 'UNIMPLEMENTED'],
      [{ 'some-other-header': 'one' }, 'UNIMPLEMENTED'],
      [{ color: 'blue' }, 'grpc-infra-backend-v1'],
      [{ color: 'green' }, 'grpc-infra-backend-v1'],
      [{ color: 'red' }, 'grpc-infra-backend-v2'],
      [{ color: 'yellow' }, 'grpc-infra-backend-v2'],
      [{ color: 'purple' }, 'UNIMPLEMENTED'],
    ];
    for (const [headers, expected] of cases) await expectPod(client, expected, { metadata: md(headers) });
    client.close();
  });

  test('GRPCRouteListenerHostnameMatching: the listener hostname decides the backend', STEP, async () => {
    const listener = (name: string, hostname: string) => ({ name, port: 80, protocol: 'HTTP', hostname, allowedRoutes: { namespaces: { from: 'Same' } } });
    const gw = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: meta('grpcroute-listener-hostname-matching'), spec: { gatewayClassName: 'kong', listeners: [
      listener('listener-1', 'bar.com'), listener('listener-2', 'foo.bar.com'), listener('listener-3', '*.bar.com'), listener('listener-4', '*.foo.com'),
    ] } } as KubeObject;
    const ref = (section: string) => ({ name: 'grpcroute-listener-hostname-matching', namespace: NS, sectionName: section });
    const route = (name: string, sections: string[], backend: string): KubeObject => ({ ...grpcRoute(name, { rules: [{ backendRefs: [{ name: backend, port: 8080 }] }] }), spec: { parentRefs: sections.map(ref), rules: [{ backendRefs: [{ name: backend, port: 8080 }] }] } } as KubeObject);
    const result = apply([...base(), gw, ...infra(),
      route('backend-v1', ['listener-1'], 'grpc-infra-backend-v1'),
      route('backend-v2', ['listener-2'], 'grpc-infra-backend-v2'),
      route('backend-v3', ['listener-3', 'listener-4'], 'grpc-infra-backend-v3'),
    ]);
    for (const name of ['backend-v1', 'backend-v2', 'backend-v3']) routeAccepted(result, name);
    const cases: Array<[string, string]> = [
      ['bar.com', 'grpc-infra-backend-v1'], ['foo.bar.com', 'grpc-infra-backend-v2'], ['baz.bar.com', 'grpc-infra-backend-v3'],
      ['boo.bar.com', 'grpc-infra-backend-v3'], ['multiple.prefixes.bar.com', 'grpc-infra-backend-v3'],
      ['multiple.prefixes.foo.com', 'grpc-infra-backend-v3'], ['foo.com', 'UNIMPLEMENTED'], ['no.matching.host', 'UNIMPLEMENTED'],
    ];
    for (const [authority, expected] of cases) {
      const client = echoClient(address, undefined, authority);
      await expectPod(client, expected);
      client.close();
    }
  });

  test("the guide's scale-down with a gRPC header session: pinned calls keep the draining pod, new sessions avoid it, removal moves them", STEP, async () => {
    const pods = (states: Record<string, 'ready' | 'terminating' | 'gone'>) =>
      service('echo', ['pod-a', 'pod-b', 'pod-c'].filter((p) => states[p] !== 'gone').map((p) => ({ backend: backends[p]!, state: states[p] as 'ready' | 'terminating' })));
    const route = grpcRoute('echo', { rules: [{ backendRefs: [{ name: 'echo', port: 8080 }], sessionPersistence: { type: 'Header', sessionName: SESSION } }] });
    routeAccepted(apply([...base(), ...pods({ 'pod-a': 'ready', 'pod-b': 'ready', 'pod-c': 'ready' }), route]), 'echo');
    const client = echoClient(address);
    const first = await say(client, { text: 'hello' });
    assert.equal(first.error, null, first.error?.message);
    const pinned = first.reply!.pod;
    const token = first.headers?.get(SESSION)[0]?.toString();
    assert.ok(token, 'berth sent the session in the response metadata');
    const withSession = { metadata: md({ [SESSION]: token }) };
    for (let i = 0; i < 5; i++) await expectPod(client, pinned, withSession);

    // Scale down: the pinned pod is terminating (drain support keeps it at weight 0).
    apply([...base(), ...pods({ 'pod-a': 'ready', 'pod-b': 'ready', 'pod-c': 'ready', [pinned]: 'terminating' }), route]);
    for (let i = 0; i < 5; i++) await expectPod(client, pinned, withSession);
    for (let i = 0; i < 10; i++) {
      const fresh = await say(client, { text: 'new' });
      assert.notEqual(fresh.reply?.pod, pinned, 'a new session never lands on the draining pod');
    }

    // The pod is removed: the session moves, and berth hands out a new session value.
    apply([...base(), ...pods({ 'pod-a': 'ready', 'pod-b': 'ready', 'pod-c': 'ready', [pinned]: 'gone' }), route]);
    const moved = await say(client, { text: 'again' }, withSession);
    assert.equal(moved.error, null, moved.error?.message);
    assert.notEqual(moved.reply!.pod, pinned);
    const next = moved.headers?.get(SESSION)[0]?.toString();
    assert.ok(next && next !== token, 'a new session value for the new pod');
    for (let i = 0; i < 3; i++) await expectPod(client, moved.reply!.pod, { metadata: md({ [SESSION]: next }) });
    client.close();
  });
});
