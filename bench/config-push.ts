// Config-push benchmark (issue 11, point 3): proxy latency while `POST /config` takes a 5,000-Service
// config, against the same load without a push. Run: node --import tsx bench/config-push.ts [services=5000]
// Prints a markdown table. Target: parsing and validation never stall proxying more than 50 ms.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { startBackend } from '../test/helpers/backend.js';
import { spawnGateway, type GatewayProcess } from '../test/helpers/gateway.js';
import { largeConfig } from '../test/helpers/large-config.js';

const SERVICES = Number(process.argv[2] ?? 5000);
const CLIENTS = 4;
const BASELINE_MS = 5000;
const ROUNDS = 3;
/** AFTER_MS: the window runs on past the 201: dropping the old runtime (GC) also costs the event loop. */
const AFTER_MS = 1500;

interface Sample { start: number; ms: number }

/** Load: CLIENTS keep-alive loops on the proxy, each request timed from its start. */
class Load {
  readonly samples: Sample[] = [];
  private running = true;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  private loops: Promise<void>[] = [];
  errors = 0;

  constructor(private readonly url: string) {}

  start(): void {
    this.loops = Array.from({ length: CLIENTS }, () => this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.agent.destroy();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const start = performance.now();
      const ok = await new Promise<boolean>((resolve) => {
        http.get(this.url, { agent: this.agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200));
        }).on('error', () => resolve(false));
      });
      if (ok) this.samples.push({ start, ms: performance.now() - start });
      else this.errors++;
    }
  }

  between(from: number, to: number): number[] {
    return this.samples.filter((s) => s.start >= from && s.start <= to).map((s) => s.ms).sort((a, b) => a - b);
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function push(gw: GatewayProcess, body: string, contentType: string): Promise<{ ms: number; changed: boolean; from: number; to: number }> {
  const from = performance.now();
  const res = await fetch(`${gw.adminUrl}/config`, { method: 'POST', headers: { 'content-type': contentType }, body });
  const answer = (await res.json()) as { changed?: boolean; message?: string };
  const to = performance.now();
  if (res.status !== 201) throw new Error(`push answered ${res.status}: ${answer.message ?? ''}`);
  return { ms: to - from, changed: answer.changed === true, from, to };
}

async function main(): Promise<void> {
  const backend = await startBackend({ name: 'b', host: '127.0.0.91' });
  const gw = await spawnGateway({
    config: { _format_version: '3.0', services: [{ name: 's', url: `http://${backend.address}`, routes: [{ name: 'r', paths: ['/'] }] }] },
  });
  const bodies = Array.from({ length: ROUNDS }, (_, i) => JSON.stringify(largeConfig(SERVICES, backend.address, `r${i}`)));
  // The controller's usual push: the same config with one pod draining in one upstream.
  const drains = Array.from({ length: ROUNDS }, (_, i) => JSON.stringify(largeConfig(SERVICES, backend.address, `r${ROUNDS - 1}`, 100 + i)));
  const yamlOfLast = stringify(JSON.parse(drains.at(-1)!));
  const load = new Load(`${gw.proxyUrl}/`);
  const rows: string[] = [];
  const row = (name: string, latencies: number[], pushMs?: number): void => {
    const ms = (v: number): string => (Number.isNaN(v) ? '-' : v.toFixed(1));
    rows.push(`| ${name} | ${latencies.length} | ${ms(quantile(latencies, 0.5))} | ${ms(quantile(latencies, 0.99))} | ${ms(latencies.at(-1) ?? NaN)} | ${pushMs === undefined ? '-' : ms(pushMs)} |`);
  };
  try {
    load.start();
    await new Promise((r) => setTimeout(r, 500));
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, BASELINE_MS));
    row('no push (baseline)', load.between(t0, performance.now()));
    for (let i = 0; i < ROUNDS; i++) {
      const p = await push(gw, bodies[i]!, 'application/json');
      await new Promise((r) => setTimeout(r, AFTER_MS));
      row(`every upstream changed, ${(bodies[i]!.length / 1e6).toFixed(1)} MB JSON (round ${i + 1})`, load.between(p.from, p.to + AFTER_MS), p.ms);
    }
    for (let i = 0; i < ROUNDS; i++) {
      const p = await push(gw, drains[i]!, 'application/json');
      await new Promise((r) => setTimeout(r, AFTER_MS));
      row(`one pod draining in one upstream (round ${i + 1})`, load.between(p.from, p.to + AFTER_MS), p.ms);
    }
    const same = await push(gw, drains.at(-1)!, 'application/json');
    await new Promise((r) => setTimeout(r, AFTER_MS));
    row('same bytes again (unchanged)', load.between(same.from, same.to + AFTER_MS), same.ms);
    const reformatted = await push(gw, yamlOfLast, 'application/yaml');
    await new Promise((r) => setTimeout(r, AFTER_MS));
    row(`same config as YAML, ${(yamlOfLast.length / 1e6).toFixed(1)} MB (unchanged)`, load.between(reformatted.from, reformatted.to + AFTER_MS), reformatted.ms);
  } finally {
    await load.stop();
    await gw.stop();
    await backend.close();
  }
  console.log(`Proxy latency during \`POST /config\` of ${SERVICES} Services x 10 targets (${CLIENTS} keep-alive clients, requests started during the push or the 1.5 s after its answer):\n`);
  console.log('| push | requests | p50 ms | p99 ms | max ms | push ms |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  if (load.errors > 0) console.log(`\n${load.errors} proxied requests failed.`);
}

main().catch((err) => {
  console.error(`config-push bench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
