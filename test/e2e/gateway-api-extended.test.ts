// End-to-end: Gateway API conformance's Extended HTTPRoute tests, ported. The suite's own
// HTTPRoutes (test/golden/conformance-extended/httproute-*.yaml, copied from
// kubernetes-sigs/gateway-api conformance/tests/) run through `berth run --manifests` against
// echo-basic stand-ins on 127.0.8.x, and each case checks what the upstream .go file checks.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import http2 from 'node:http2';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { freePort, ROOT, spawnBerth, until, type Proc } from './manifests-harness.js';
import { startConformanceEcho, startH2cEcho, type ConformanceEcho, type EchoRequest } from './support/conformance-echo.js';
import { request, type TestResponse } from '../helpers/http.js';

const NS = 'gateway-conformance-infra';
const GOLDEN = join(ROOT, 'test', 'golden', 'conformance-extended');

/** serviceYaml: a Service with conformance's ports (h2c when given), and an EndpointSlice of `pods`. */
function serviceYaml(name: string, pods: ConformanceEcho[], h2cPort?: number): string {
  const port = pods[0]!.port;
  const h2c = h2cPort === undefined ? ['', ''] : [
    `\n    - { name: second-port, protocol: TCP, appProtocol: kubernetes.io/h2c, port: 8081, targetPort: ${h2cPort} }`,
    `\n  - { name: second-port, port: ${h2cPort}, protocol: TCP, appProtocol: kubernetes.io/h2c }`,
  ];
  const endpoints = pods.map((p) => `  - addresses: ["${p.ip}"]\n    conditions: { ready: true }\n    targetRef: { kind: Pod, namespace: ${NS}, name: ${p.pod}, uid: ${p.pod} }`);
  return `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: ${NS} }
spec:
  ports:
    - { name: first-port, protocol: TCP, port: 8080, targetPort: ${port} }${h2c[0]}
    - { name: third-port, protocol: TCP, appProtocol: kubernetes.io/ws, port: 8082, targetPort: ${port} }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: ${name}-abcde, namespace: ${NS}, labels: { kubernetes.io/service-name: ${name} } }
addressType: IPv4
ports:
  - { name: first-port, port: ${port}, protocol: TCP }${h2c[1]}
  - { name: third-port, port: ${port}, protocol: TCP, appProtocol: kubernetes.io/ws }
endpoints:
${endpoints.join('\n')}
`;
}

const GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: kong }
spec: { controllerName: konghq.com/kic-gateway-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: same-namespace, namespace: ${NS} }
spec:
  gatewayClassName: kong
  listeners:
    - { name: http, port: 80, protocol: HTTP, allowedRoutes: { namespaces: { from: Same } } }
`;

/** berth's own cases: a mirror that never answers, one that refuses connections; a retry backoff. */
const MIRROR_EDGES = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: mirror-edges, namespace: ${NS} }
spec:
  parentRefs: [{ name: same-namespace }]
  rules:
    - matches: [{ path: { type: PathPrefix, value: /mirror-to-stuck } }]
      filters: [{ type: RequestMirror, requestMirror: { backendRef: { name: stuck-mirror, port: 8080 } } }]
      backendRefs: [{ name: infra-backend-v1, port: 8080 }]
    - matches: [{ path: { type: PathPrefix, value: /mirror-to-refused } }]
      filters: [{ type: RequestMirror, requestMirror: { backendRef: { name: refused-mirror, port: 8080 } } }]
      backendRefs: [{ name: infra-backend-v1, port: 8080 }]
    # httproute-request-header-modifier-backend-weights.yaml, under a path of its own (the suite's
    # catch-all "/" would collide with backend-protocol-ws's here, where all tests share one Gateway)
    - matches: [{ path: { type: PathPrefix, value: /backend-weights } }]
      backendRefs:
        - name: infra-backend-v1
          port: 8080
          weight: 10
          filters: [{ type: RequestHeaderModifier, requestHeaderModifier: { set: [{ name: Backend, value: infra-backend-v1 }] } }]
        - name: infra-backend-v2
          port: 8080
          weight: 10
          filters: [{ type: RequestHeaderModifier, requestHeaderModifier: { set: [{ name: Backend, value: infra-backend-v2 }] } }]
    # httproute-backend-protocol-h2c.yaml, under a path of its own (same reason as above)
    - matches: [{ path: { type: PathPrefix, value: /h2c-backend } }]
      backendRefs: [{ name: infra-backend-v1, port: 8081 }]
    - matches: [{ path: { type: PathPrefix, value: /retry/backoff-150ms } }]
      retry: { codes: [500], attempts: 2, backoff: 150ms }
      backendRefs: [{ name: infra-backend-v3, port: 8080 }]
`;

function endpointOnly(name: string, ip: string, port: number): string {
  return `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: ${NS} }
spec: { ports: [{ name: first-port, protocol: TCP, port: 8080, targetPort: ${port} }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: ${name}-abcde, namespace: ${NS}, labels: { kubernetes.io/service-name: ${name} } }
addressType: IPv4
ports: [{ name: first-port, port: ${port}, protocol: TCP }]
endpoints: [{ addresses: ["${ip}"], conditions: { ready: true } }]
`;
}

describe('Gateway API Extended HTTPRoute conformance (berth run --manifests)', () => {
  const echoes: ConformanceEcho[] = [];
  const h2cPods: Array<{ port: number; close(): Promise<void> }> = [];
  let v1: ConformanceEcho[];
  let v2: ConformanceEcho;
  let v3: ConformanceEcho;
  let stuck: Server;
  const stuckSockets: Socket[] = [];
  let berth: Proc;
  let proxy: string;

  before(async () => {
    const v1a = await startConformanceEcho('infra-backend-v1-pod-a', '127.0.8.1');
    v1 = [v1a, await startConformanceEcho('infra-backend-v1-pod-b', '127.0.8.2', v1a.port)];
    const h2cA = await startH2cEcho('infra-backend-v1-pod-a', '127.0.8.1');
    h2cPods.push(h2cA, await startH2cEcho('infra-backend-v1-pod-b', '127.0.8.2', h2cA.port));
    v2 = await startConformanceEcho('infra-backend-v2-pod-a', '127.0.8.3');
    v3 = await startConformanceEcho('infra-backend-v3-pod-a', '127.0.8.4');
    echoes.push(...v1, v2, v3);
    stuck = createServer((s) => stuckSockets.push(s.on('error', () => undefined)));
    await new Promise<void>((r) => stuck.listen(0, '127.0.8.5', () => r()));
    const refusedPort = await freePort('127.0.8.6');
    const dir = await mkdtemp(join(tmpdir(), 'berth-extended-'));
    const routes = (await readdir(GOLDEN)).filter((f) => f.startsWith('httproute-') && !f.includes('backend-weights') && !f.includes('protocol-h2c'));
    for (const f of routes) await copyFile(join(GOLDEN, f), join(dir, f));
    await writeFile(join(dir, 'gateway.yaml'), GATEWAY);
    await writeFile(join(dir, 'services.yaml'), [
      serviceYaml('infra-backend-v1', v1, h2cPods[0]!.port), serviceYaml('infra-backend-v2', [v2]), serviceYaml('infra-backend-v3', [v3]),
      endpointOnly('stuck-mirror', '127.0.8.5', (stuck.address() as { port: number }).port),
      endpointOnly('refused-mirror', '127.0.8.6', refusedPort),
    ].join('---\n'));
    await writeFile(join(dir, 'mirror-edges.yaml'), MIRROR_EDGES);
    const port = await freePort();
    proxy = `http://127.0.0.1:${port}`;
    berth = spawnBerth(['run', '--manifests', dir, '--proxy-listen', `127.0.0.1:${port}`, '--admin-listen', `127.0.0.1:${await freePort()}`,
      '--session-secret', 'e2e-secret-0123456789abcdef']);
    await until('berth run to serve the conformance routes', async () => {
      if (berth.child.exitCode !== null) throw new Error(`berth run exited: ${berth.output()}`);
      return (await fetch(`${proxy}/set`)).status === 200 && (await fetch(`${proxy}/mirror-to-stuck`)).status === 200;
    });
  });

  after(async () => {
    await berth?.stop();
    for (const s of stuckSockets) s.destroy();
    stuck?.close();
    await Promise.all([...echoes, ...h2cPods].map((e) => e.close()));
  });

  const get = (path: string, headers: http.OutgoingHttpHeaders = {}, method = 'GET'): Promise<TestResponse> =>
    request(`${proxy}${path}`, { method, headers });
  const echoed = (r: TestResponse): EchoRequest => JSON.parse(r.body) as EchoRequest;

  describe('HTTPRouteBackendRequestHeaderModifier (httproute-request-header-modifier.go)', () => {
    const cases: Array<[string, Record<string, string>, Record<string, string>, string[]]> = [
      ['/set', { 'Some-Other-Header': 'val' }, { 'some-other-header': 'val', 'x-header-set': 'set-overwrites-values' }, []],
      ['/set', { 'Some-Other-Header': 'val', 'X-Header-Set': 'some-other-value' }, { 'x-header-set': 'set-overwrites-values' }, []],
      ['/add', { 'Some-Other-Header': 'val' }, { 'x-header-add': 'add-appends-values' }, []],
      ['/add', { 'X-Header-Add': 'some-other-value' }, { 'x-header-add': 'some-other-value,add-appends-values' }, []],
      ['/remove', { 'X-Header-Remove': 'val' }, {}, ['x-header-remove']],
      ['/multiple', { 'X-Header-Set-2': 'set-val-2', 'X-Header-Add-2': 'add-val-2', 'X-Header-Remove-2': 'remove-val-2', 'Another-Header': 'another-header-val' },
        { 'x-header-set-1': 'header-set-1', 'x-header-set-2': 'header-set-2', 'x-header-add-1': 'header-add-1', 'x-header-add-2': 'add-val-2,header-add-2', 'x-header-add-3': 'header-add-3', 'another-header': 'another-header-val' },
        ['x-header-remove-1', 'x-header-remove-2']],
      ['/case-insensitivity', { 'x-header-set': 'original-val-set', 'x-header-add': 'original-val-add', 'x-header-remove': 'original-val-remove', 'Another-Header': 'another-header-val' },
        { 'x-header-set': 'header-set', 'x-header-add': 'original-val-add,header-add', 'another-header': 'another-header-val' }, ['x-header-remove']],
    ];
    for (const [path, sent, expected, absent] of cases) {
      test(`${path} with ${JSON.stringify(sent)}`, async () => {
        const r = await get(path, sent);
        assert.equal(r.status, 200);
        const seen = echoed(r);
        assert.ok(seen.pod.startsWith('infra-backend-v1'));
        for (const [k, v] of Object.entries(expected)) assert.equal(seen.headers[k], v, `${k} in ${JSON.stringify(seen.headers)}`);
        for (const k of absent) assert.equal(seen.headers[k], undefined, `${k} should be gone`);
      });
    }
  });

  describe('HTTPRouteBackendRequestRedirect (httproute-backend-request-redirect.go)', () => {
    for (const [path, location] of [['/full/original', '/redirected-full'], ['/prefix/original', '/redirected-prefix/original']] as const) {
      test(`${path}: 302 to ${location}`, async () => {
        const r = await get(path);
        assert.equal(r.status, 302);
        assert.equal(new URL(String(r.headers.location), 'http://x').pathname, location);
      });
    }
  });

  describe('HTTPRouteRequestHeaderModifierBackendWeights (httproute-request-header-modifier-backend-weights.go)', () => {
    test('100 requests: each carries the Backend header of the pod it reached, and both backends are reached', async () => {
      const reached = new Set<string>();
      for (let i = 0; i < 100; i++) {
        const r = await get('/backend-weights', { Backend: 'client-sent' });
        assert.equal(r.status, 200);
        const seen = echoed(r);
        assert.ok(seen.pod.startsWith(seen.headers.backend!), `Backend ${seen.headers.backend} on ${seen.pod}`);
        reached.add(seen.headers.backend!);
      }
      assert.deepEqual([...reached].sort(), ['infra-backend-v1', 'infra-backend-v2']);
    });
  });

  describe('HTTPRouteTimeoutRequest / HTTPRouteTimeoutBackendRequest', () => {
    for (const [ok, off] of [['/request-timeout', '/disable-request-timeout'], ['/backend-timeout', '/disable-backend-timeout']] as const) {
      test(`${ok}: 200 in time, 504 past 500ms; ${off}: no timeout`, async () => {
        assert.equal((await get(ok)).status, 200);
        const started = Date.now();
        assert.equal((await get(`${ok}?delay=1s`)).status, 504);
        assert.ok(Date.now() - started < 950, `answered after ${Date.now() - started} ms`);
        assert.equal((await get(`${off}?delay=1s`)).status, 200);
      });
    }
  });

  /** retryCase: one of the suite's assertConsistentRetryBehaviour calls (fresh uuid per request). */
  const retryCase = async (path: string, params: Record<string, string>): Promise<{ status: number; ms: number; tries: number }> => {
    const uuid = `u-${Math.random().toString(36).slice(2)}`;
    const query = new URLSearchParams({ ...params, uuid }).toString();
    const before = v3.received.length;
    const started = Date.now();
    const r = await get(`${path}?${query}`);
    const ms = Date.now() - started;
    if (r.status === 200) assert.equal(echoed(r).pod, 'infra-backend-v3-pod-a');
    const tries = v3.received.slice(before).filter((q) => q.path.includes(uuid)).length;
    return { status: r.status, ms, tries };
  };

  describe('HTTPRouteRetry (httproute-retry.go)', () => {
    const cases: Array<[string, string, string, number]> = [
      ['/retry/code-500-attempts-3', '500', '2', 200],
      ['/retry/code-500-attempts-3', '500', '4', 500],
      ['/retry/code-500-attempts-3', '503', '2', 503],
      ['/retry/code-all-attempts-2', '500', '1', 200],
      ['/retry/code-all-attempts-2', '500', '3', 500],
      ['/retry/code-all-attempts-2', '502', '1', 200],
      ['/retry/code-all-attempts-2', '502', '3', 502],
      ['/retry/code-all-attempts-2', '503', '1', 200],
      ['/retry/code-all-attempts-2', '503', '3', 503],
      ['/retry/code-all-attempts-2', '504', '1', 200],
      ['/retry/code-all-attempts-2', '504', '3', 504],
    ];
    for (const [path, code, succeedAfter, want] of cases) {
      test(`${path} responseCode=${code} succeedAfter=${succeedAfter} -> ${want}`, async () => {
        assert.equal((await retryCase(path, { responseCode: code, succeedAfter })).status, want);
      });
    }

    test('attempts are retries after the first try; a code not listed is not retried', async () => {
      assert.equal((await retryCase('/retry/code-500-attempts-3', { responseCode: '500', succeedAfter: '9' })).tries, 4);
      assert.equal((await retryCase('/retry/code-500-attempts-3', { responseCode: '503', succeedAfter: '9' })).tries, 1);
    });

    test('retry.backoff: each retry waits at least the backoff', async () => {
      const r = await retryCase('/retry/backoff-150ms', { responseCode: '500', succeedAfter: '2' });
      assert.deepEqual([r.status, r.tries], [200, 3]);
      assert.ok(r.ms >= 300, `two retries took only ${r.ms} ms`);
    });

    test('a request with a body is not retried (berth streams bodies and cannot send one twice)', async () => {
      const uuid = `body-${Date.now()}`;
      const r = await request(`${proxy}/retry/code-500-attempts-3?responseCode=500&succeedAfter=1&uuid=${uuid}`, { method: 'POST', body: 'payload' });
      assert.equal(r.status, 500);
    });
  });

  describe('HTTPRouteRetryConnectionError (httproute-retry-connection-error.go)', () => {
    // The suite wants 500 or 503 once the attempts are spent: berth answers Envoy's 503 for a
    // service with a retry policy (src/dataplane/proxy/errors.ts UPSTREAM_UNAVAILABLE).
    test('connection resets are retried up to attempts, then 503', async () => {
      assert.equal((await retryCase('/retry/no-status-code-attempts-3', { succeedAfter: '2' })).status, 200);
      const spent = await retryCase('/retry/no-status-code-attempts-3', { succeedAfter: '4' });
      assert.deepEqual([spent.status, spent.tries], [503, 4]);
    });
  });

  describe('HTTPRouteRetryWithTimeouts (httproute-retry-with-timeouts.go)', () => {
    test('backendRequest timeouts are retried; past the attempts the answer is 504', async () => {
      assert.equal((await retryCase('/retry/backend-request-timeout-200ms', { responseCode: '500', succeedAfter: '2', delayRetry: '300ms' })).status, 200);
      assert.equal((await retryCase('/retry/backend-request-timeout-200ms', { responseCode: '500', succeedAfter: '3', delayRetry: '300ms' })).status, 504);
    });

    test('the request timeout bounds the retries as a whole', async () => {
      assert.equal((await retryCase('/retry/request-timeout-200ms', { responseCode: '500', succeedAfter: '1' })).status, 200);
      const late = await retryCase('/retry/request-timeout-200ms', { responseCode: '500', succeedAfter: '4', delayRetry: '100ms' });
      assert.equal(late.status, 504);
      assert.ok(late.ms < 700, `504 after ${late.ms} ms (request timeout 400ms)`);
    });
  });

  describe('HTTPRouteCORS (httproute-cors.go)', () => {
    test('preflight from an exact, a wildcard and a deep wildcard origin', async () => {
      for (const origin of ['https://www.foo.com', 'https://www.bar.com', 'https://xpto.www.bar.com']) {
        const r = await get('/cors-1', { Origin: origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-header-1, x-header-2' }, 'OPTIONS');
        assert.ok([200, 204].includes(r.status));
        assert.equal(r.headers['access-control-allow-origin'], origin);
        assert.equal(r.headers['access-control-allow-methods'], 'GET, OPTIONS');
        assert.equal(r.headers['access-control-allow-headers'], 'x-header-1, x-header-2');
        assert.equal(r.headers['access-control-expose-headers'], 'x-header-3, x-header-4');
        assert.equal(r.headers['access-control-max-age'], '3600');
        assert.equal(r.headers['access-control-allow-credentials'], 'true');
      }
    });

    test('a non-matching origin gets no allow-origin, preflight or not', async () => {
      const pre = await get('/cors-1', { Origin: 'https://foobar.com', 'access-control-request-method': 'GET' }, 'OPTIONS');
      assert.ok([200, 204, 403].includes(pre.status));
      assert.equal(pre.headers['access-control-allow-origin'], undefined);
      const simple = await get('/cors-1', { Origin: 'https://foobar.com' });
      assert.equal(simple.headers['access-control-allow-origin'], undefined);
    });

    test('simple requests reach the backend and carry allow-origin / credentials', async () => {
      const exact = await get('/cors-1', { Origin: 'https://www.foo.com' });
      assert.deepEqual([exact.status, exact.headers['access-control-allow-origin']], [200, 'https://www.foo.com']);
      assert.ok(echoed(exact).pod.startsWith('infra-backend-v1'));
      const cred = await get('/cors-wildcard-methods-headers', { Origin: 'https://other.foo.com' });
      assert.deepEqual([cred.headers['access-control-allow-origin'], cred.headers['access-control-allow-credentials']], ['https://other.foo.com', 'true']);
      const unauth = await get('/cors-wildcard-methods-headers-unauth', { Origin: 'https://other.foo.com' });
      assert.ok(['https://other.foo.com', '*'].includes(String(unauth.headers['access-control-allow-origin'])));
      assert.equal(unauth.headers['access-control-allow-credentials'], undefined);
      const put = await get('/cors-wildcard-origin', { Origin: 'https://foobar.com:12345' }, 'PUT');
      assert.equal(put.status, 200);
      assert.ok(['https://foobar.com:12345', '*'].includes(String(put.headers['access-control-allow-origin'])));
    });

    test('wildcard methods echo the requested method; credentials hidden unless enabled', async () => {
      const r = await get('/cors-2', { Origin: 'https://www.foo.com', 'access-control-request-method': 'POST' }, 'OPTIONS');
      assert.ok(['POST', '*'].includes(String(r.headers['access-control-allow-methods'])));
      assert.equal(r.headers['access-control-allow-credentials'], undefined);
      const cred = await get('/cors-wildcard-methods-headers', { Origin: 'https://other.foo.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-header-1, x-header-2' }, 'OPTIONS');
      assert.deepEqual([cred.headers['access-control-allow-methods'], cred.headers['access-control-allow-headers']], ['PUT', 'x-header-1, x-header-2']);
    });
  });

  describe('HTTPRouteRequestMirror (httproute-request-mirror.go)', () => {
    test('/mirror: v1 answers, v2 gets the copy', async () => {
      const id = `mirror-${Date.now()}`;
      const r = await get(`/mirror?X-Request-Id=${id}`);
      assert.equal(r.status, 200);
      assert.ok(echoed(r).pod.startsWith('infra-backend-v1'));
      const copy = await until('the mirrored request on v2', async () => v2.received.find((q) => q.path === `/mirror?X-Request-Id=${id}`), 5000);
      assert.equal(copy.method, 'GET');
    });

    test('/mirror-and-modify-headers: primary and copy both see the modified headers', async () => {
      const id = `mod-${Date.now()}`;
      const r = await get(`/mirror-and-modify-headers?id=${id}`, { 'X-Header-Remove': 'remove-val', 'X-Header-Add-Append': 'append-val-1' });
      const primary = echoed(r);
      assert.deepEqual([primary.headers['x-header-add'], primary.headers['x-header-add-append'], primary.headers['x-header-set'], primary.headers['x-header-remove']],
        ['header-val-1', 'append-val-1,header-val-2', 'set-overwrites-values', undefined]);
      const copy = await until('the mirrored request on v2', async () => v2.received.find((q) => q.path === `/mirror-and-modify-headers?id=${id}`), 5000);
      assert.deepEqual([copy.headers['x-header-set'], copy.headers['x-header-remove']], ['set-overwrites-values', undefined]);
    });

    test('HTTPRouteRequestMultipleMirrors (httproute-request-multiple-mirrors.go): v2 and v3 both get a copy', async () => {
      const id = `multi-${Date.now()}`;
      const r = await get(`/multi-mirror-and-modify-request-headers?id=${id}`, { 'X-Header-Remove': 'remove-val' });
      assert.ok(echoed(r).pod.startsWith('infra-backend-v1'));
      for (const mirror of [v2, v3]) {
        const copy = await until(`the copy on ${mirror.pod}`, async () => mirror.received.find((q) => q.path === `/multi-mirror-and-modify-request-headers?id=${id}`), 5000);
        assert.deepEqual([copy.headers['x-header-set'], copy.headers['x-header-remove']], ['set-overwrites-values', undefined]);
      }
    });

    // httproute-request-percentage-mirror.go: 500 requests (10 at a time); the copies on v2 must
    // fall within 3 binomial standard deviations of n*p; up to 5 rounds, as the suite allows.
    for (const [path, percent] of [['/percent-mirror', 20], ['/percent-mirror-fraction', 50], ['/percent-mirror-and-modify-headers', 35]] as const) {
      test(`HTTPRouteRequestPercentageMirror ${path}: about ${percent}% mirrored`, async () => {
        const n = 500;
        const p = percent / 100;
        const margin = 3 * Math.sqrt(n * p * (1 - p));
        let last = -1;
        for (let round = 0; round < 5; round++) {
          const id = `pct-${round}-${Date.now()}`;
          for (let i = 0; i < n; i += 10) {
            await Promise.all(Array.from({ length: 10 }, () => get(`${path}?X-Request-Id=${id}`).then((r) => assert.equal(r.status, 200))));
          }
          await new Promise((r) => setTimeout(r, 300));
          last = v2.received.filter((q) => q.path === `${path}?X-Request-Id=${id}`).length;
          if (Math.abs(last - n * p) <= margin) return;
        }
        assert.fail(`${last} of ${n} mirrored, expected ${n * p} +/- ${margin.toFixed(1)}`);
      });
    }

    test('a request body reaches both the primary and the copy', async () => {
      const id = `body-${Date.now()}`;
      const body = Buffer.alloc(200_000, 'b');
      const r = await request(`${proxy}/mirror?id=${id}`, { method: 'POST', body, headers: { 'Content-Type': 'application/octet-stream' } });
      assert.equal(echoed(r).bodyBytes, body.length);
      const copy = await until('the mirrored POST on v2', async () => v2.received.find((q) => q.path === `/mirror?id=${id}`), 5000);
      assert.equal(copy.bodyBytes, body.length);
    });

    test('a mirror that never answers or refuses connections never slows or fails the primary', async () => {
      for (const path of ['/mirror-to-stuck', '/mirror-to-refused']) {
        for (let i = 0; i < 5; i++) {
          const started = Date.now();
          const r = await request(`${proxy}${path}`, { method: 'POST', body: 'x'.repeat(1000) });
          assert.equal(r.status, 200, path);
          assert.ok(Date.now() - started < 500, `${path} took ${Date.now() - started} ms`);
        }
      }
      await until('copies to arrive at the stuck mirror', async () => stuckSockets.length >= 5, 5000);
    });

    test('a large body is not held back by a mirror that never reads it', async () => {
      const body = Buffer.alloc(8 << 20, 'x');
      const started = Date.now();
      const r = await request(`${proxy}/mirror-to-stuck?big=1`, { method: 'POST', body, timeoutMs: 10_000 });
      assert.equal(r.status, 200);
      assert.equal(echoed(r).bodyBytes, body.length);
      assert.ok(Date.now() - started < 3000, `8 MiB took ${Date.now() - started} ms`);
    });
  });

  describe('HTTPRouteBackendProtocolH2C (httproute-backend-protocol-h2c.go)', () => {
    test('an h2c prior-knowledge request reaches the kubernetes.io/h2c port over HTTP/2', async () => {
      const session = http2.connect(proxy);
      try {
        const body = await new Promise<string>((resolve, reject) => {
          const stream = session.request({ ':path': '/h2c-backend', ':method': 'GET' });
          let text = '';
          stream.on('response', (h) => (h[':status'] === 200 ? undefined : reject(new Error(`status ${h[':status']}`))));
          stream.on('data', (c: Buffer) => (text += c.toString()));
          stream.on('end', () => resolve(text));
          stream.on('error', reject);
        });
        const seen = JSON.parse(body) as { pod: string; protocol: string };
        assert.ok(seen.pod.startsWith('infra-backend-v1'));
        assert.equal(seen.protocol, 'HTTP/2.0');
      } finally {
        session.close();
      }
    });

    test('an HTTP/1.1 client reaches it too (the upstream protocol follows the backend, not the client)', async () => {
      const r = await get('/h2c-backend');
      assert.equal(r.status, 200);
      assert.equal((JSON.parse(r.body) as { protocol: string }).protocol, 'HTTP/2.0');
    });
  });

  describe('HTTPRouteBackendProtocolWebSocket (httproute-backend-protocol-websocket.go)', () => {
    test('text and binary frames round-trip through a kubernetes.io/ws backend port', async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${new URL(proxy).port}/ws`, { origin: 'ws://gateway/test' });
      try {
        await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
        const next = (): Promise<{ data: Buffer; binary: boolean }> => new Promise((resolve) => ws.once('message', (data: Buffer, binary) => resolve({ data, binary })));
        let reply = next();
        ws.send('Websocket Support!');
        assert.deepEqual(await reply, { data: Buffer.from('Websocket Support!'), binary: false });
        reply = next();
        ws.send(Buffer.from([1, 2, 3, 4, 5, 6, 7]));
        assert.deepEqual(await reply, { data: Buffer.from([1, 2, 3, 4, 5, 6, 7]), binary: true });
      } finally {
        ws.terminate();
      }
    });
  });
});
