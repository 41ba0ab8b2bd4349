import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from './server.js';

// The expected messages are those kube-apiserver v1.32 answers (see validation.ts and names.ts for
// the source files each rule comes from).

async function call(base: string, method: string, path: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(base + path, {
    method, headers: { 'content-type': contentType }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function withApi(run: (api: ApiServer, base: string) => Promise<void>): Promise<void> {
  const api = new ApiServer();
  const base = await api.start();
  try {
    await run(api, base);
  } finally {
    await api.stop();
  }
}

const EVENTS = '/apis/events.k8s.io/v1/namespaces/kong/events';
const event = (extra: Record<string, unknown> = {}) => ({
  metadata: { name: 'echo.17f0a1b2c3d4e5f6' },
  eventTime: '2026-11-30T09:00:00.123456Z', type: 'Warning', reason: 'Conflicted', note: 'two policies',
  action: 'Translate', reportingController: 'berth.dev/controller', reportingInstance: 'berth-0',
  regarding: { apiVersion: 'v1', kind: 'Service', namespace: 'kong', name: 'echo' },
  ...extra,
});

test('a generateName ending in "." is refused with 422 and the real Status shape', async () => {
  await withApi(async (_api, base) => {
    const res = await call(base, 'POST', EVENTS, event({ metadata: { generateName: 'broken.' } }));
    assert.equal(res.status, 422);
    assert.equal(res.body.kind, 'Status');
    assert.equal(res.body.reason, 'Invalid');
    assert.match(res.body.message, /^Event\.events\.k8s\.io "broken\.[bcdfghjklmnpqrstvwxz2456789]{5}" is invalid: metadata\.generateName: Invalid value: "broken\.": a lowercase RFC 1123 subdomain must consist of/);
    assert.equal(res.body.details.group, 'events.k8s.io');
    assert.equal(res.body.details.kind, 'Event');
    assert.deepEqual(res.body.details.causes.map((c: any) => [c.reason, c.field]), [['FieldValueInvalid', 'metadata.generateName']]);
  });
});

test('a generateName ending in "-" gets a 5-character suffix; a long one is cut to 58 first', async () => {
  await withApi(async (_api, base) => {
    const short = await call(base, 'POST', EVENTS, event({ metadata: { generateName: 'echo-' } }));
    assert.equal(short.status, 201);
    assert.match(short.body.metadata.name, /^echo-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const long = await call(base, 'POST', EVENTS, event({ metadata: { generateName: `${'a'.repeat(70)}-` } }));
    assert.equal(long.status, 201);
    assert.equal(long.body.metadata.name.length, 63);
  });
});

test('names follow each kind\'s rule: Service names are DNS-1035 labels, Event names DNS subdomains', async () => {
  await withApi(async (_api, base) => {
    const svc = await call(base, 'POST', '/api/v1/namespaces/kong/services', { metadata: { name: '1echo' }, spec: {} });
    assert.equal(svc.status, 422);
    assert.match(svc.body.message, /^Service "1echo" is invalid: metadata\.name: Invalid value: "1echo": a DNS-1035 label must consist of/);
    assert.equal((await call(base, 'POST', EVENTS, event({ metadata: { name: 'Echo.x' } }))).status, 422);
    assert.equal((await call(base, 'POST', EVENTS, event({ metadata: { name: `${'a'.repeat(250)}.xyz` } }))).status, 422);
    assert.equal((await call(base, 'POST', EVENTS, event({ metadata: {} }))).body.details.causes[0].message,
      'Required value: name or generateName is required');
    assert.equal((await call(base, 'POST', EVENTS, event())).status, 201);
  });
});

test('events.k8s.io/v1 Event fields are validated as events.go does', async () => {
  await withApi(async (_api, base) => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ type: 'Error' }, 422, 'type: Invalid value: "": has invalid value: Error'],
      [{ reportingController: undefined }, 422, 'reportingController: Required value'],
      [{ reportingController: 'berth controller' }, 422, 'reportingController: Invalid value: "berth controller": name part must consist of'],
      [{ reportingInstance: 'x'.repeat(129) }, 422, 'reportingInstance: Invalid value: "": can have at most 128 characters'],
      [{ action: '' }, 422, 'action: Required value'],
      [{ reason: 'r'.repeat(129) }, 422, 'reason: Invalid value: "": can have at most 128 characters'],
      [{ note: 'n'.repeat(1025) }, 422, 'message: Invalid value: "": can have at most 1024 characters'],
      [{ note: 'é'.repeat(600) }, 422, 'message: Invalid value: "": can have at most 1024 characters'],
      [{ eventTime: undefined }, 422, 'eventTime: Required value'],
      [{ deprecatedCount: 3 }, 422, 'count: Invalid value: "": needs to be unset'],
      [{ series: { count: 1, lastObservedTime: '2026-11-30T09:00:00.123456Z' } }, 422, 'series.count: Invalid value: "": should be at least 2'],
      [{ regarding: { kind: 'Service', namespace: 'other', name: 'echo' } }, 201, ''],
      [{ regarding: { kind: 'GatewayClass', name: 'kong' } }, 422, 'involvedObject.namespace: Invalid value: "": does not match event.namespace'],
      [{ eventTime: '2026-11-30T09:00:00.123Z' }, 400, 'parsing time "2026-11-30T09:00:00.123Z"'],
    ];
    let n = 0;
    for (const [extra, status, text] of cases) {
      const res = await call(base, 'POST', EVENTS, event({ ...extra, metadata: { name: `e${n++}` } }));
      assert.equal(res.status, status, `${JSON.stringify(extra)}: ${res.body.message}`);
      if (text) assert.ok(res.body.message.includes(text), `${JSON.stringify(extra)}: ${res.body.message}`);
    }
    const clusterScoped = await call(base, 'POST', '/apis/events.k8s.io/v1/namespaces/default/events',
      event({ regarding: { kind: 'GatewayClass', name: 'kong' } }));
    assert.equal(clusterScoped.status, 201);
  });
});

const LEASES = '/apis/coordination.k8s.io/v1/namespaces/kong/leases';
const lease = (spec: Record<string, unknown>) => ({ metadata: { name: 'berth' }, spec: { holderIdentity: 'a', ...spec } });

test('Lease fields: integer leaseDurationSeconds > 0, leaseTransitions >= 0, MicroTime times', async () => {
  await withApi(async (_api, base) => {
    const frac = await call(base, 'POST', LEASES, lease({ leaseDurationSeconds: 1.5 }));
    assert.equal(frac.status, 400);
    assert.match(frac.body.message, /cannot unmarshal number 1\.5 into Go struct field LeaseSpec\.spec\.leaseDurationSeconds of type int32/);
    const zero = await call(base, 'POST', LEASES, lease({ leaseDurationSeconds: 0 }));
    assert.equal(zero.status, 422);
    assert.match(zero.body.message, /^Lease\.coordination\.k8s\.io "berth" is invalid: spec\.leaseDurationSeconds: Invalid value: 0: must be greater than 0$/);
    assert.equal((await call(base, 'POST', LEASES, lease({ leaseTransitions: -1 }))).status, 422);
    assert.equal((await call(base, 'POST', LEASES, lease({ renewTime: '2026-11-30T09:00:00Z' }))).status, 400);
    const ok = await call(base, 'POST', LEASES, lease({ leaseDurationSeconds: 15, renewTime: '2026-11-30T09:00:00.000001Z' }));
    assert.equal(ok.status, 201);
  });
});

test('a stale resourceVersion is a 409 Conflict with the real Status body', async () => {
  await withApi(async (_api, base) => {
    const created = await call(base, 'POST', LEASES, lease({ leaseDurationSeconds: 15 }));
    const rv = created.body.metadata.resourceVersion;
    const first = await call(base, 'PUT', `${LEASES}/berth`, { ...created.body, spec: { holderIdentity: 'b' } });
    assert.equal(first.status, 200);
    const stale = await call(base, 'PUT', `${LEASES}/berth`, { ...created.body, metadata: { ...created.body.metadata, resourceVersion: rv } });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.reason, 'Conflict');
    assert.equal(stale.body.message,
      'Operation cannot be fulfilled on leases.coordination.k8s.io "berth": the object has been modified; please apply your changes to the latest version and try again');
    assert.deepEqual(stale.body.details, { name: 'berth', group: 'coordination.k8s.io', kind: 'leases' });
  });
});

test('status subresource: /status writes change only status; custom resources need a resourceVersion on PUT', async () => {
  await withApi(async (api, base) => {
    api.apply({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'echo', namespace: 'kong' }, spec: { rules: [] } });
    const path = '/apis/gateway.networking.k8s.io/v1/namespaces/kong/httproutes/echo';
    const patched = await call(base, 'PATCH', `${path}/status`,
      [{ op: 'add', path: '/spec', value: { rules: [{}] } }, { op: 'add', path: '/status', value: { parents: [] } }], 'application/json-patch+json');
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.body.spec, { rules: [] });
    assert.deepEqual(patched.body.status, { parents: [] });
    assert.equal(patched.body.metadata.generation, 1);
    const { resourceVersion: _rv, ...meta } = patched.body.metadata;
    const unconditional = await call(base, 'PUT', path, { ...patched.body, metadata: meta });
    assert.equal(unconditional.status, 422);
    assert.match(unconditional.body.message, /metadata\.resourceVersion: Invalid value: 0: must be specified for an update/);
    assert.equal((await call(base, 'PATCH', '/apis/coordination.k8s.io/v1/namespaces/kong/leases/x/status', {}, 'application/merge-patch+json')).status, 404);
  });
});

test('starting-up mode answers 403 Forbidden to everything for a while, then serves again', async () => {
  await withApi(async (api, base) => {
    api.startingUp(300);
    const denied = await call(base, 'GET', '/apis/discovery.k8s.io/v1/endpointslices');
    assert.equal(denied.status, 403);
    assert.equal(denied.body.reason, 'Forbidden');
    assert.match(denied.body.message, /^endpointslices\.discovery\.k8s\.io is forbidden: User ".*" cannot list resource "endpointslices" in API group "discovery\.k8s\.io" at the cluster scope$/);
    await new Promise((r) => setTimeout(r, 350));
    assert.equal((await call(base, 'GET', '/apis/discovery.k8s.io/v1/endpointslices')).status, 200);
  });
});
