// Gateway API conformance, Core HTTPRoute tests and the Extended ones berth's router and filters
// cover, ported from kubernetes-sigs/gateway-api conformance/tests/httproute-*.go (+ .yaml) on
// conformance/base/manifests.yaml: the suite's manifests go through `berth run --manifests` one
// test at a time (as the suite applies and deletes them), with echo backends behind
// EndpointSlices on 127.0.0.x, and every expected response and route condition is checked; the
// Core Gateway status tests (gateway-*.go, conformance/gateway-status.ts) check Gateway and
// GatewayClass status as the suite's kubernetes helpers do.
// Each Gateway listener is served on its own socket (--gateway-listeners), as a Gateway address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnBerth, until, type Proc } from './manifests-harness.js';
import { BACKENDS, baseManifests, startBackends } from './conformance/backends.js';
import {
  SAME_NAMESPACE, type Case, type Check, type Detached, type ExpectedCondition, type ExpectedListener, type GatewayClassExpectation, type GatewayExpectation, type RouteCondition,
} from './conformance/cases.js';
import { send, sendH2 } from './conformance/client.js';
import { BACKEND_CASES } from './conformance/core-backends.js';
import { ROUTING_CASES } from './conformance/core-routing.js';
import { FILTER_CASES } from './conformance/filters.js';
import { HEADER_MODIFIER_CASES } from './conformance/header-modifiers.js';
import { LISTENER_ISOLATION_CASES } from './conformance/listener-isolation.js';
import { CONFORMANCE_CERT, PARENT_AND_BACKEND_CASES } from './conformance/core-more.js';
import { GATEWAY_STATUS_CASES } from './conformance/gateway-status.js';
import { distributionProblem } from './conformance/weight.js';

const CASES: Case[] = [...ROUTING_CASES, ...BACKEND_CASES, ...FILTER_CASES, ...HEADER_MODIFIER_CASES, ...PARENT_AND_BACKEND_CASES, ...LISTENER_ISOLATION_CASES,
  ...GATEWAY_STATUS_CASES];

interface Running {
  berth: Proc;
  admin: string;
  ports: Map<string, number>;
  dir: string;
  backendPort: number;
  tlsPort: number;
  caseFile?: string;
  cases: number;
}

async function checkOne(run: Running, c: Check): Promise<string | undefined> {
  const port = c.tls === true ? run.tlsPort : run.ports.get(c.gateway ?? SAME_NAMESPACE)!;
  const echoSet = c.backendSets === undefined ? undefined : { 'X-Echo-Set-Header': Object.entries(c.backendSets).map(([n, v]) => `${n}:${v}`).join(',') };
  const req = { method: c.method, host: c.host, path: c.path, headers: { ...c.headers, ...echoSet }, ca: c.tls === true ? CONFORMANCE_CERT : undefined, sni: c.sni };
  const reply = await (c.h2 === true ? sendH2(port, req) : send(port, req));
  const via = c.tls === true ? `TLS${c.sni === undefined ? '' : ` (SNI ${c.sni})`}${c.h2 === true ? ' over HTTP/2' : ''}` : c.gateway ?? SAME_NAMESPACE;
  const what = `${c.method ?? 'GET'} ${c.host ?? 'example.com'}${c.path} ${JSON.stringify(c.headers ?? {})} via ${via}`;
  const status = c.status ?? 200;
  if (reply.status !== status) return `${what}: status ${reply.status}, want ${status}`;
  if (c.backend !== undefined) {
    const ns = BACKENDS.find((b) => b.service === c.backend)!.namespace;
    if (reply.echoed?.pod.startsWith(`${c.backend}-`) !== true || reply.echoed.namespace !== ns) return `${what}: answered by ${reply.echoed?.pod ?? 'no backend'}, want ${c.backend}`;
  }
  if (c.upstream?.path !== undefined && reply.echoed?.path !== c.upstream.path) return `${what}: backend got path ${reply.echoed?.path}, want ${c.upstream.path}`;
  if (c.upstream?.host !== undefined && reply.echoed?.host !== c.upstream.host) return `${what}: backend got Host ${reply.echoed?.host}, want ${c.upstream.host}`;
  for (const [name, want] of Object.entries(c.upstream?.headers ?? {})) {
    const got = reply.echoed?.headers[name.toLowerCase()];
    if ((got ?? null) !== want) return `${what}: backend got ${name}: ${String(got)}, want ${String(want)}`;
  }
  if (c.location !== undefined && reply.headers.location !== c.location) return `${what}: Location ${String(reply.headers.location)}, want ${c.location}`;
  for (const [name, want] of Object.entries(c.responseHeaders ?? {})) {
    const got = reply.headers[name.toLowerCase()];
    if ((got ?? null) !== want) return `${what}: response ${name}: ${String(got)}, want ${String(want)}`;
  }
  return undefined;
}

/** statusOf: an object's status as berth reports it; namespace undefined for a cluster-scoped kind. */
async function statusOf(run: Running, kind: string, namespace: string | undefined, name: string): Promise<any> {
  const res = await fetch(`${run.admin}/kubernetes/status?kind=${kind}${namespace === undefined ? '' : `&namespace=${namespace}`}&name=${name}`);
  return ((await res.json()) as { data: Array<{ status: any }> }).data[0]?.status;
}

async function conditionProblem(run: Running, want: RouteCondition): Promise<string | undefined> {
  const ns = want.namespace ?? 'gateway-conformance-infra';
  const status = await statusOf(run, 'HTTPRoute', ns, want.route);
  const parent = (status?.parents ?? []).find((p: any) => p.parentRef?.name === want.parent);
  const cond = (parent?.conditions ?? []).find((c: any) => c.type === want.type);
  const generation = want.observedGeneration === undefined || cond?.observedGeneration === want.observedGeneration;
  if (cond?.status === want.status && (want.reason === undefined || cond?.reason === want.reason) && generation) return undefined;
  return `HTTPRoute ${ns}/${want.route} parent ${want.parent}: ${want.type}=${cond?.status}/${cond?.reason} (generation ${cond?.observedGeneration}), ` +
    `want ${want.status}/${want.reason ?? 'any reason'}${want.observedGeneration === undefined ? '' : ` (generation ${want.observedGeneration})`}`;
}

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const conditionsOf = (status: any): any[] => (Array.isArray(status?.conditions) ? status.conditions : []);
const showConditions = (got: any[]): string => `[${got.map((c) => `${c?.type}=${c?.status}/${c?.reason}`).join(', ')}]`;

/** findCondition: kubernetes.findConditionInList, an omitted status or reason matching any. */
function findCondition(got: any[], want: ExpectedCondition): boolean {
  return got.some((c) => c?.type === want.type && (want.status === undefined || c.status === want.status) && (want.reason === undefined || c.reason === want.reason));
}

/** conditionsProblem: kubernetes.conditionsMatch (at least as many conditions, each expected one found). */
function conditionsProblem(want: ExpectedCondition[], got: any[]): string | undefined {
  if (got.length < want.length) return `conditions ${showConditions(got)}, want at least ${want.length}`;
  const missing = want.filter((w) => !findCondition(got, w));
  if (missing.length === 0) return undefined;
  return `conditions ${showConditions(got)} lack ${missing.map((w) => `${w.type}=${w.status ?? 'any'}/${w.reason ?? 'any'}`).join(', ')}`;
}

/** staleProblem: kubernetes.ConditionsHaveLatestObservedGeneration against the manifest's generation. */
function staleProblem(got: any[], generation: number): string | undefined {
  const stale = got.filter((c) => c?.observedGeneration !== generation);
  if (stale.length === 0) return undefined;
  return `conditions ${stale.map((c) => `${c?.type} (generation ${c?.observedGeneration})`).join(', ')} have not observed generation ${generation}`;
}

/**
 * listenersProblem: kubernetes.gatewayListenersMatch: as many listeners as expected, each
 * expected one by name with the expected supportedKinds among its own (none when none are
 * expected), the same attachedRoutes and the expected conditions.
 */
function listenersProblem(want: ExpectedListener[], got: any[]): string | undefined {
  if (got.length !== want.length) return `listeners [${got.map((l) => l?.name).join(', ')}], want ${want.length}`;
  for (const w of want) {
    const l = got.find((a) => a?.name === w.name);
    if (l === undefined) return `no status for listener ${w.name}`;
    const kinds: any[] = Array.isArray(l.supportedKinds) ? l.supportedKinds : [];
    const shown = `[${kinds.map((k) => `${k?.group ?? GATEWAY_GROUP}/${k?.kind}`).join(', ')}]`;
    if (w.supportedKinds.length === 0 && kinds.length !== 0) return `listener ${w.name}: supportedKinds ${shown}, want none`;
    const missing = w.supportedKinds.filter((kind) => !kinds.some((k) => (k?.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && k?.kind === kind));
    if (missing.length > 0) return `listener ${w.name}: supportedKinds ${shown} lack ${missing.join(', ')}`;
    if (l.attachedRoutes !== w.attachedRoutes) return `listener ${w.name}: attachedRoutes ${l.attachedRoutes}, want ${w.attachedRoutes}`;
    const p = conditionsProblem(w.conditions, conditionsOf(l));
    if (p !== undefined) return `listener ${w.name}: ${p}`;
  }
  return undefined;
}

/** gatewayProblem: GatewayMustHaveLatestConditions, GatewayMustHaveCondition and GatewayStatusMustHaveListeners. */
async function gatewayProblem(run: Running, want: GatewayExpectation): Promise<string | undefined> {
  const ns = want.namespace ?? 'gateway-conformance-infra';
  const status = await statusOf(run, 'Gateway', ns, want.gateway);
  const p = status === undefined ? 'no status'
    : (want.observedGeneration === undefined ? undefined : staleProblem(conditionsOf(status), want.observedGeneration)) ??
      (want.conditions === undefined ? undefined : conditionsProblem(want.conditions, conditionsOf(status))) ??
      (want.listeners === undefined ? undefined : listenersProblem(want.listeners, Array.isArray(status.listeners) ? status.listeners : [])) ??
      (want.addresses === undefined ? undefined : addressesProblem(want.addresses, status.addresses));
  return p === undefined ? undefined : `Gateway ${ns}/${want.gateway}: ${p}`;
}

function addressesProblem(want: string[], got: unknown): string | undefined {
  const values = Array.isArray(got) ? got.map((a: any) => a?.value) : [];
  return JSON.stringify(values) === JSON.stringify(want) ? undefined : `status.addresses ${JSON.stringify(got)}, want the values ${JSON.stringify(want)}`;
}

/** gatewayClassProblem: GWCMustHaveAcceptedConditionAny and GatewayClassMustHaveLatestConditions. */
async function gatewayClassProblem(run: Running, want: GatewayClassExpectation): Promise<string | undefined> {
  const status = await statusOf(run, 'GatewayClass', undefined, want.gatewayClass);
  const p = status === undefined ? 'no status' : staleProblem(conditionsOf(status), want.observedGeneration) ?? conditionsProblem(want.conditions, conditionsOf(status));
  return p === undefined ? undefined : `GatewayClass ${want.gatewayClass}: ${p}`;
}

/** detachedProblem: kubernetes.HTTPRouteMustHaveNoAcceptedParents and GatewayMustHaveZeroRoutes. */
async function detachedProblem(run: Running, want: Detached): Promise<string | undefined> {
  const route = await statusOf(run, 'HTTPRoute', 'gateway-conformance-infra', want.route);
  if (route === undefined) return `HTTPRoute ${want.route} has no status yet`;
  const accepted = (route.parents ?? []).filter((p: any) => (p.conditions ?? []).some((c: any) => c.type === 'Accepted' && c.status === 'True'));
  if (accepted.length > 0) return `HTTPRoute ${want.route}: accepted by ${accepted.map((p: any) => p.parentRef?.name).join(', ')}, want no accepted parent`;
  const gw = await statusOf(run, 'Gateway', 'gateway-conformance-infra', want.gateway);
  const attached = (gw?.listeners ?? []).map((l: any) => l.attachedRoutes as number);
  if (gw === undefined || attached.length === 0 || attached.some((n: number) => n !== 0)) return `Gateway ${want.gateway}: attachedRoutes ${JSON.stringify(attached)}, want every listener at 0`;
  return undefined;
}

/** runCase applies one case's manifests and waits (bounded) until every check holds. */
async function runCase(run: Running, c: Case): Promise<void> {
  // Each case in its own file, the previous one deleted: a deleted file's objects go at once, while
  // objects dropped from a rewritten file wait a second (src/controlplane/sources/folder.ts).
  if (run.caseFile !== undefined) await rm(run.caseFile);
  run.caseFile = join(run.dir, `case-${++run.cases}.yaml`);
  await writeFile(run.caseFile, typeof c.manifests === 'string' ? c.manifests : c.manifests(run.backendPort));
  let problems: string[] = [];
  try {
    // One at a time, in this order: requests first, then each kind of status.
    const probes: Array<() => Promise<string | undefined>> = [
      ...c.checks.map((check) => () => checkOne(run, check)),
      ...(c.conditions ?? []).map((cond) => () => conditionProblem(run, cond)),
      ...(c.detached ?? []).map((d) => () => detachedProblem(run, d)),
      ...(c.gateways ?? []).map((g) => () => gatewayProblem(run, g)),
      ...(c.gatewayClasses ?? []).map((g) => () => gatewayClassProblem(run, g)),
    ];
    await until(`${c.name} to hold`, async () => {
      problems = [];
      for (const probe of probes) {
        const p = await probe();
        if (p !== undefined) problems.push(p);
      }
      return problems.length === 0;
    }, 10_000, 100);
  } catch {
    assert.fail(`${c.name} (${c.source}):\n  ${problems.join('\n  ')}`);
  }
  if (c.distribution !== undefined) {
    const p = await distributionProblem(run.ports.get(SAME_NAMESPACE)!, c.distribution);
    if (p !== undefined) assert.fail(`${c.name} (${c.source}): ${p}`);
  }
}

test('Gateway API conformance: Core HTTPRoute tests and berth\'s Extended ones, through berth run --manifests', { timeout: 300_000 }, async (t) => {
  const backends = await startBackends();
  const dir = await mkdtemp(join(tmpdir(), 'berth-conformance-'));
  await writeFile(join(dir, 'base.yaml'), baseManifests(backends.port));
  const names = new Set([SAME_NAMESPACE, ...CASES.flatMap((c) => c.checks.map((k) => k.gateway ?? SAME_NAMESPACE))]);
  const ports = new Map<string, number>();
  for (const name of names) ports.set(name, await freePort());
  const adminPort = await freePort();
  const tlsPort = await freePort();
  const mapping = ['off', ...[...ports].map(([name, port]) => `${name}=127.0.0.1:${port}`)].join(',');
  const berth = spawnBerth(['run', '--manifests', dir, '--proxy-listen', `127.0.0.1:${await freePort()}`, '--proxy-listen-tls', `127.0.0.1:${tlsPort}`, '--admin-listen', `127.0.0.1:${adminPort}`,
    '--session-secret', 'e2e-secret-0123456789abcdef', '--gateway-listeners', mapping, '--log-level', 'warn']);
  const run: Running = { berth, admin: `http://127.0.0.1:${adminPort}`, ports, dir, backendPort: backends.port, tlsPort, cases: 0 };
  try {
    await until('berth to serve the base manifests', async () => {
      if (berth.child.exitCode !== null) throw new Error(`berth exited: ${berth.output()}`);
      return (await fetch(`${run.admin}/status`)).ok;
    });
    // The suite waits for Gateway status.addresses before anything else (GatewayMustHaveLatestConditions,
    // kubernetes.GatewayAndHTTPRoutesMustBeAccepted): in manifests mode, the proxy's listen host.
    await t.test('Gateway status.addresses: the proxy listen host in manifests mode', async () => {
      const url = `${run.admin}/kubernetes/status?kind=Gateway&namespace=gateway-conformance-infra&name=same-namespace`;
      const status = await until('the Gateway status', async () => ((await (await fetch(url)).json()) as { data: Array<{ status: any }> }).data[0]?.status);
      assert.deepEqual(status.addresses, [{ type: 'IPAddress', value: '127.0.0.1' }]);
    });
    for (const c of CASES) {
      await t.test(`${c.name} [${c.support}] (${c.source})`, () => runCase(run, c));
    }
  } finally {
    await berth.stop();
    await backends.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
