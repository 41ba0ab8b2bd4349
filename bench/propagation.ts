// Change propagation in --manifests mode: from writing a manifest edit (an EndpointSlice condition, a
// KongUpstreamPolicy field) until the proxy runs the new config. Real processes: three `berth echo` pods and
// `berth run --manifests`. Run: node --import tsx bench/propagation.ts (needs `npm run build`).
//
// "Applied" is the admin API's configuration_hash changing (the gateway swapped configs); each
// round then checks the behaviour too (new sessions avoid a terminating pod; a renamed cookie is set).
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  endpointSliceYaml, get, manifestsDir, podsOn, startBerthRun, startEchoPods, until,
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

interface Scenario {
  name: string;
  /** Writes the change for this round (rounds alternate between two states). */
  edit: (round: number) => Promise<void>;
  /** Checks the proxy behaves per the new state once the config swapped. */
  check: (round: number) => Promise<void>;
}

async function main(): Promise<void> {
  const pods = podsOn('127.0.0.', 41);
  const { port, procs } = await startEchoPods(pods);
  const dir = await manifestsDir(pods, port);
  const berth = await startBerthRun(dir, ['--log-level', 'warn']);
  const policy = await readFile(join(dir, 'kongupstreampolicy.yaml'), 'utf8');
  const scenarios: Scenario[] = [
    {
      name: 'EndpointSlice: a pod turns terminating (or back)',
      edit: (round) => writeFile(join(dir, 'endpointslice.yaml'),
        endpointSliceYaml(pods, ['ready', 'ready', round % 2 === 0 ? 'terminating' : 'ready'], port)),
      check: async (round) => {
        if (round % 2 === 0) await checkAvoided(berth.proxy, pods[2]!.name);
      },
    },
    {
      name: 'KongUpstreamPolicy: the sticky cookie is renamed (or back)',
      edit: (round) => writeFile(join(dir, 'kongupstreampolicy.yaml'), round % 2 === 0 ? policy.replace('"session-id"', '"berth-sid"') : policy),
      check: async (round) => {
        const cookie = (await get(`${berth.proxy}/echo`)).setCookie ?? '';
        if (!cookie.startsWith(round % 2 === 0 ? 'berth-sid=' : 'session-id=')) throw new Error(`unexpected cookie ${cookie}`);
      },
    },
  ];
  try {
    const rows: Array<[string, number[]]> = [];
    for (const scenario of scenarios) rows.push([scenario.name, await measure(berth.admin, scenario)]);
    report(rows);
  } finally {
    await Promise.all([berth.stop(), ...procs.map((p) => p.stop())]);
    await rm(dir, { recursive: true, force: true });
  }
}

/** measure times ROUNDS edits from the write until the gateway runs a config with a new hash. */
async function measure(admin: string, scenario: Scenario): Promise<number[]> {
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const before = await configHash(admin);
    const started = performance.now();
    await scenario.edit(round);
    await until('the new config', async () => (await configHash(admin)) !== before, 10_000, 1);
    samples.push(performance.now() - started);
    await scenario.check(round);
    await new Promise((r) => setTimeout(r, 50)); // separate the rounds' file events
  }
  return samples;
}

/** checkAvoided: after the change is applied, six new sessions (two round-robin turns) skip the pod. */
async function checkAvoided(proxy: string, pod: string): Promise<void> {
  for (let i = 0; i < 6; i++) {
    const r = await get(`${proxy}/echo`);
    if (r.pod === pod) throw new Error(`a new session reached terminating ${pod} after the config changed`);
  }
}

function report(rows: Array<[string, number[]]>): void {
  const ms = (v: number): string => v.toFixed(1);
  console.log('Manifest file edit until the proxy runs the new config (`berth run --manifests`):\n');
  console.log('| change | rounds | median ms | p90 ms | max ms |');
  console.log('|---|---|---|---|---|');
  for (const [name, samples] of rows) {
    const sorted = [...samples].sort((a, b) => a - b);
    console.log(`| ${name} | ${sorted.length} | ${ms(quantile(sorted, 0.5))} | ${ms(quantile(sorted, 0.9))} | ${ms(sorted.at(-1)!)} |`);
  }
}

main().catch((err) => {
  console.error(`propagation bench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
