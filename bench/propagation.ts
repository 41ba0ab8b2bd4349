// Change propagation in --manifests mode: from writing an EndpointSlice edit (a pod turns terminating,
// or back) until the proxy runs the new config. Real processes: three `berth echo` pods and
// `berth run --manifests`. Run: node --import tsx bench/propagation.ts (needs `npm run build`).
//
// "Applied" is the admin API's configuration_hash changing (the gateway swapped configs); each
// round then checks the behaviour too: while the pod is terminating, new sessions avoid it.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  endpointSliceYaml, get, manifestsDir, podsOn, startBerthRun, startEchoPods, until, type PodState,
} from '../test/e2e/manifests-harness.js';

const ROUNDS = Number(process.env.PROPAGATION_ROUNDS ?? 10);

async function configHash(admin: string): Promise<string> {
  const status = (await (await fetch(`${admin}/status`)).json()) as { configuration_hash?: string };
  if (!status.configuration_hash) throw new Error('admin /status has no configuration_hash');
  return status.configuration_hash;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function main(): Promise<void> {
  const pods = podsOn('127.0.0.', 41);
  const { port, procs } = await startEchoPods(pods);
  const dir = await manifestsDir(pods, port);
  const berth = await startBerthRun(dir, ['--log-level', 'warn']);
  const samples: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const draining = round % 2 === 0;
      const states: PodState[] = ['ready', 'ready', draining ? 'terminating' : 'ready'];
      const before = await configHash(berth.admin);
      const started = performance.now();
      await writeFile(join(dir, 'endpointslice.yaml'), endpointSliceYaml(pods, states, port));
      await until('the new config', async () => (await configHash(berth.admin)) !== before, 10_000, 1);
      samples.push(performance.now() - started);
      if (draining) await checkAvoided(berth.proxy, pods[2]!.name);
      await new Promise((r) => setTimeout(r, 50)); // separate the rounds' file events
    }
  } finally {
    await Promise.all([berth.stop(), ...procs.map((p) => p.stop())]);
    await rm(dir, { recursive: true, force: true });
  }
  report(samples);
}

/** checkAvoided: after the change is applied, six new sessions (two round-robin turns) skip the pod. */
async function checkAvoided(proxy: string, pod: string): Promise<void> {
  for (let i = 0; i < 6; i++) {
    const r = await get(`${proxy}/echo`);
    if (r.pod === pod) throw new Error(`a new session reached terminating ${pod} after the config changed`);
  }
}

function report(samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const ms = (v: number): string => v.toFixed(1);
  console.log(`| change | rounds | median ms | p90 ms | max ms |`);
  console.log(`|---|---|---|---|---|`);
  console.log(`| EndpointSlice file edit -> proxy config swapped | ${sorted.length} | ${ms(quantile(sorted, 0.5))} | ${ms(quantile(sorted, 0.9))} | ${ms(sorted.at(-1)!)} |`);
}

main().catch((err) => {
  console.error(`propagation bench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
