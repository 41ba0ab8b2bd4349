// Translation benchmark (issue 4 Scale): 5,000 Services x 10 endpoints behind 5,000 HTTPRoutes.
// Run: node --import tsx bench/translate.ts [services=5000] [endpoints=10]
// Prints a markdown table. Targets: full translation < 1 s, one EndpointSlice change < 20 ms.
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Snapshot } from '../src/controlplane/snapshot.js';
import { IncrementalTranslator, translate } from '../src/controlplane/translator/index.js';
import { DEFAULT_TRANSLATE_OPTIONS, type KubeObject } from '../src/controlplane/types.js';

const SERVICES = Number(process.argv[2] ?? 5000);
const ENDPOINTS = Number(process.argv[3] ?? 10);
const NOW = () => '2026-01-01T00:00:00Z';

function meta(name: string, ns: string | undefined, uid: string, rv = '1'): KubeObject['metadata'] {
  return ns === undefined ? { name, uid, resourceVersion: rv, generation: 1 } : { name, namespace: ns, uid, resourceVersion: rv, generation: 1 };
}

function slice(i: number, rv: string, readyUpTo: number): KubeObject {
  const endpoints = Array.from({ length: ENDPOINTS }, (_, j) => ({
    addresses: [`10.${(i >> 8) & 255}.${i & 255}.${j + 1}`],
    conditions: { ready: j < readyUpTo, serving: true, terminating: j >= readyUpTo },
    targetRef: { kind: 'Pod', namespace: 'bench', name: `app-${i}-${j}`, uid: `pod-${i}-${j}` },
  }));
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { ...meta(`app-${i}-abcde`, 'bench', `slice-${i}`, rv), labels: { 'kubernetes.io/service-name': `app-${i}` } },
    addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], endpoints,
  };
}

function objects(): KubeObject[] {
  const out: KubeObject[] = [
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: meta('kong', undefined, 'gc'), spec: { controllerName: DEFAULT_TRANSLATE_OPTIONS.controllerName } },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: meta('kong', 'bench', 'gw'), spec: { gatewayClassName: 'kong', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } },
  ];
  for (let i = 0; i < SERVICES; i++) {
    out.push({ apiVersion: 'v1', kind: 'Service', metadata: meta(`app-${i}`, 'bench', `svc-${i}`), spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } });
    out.push(slice(i, '1', ENDPOINTS));
    out.push({
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: meta(`app-${i}`, 'bench', `route-${i}`),
      spec: { parentRefs: [{ name: 'kong' }], hostnames: [`app-${i}.example.com`], rules: [{ matches: [{ path: { type: 'PathPrefix', value: `/app-${i}` } }], backendRefs: [{ name: `app-${i}`, port: 80 }] }] },
    });
  }
  return out;
}

function time<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const value = fn();
  return [value, performance.now() - start];
}

/** cpuTime: ms of CPU this process spent in fn (user+system), less sensitive to other load than wall time. */
function cpuTime<T>(fn: () => T): [T, number] {
  const start = process.cpuUsage();
  const value = fn();
  const used = process.cpuUsage(start);
  return [value, (used.user + used.system) / 1000];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const objs = objects();
const rows: Array<[string, string, string]> = [];
const [snapshot, snapMs] = time(() => Snapshot.from(objs));
rows.push([`Snapshot.from (${objs.length} objects)`, snapMs.toFixed(1), '-']);

const fullRuns: number[] = [];
const fullCpu: number[] = [];
for (let r = 0; r < 5; r++) {
  const [[, cpuMs], wallMs] = time(() => cpuTime(() => translate(snapshot, DEFAULT_TRANSLATE_OPTIONS, NOW)));
  fullRuns.push(wallMs);
  fullCpu.push(cpuMs);
}
const fullName = `full translate (${SERVICES} Services x ${ENDPOINTS} endpoints, ${SERVICES} HTTPRoutes)`;
rows.push([`${fullName}, median of 5`, median(fullRuns).toFixed(1), '< 1000']);
rows.push([`${fullName}, CPU time, median of 5`, median(fullCpu).toFixed(1), '< 1000']);

const inc = new IncrementalTranslator(DEFAULT_TRANSLATE_OPTIONS, NOW);
inc.update(snapshot);
const updates: number[] = [];
const updatesCpu: number[] = [];
const both: number[] = [];
const rebuilds: number[] = [];
let current = objs;
const CHANGES = 30;
for (let k = 0; k < CHANGES; k++) {
  const idx = objs.findIndex((o) => o.kind === 'EndpointSlice' && o.metadata.name === `app-${k * 97}-abcde`);
  // One pod of one Service starts terminating: a new slice version.
  current = current.slice();
  current[idx] = slice(k * 97, `${k + 2}`, ENDPOINTS - 1);
  const [next, buildMs] = time(() => Snapshot.from(current));
  const [[result, updateCpuMs], updateMs] = time(() => cpuTime(() => inc.update(next)));
  updatesCpu.push(updateCpuMs);
  const changedUpstream = result.config.upstreams!.find((u) => u.name === `httproute.bench.svc.bench.app-${k * 97}.80`);
  if (!changedUpstream?.targets?.some((t) => t.weight === 0)) throw new Error('the change did not reach the config');
  rebuilds.push(buildMs);
  updates.push(updateMs);
  both.push(buildMs + updateMs);
}
rows.push([`one EndpointSlice change: IncrementalTranslator.update, median of ${CHANGES}`, median(updates).toFixed(1), '< 20']);
rows.push([`one EndpointSlice change: IncrementalTranslator.update, CPU time, median of ${CHANGES}`, median(updatesCpu).toFixed(1), '< 20']);
rows.push([`one EndpointSlice change: IncrementalTranslator.update, best of ${CHANGES}`, Math.min(...updates).toFixed(1), '-']);
rows.push([`one EndpointSlice change: Snapshot.from rebuild (source side), median of ${CHANGES}`, median(rebuilds).toFixed(1), '-']);
rows.push([`one EndpointSlice change: Snapshot.from + update, median of ${CHANGES}`, median(both).toFixed(1), '-']);

console.log(`Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} CPUs (timings on a shared machine are noisy)\n`);
console.log('| measurement | ms | target |');
console.log('|---|---:|---:|');
for (const [name, ms, target] of rows) console.log(`| ${name} | ${ms} | ${target} |`);
