import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { createInterface } from 'node:readline';
import { ApiServer } from './server.js';

const svc = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'kong', labels }, spec: { ports: [{ port: 80 }] },
});

async function call(base: string, method: string, path: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(base + path, {
    method, headers: { 'content-type': contentType }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** openWatch collects watch events until `count` arrived or the stream ended (bounded by a timeout). */
function openWatch(url: string, count: number): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const events: any[] = [];
    const timer = setTimeout(() => { req.destroy(); resolve(events); }, 3000);
    const req = get(url, (res) => {
      res.on('error', () => {});
      const lines = createInterface(res);
      lines.on('error', () => {});
      lines.on('line', (l) => {
        events.push(JSON.parse(l));
        if (events.length === count) { clearTimeout(timer); req.destroy(); resolve(events); }
      });
      lines.on('close', () => { clearTimeout(timer); resolve(events); });
    });
    req.on('error', (e) => (events.length ? resolve(events) : reject(e)));
  });
}

test('create, get and list speak the wire format (XList, resourceVersion, no kind on built-in items)', async () => {
  const api = new ApiServer();
  const base = await api.start();
  try {
    const created = await call(base, 'POST', '/api/v1/namespaces/kong/services', svc('echo'));
    assert.equal(created.status, 201);
    assert.ok(created.body.metadata.uid);
    const dup = await call(base, 'POST', '/api/v1/namespaces/kong/services', svc('echo'));
    assert.equal(dup.status, 409);
    assert.equal(dup.body.kind, 'Status');
    const list = await call(base, 'GET', '/api/v1/services');
    assert.equal(list.body.kind, 'ServiceList');
    assert.equal(list.body.metadata.resourceVersion, created.body.metadata.resourceVersion);
    assert.equal(list.body.items[0].kind, undefined);
    assert.equal((await call(base, 'GET', '/api/v1/namespaces/other/services')).body.items.length, 0);
    assert.equal((await call(base, 'GET', '/api/v1/namespaces/kong/services/nope')).status, 404);
    api.apply({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'kong' }, spec: {} });
    const classes = await call(base, 'GET', '/apis/gateway.networking.k8s.io/v1/gatewayclasses');
    assert.equal(classes.body.items[0].kind, 'GatewayClass');
    assert.deepEqual(api.requests.map((r) => r.verb), ['create', 'create', 'list', 'list', 'get', 'list']);
  } finally {
    await api.stop();
  }
});

test('label and field selectors filter lists', async () => {
  const api = new ApiServer();
  const base = await api.start();
  try {
    api.apply(svc('a', { app: 'echo', tier: 'web' }));
    api.apply(svc('b', { app: 'other' }));
    api.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls', namespace: 'kong' }, type: 'kubernetes.io/tls' });
    api.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'opaque', namespace: 'kong' }, type: 'Opaque' });
    const names = async (path: string) => (await call(base, 'GET', path)).body.items.map((i: any) => i.metadata.name);
    assert.deepEqual(await names('/api/v1/services?labelSelector=app%3Decho'), ['a']);
    assert.deepEqual(await names('/api/v1/services?labelSelector=app!%3Decho'), ['b']);
    assert.deepEqual(await names('/api/v1/services?labelSelector=tier'), ['a']);
    assert.deepEqual(await names('/api/v1/services?labelSelector=app%20in%20(other,x)'), ['b']);
    assert.deepEqual(await names('/api/v1/secrets?fieldSelector=type%3Dkubernetes.io%2Ftls'), ['tls']);
    assert.deepEqual(await names('/api/v1/services?fieldSelector=metadata.name%3Db'), ['b']);
  } finally {
    await api.stop();
  }
});

test('status subresource: main writes keep status, status writes keep spec, generation follows spec', async () => {
  const api = new ApiServer();
  const base = await api.start();
  const path = '/apis/gateway.networking.k8s.io/v1/namespaces/kong/httproutes/echo';
  try {
    api.apply({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'echo', namespace: 'kong' }, spec: { a: 1 } });
    const s = await call(base, 'PATCH', path + '/status', { status: { parents: [1] }, spec: { a: 9 } }, 'application/merge-patch+json');
    assert.deepEqual(s.body.status, { parents: [1] });
    assert.deepEqual(s.body.spec, { a: 1 });
    assert.equal(s.body.metadata.generation, 1);
    const put = await call(base, 'PUT', path, { ...s.body, spec: { a: 2 }, status: { parents: [] } });
    assert.deepEqual(put.body.status, { parents: [1] });
    assert.equal(put.body.metadata.generation, 2);
    const stale = await call(base, 'PUT', path, { ...s.body, spec: { a: 3 } });
    assert.equal(stale.status, 409);
    const jp = await call(base, 'PATCH', path + '/status', [{ op: 'add', path: '/status', value: { parents: [2] } }], 'application/json-patch+json');
    assert.deepEqual(jp.body.status, { parents: [2] });
    const bad = await call(base, 'PATCH', path, [{ op: 'replace', path: '/nope/x', value: 1 }], 'application/json-patch+json');
    assert.equal(bad.status, 422);
    const del = await call(base, 'DELETE', path);
    assert.equal(del.status, 200);
    assert.equal((await call(base, 'GET', path)).status, 404);
  } finally {
    await api.stop();
  }
});

test('watch replays from a resourceVersion, streams changes, and answers 410 after compaction', async () => {
  const api = new ApiServer();
  const base = await api.start();
  try {
    const first = api.apply(svc('a'));
    const rv = first.metadata.resourceVersion;
    api.apply(svc('b'));
    const events = openWatch(`${base}/api/v1/services?watch=true&resourceVersion=${rv}`, 3);
    await new Promise((r) => setTimeout(r, 100));
    api.apply({ ...svc('b'), spec: { ports: [{ port: 81 }] } });
    api.remove('v1', 'Service', 'kong', 'a');
    assert.deepEqual((await events).map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED b', 'MODIFIED b', 'DELETED a']);
    const marked = openWatch(`${base}/api/v1/services?watch=true&allowWatchBookmarks=true&resourceVersion=${api.store.resourceVersion}`, 1);
    const unmarked = openWatch(`${base}/api/v1/services?watch=true&resourceVersion=${api.store.resourceVersion}`, 1);
    await new Promise((r) => setTimeout(r, 100));
    api.bookmark();
    assert.deepEqual((await marked).map((e) => [e.type, e.object.metadata.resourceVersion]), [['BOOKMARK', api.store.resourceVersion]]);
    api.expireWatches();
    assert.deepEqual((await unmarked).map((e) => e.type), ['ERROR']);
    api.store.compact();
    const gone = await openWatch(`${base}/api/v1/services?watch=true&resourceVersion=${rv}`, 1);
    assert.equal(gone[0].type, 'ERROR');
    assert.equal(gone[0].object.code, 410);
    const open = openWatch(`${base}/api/v1/services?watch=true&resourceVersion=${api.store.resourceVersion}`, 5);
    await new Promise((r) => setTimeout(r, 100));
    api.expireWatches();
    assert.deepEqual((await open).map((e) => e.object.code), [410]);
  } finally {
    await api.stop();
  }
});

test('down refuses connections and ends watches; up serves the same data on the same port', async () => {
  const api = new ApiServer();
  const base = await api.start();
  try {
    api.apply(svc('a'));
    const events = openWatch(`${base}/api/v1/services?watch=true&resourceVersion=${api.store.resourceVersion}`, 10);
    await new Promise((r) => setTimeout(r, 100));
    await api.down();
    assert.deepEqual(await events, []);
    await assert.rejects(fetch(base + '/api/v1/services'));
    await api.up();
    assert.equal(api.url, base);
    assert.equal((await call(base, 'GET', '/api/v1/services')).body.items.length, 1);
  } finally {
    await api.stop();
  }
});

test('records the bearer token of each request (from the kubeconfig it writes)', async () => {
  const api = new ApiServer();
  const base = await api.start();
  try {
    const file = api.writeKubeconfig(`${process.env.TMPDIR ?? '/tmp'}/standin-token-${process.pid}`, 'kong', 'c1');
    const { readFileSync } = await import('node:fs');
    assert.match(readFileSync(file, 'utf8'), /token: c1/);
    await fetch(base + '/api/v1/services', { headers: { authorization: 'Bearer c1' } });
    await fetch(base + '/api/v1/services');
    assert.deepEqual(api.requests.map((r) => r.user), ['c1', undefined]);
  } finally {
    await api.stop();
  }
});

test('MicroTime fields are decoded as strictly as the real API server: six fractional digits', async () => {
  const api = new ApiServer();
  const base = await api.start();
  const lease = (renewTime: string) => ({ metadata: { name: 'l' }, spec: { holderIdentity: 'a', renewTime } });
  try {
    const millis = await call(base, 'POST', '/apis/coordination.k8s.io/v1/namespaces/kong/leases', lease('2026-01-01T00:00:00.123Z'));
    assert.equal(millis.status, 400);
    assert.match(millis.body.message, /parsing time/);
    const micros = await call(base, 'POST', '/apis/coordination.k8s.io/v1/namespaces/kong/leases', lease('2026-01-01T00:00:00.123000Z'));
    assert.equal(micros.status, 201);
    const event = await call(base, 'POST', '/apis/events.k8s.io/v1/namespaces/kong/events', { metadata: { name: 'e' }, eventTime: '2026-01-01T00:00:00Z' });
    assert.equal(event.status, 400);
  } finally {
    await api.stop();
  }
});
