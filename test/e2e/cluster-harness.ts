// The guide's objects in the API server stand-in, for the cluster-mode e2e tests (test/e2e/cluster-*.test.ts).
import { readFileSync, readdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { ApiServer } from '../apiserver/server.js';
import { endpointSliceYaml, ROOT, type EchoPod, type PodState } from './manifests-harness.js';

/** startGuideCluster serves examples/echo (the guide's objects) with the EndpointSlice pointing at `pods` on `port`. */
export async function startGuideCluster(pods: EchoPod[], port: number): Promise<{ api: ApiServer; kubeconfig: string }> {
  const api = new ApiServer();
  await api.start();
  const dir = join(ROOT, 'examples', 'echo');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const obj = doc.toJS();
      if (obj?.kind && obj.kind !== 'EndpointSlice') api.apply(obj);
    }
  }
  setPods(api, pods, ['ready', 'ready', 'ready'], port);
  const kubeconfig = api.writeKubeconfig(join(mkdtempSync(join(tmpdir(), 'berth-cluster-')), 'kubeconfig'), 'kong');
  return { api, kubeconfig };
}

/** setPods writes the guide's EndpointSlice with each pod in its state, as the EndpointSlice controller would. */
export function setPods(api: ApiServer, pods: EchoPod[], states: PodState[], port: number): void {
  api.apply(parse(endpointSliceYaml(pods, states, port)));
}

/** conditionOf finds a condition of that type anywhere in a status (parents[] or ancestors[]). */
export function conditionOf(status: unknown, type: string): Record<string, unknown> | undefined {
  if (Array.isArray(status)) return status.map((s) => conditionOf(s, type)).find(Boolean);
  if (typeof status !== 'object' || status === null) return undefined;
  const record = status as Record<string, unknown>;
  if (record.type === type && 'status' in record) return record;
  return Object.values(record).map((v) => conditionOf(v, type)).find(Boolean);
}

/** addressFromLog finds `"msg":"<msg>"` in a berth process's JSON log and returns http://address:port. */
export function addressFromLog(output: string, msg: string): string | undefined {
  for (const line of output.split('\n')) {
    if (!line.includes(`"msg":"${msg}"`)) continue;
    const entry = JSON.parse(line) as { address?: string; port?: number };
    if (entry.port) return `http://${entry.address}:${entry.port}`;
  }
  return undefined;
}
