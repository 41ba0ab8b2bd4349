// Memory of the gateway (issue 12): RSS with 50,000 targets in 5,000 upstreams, and RSS per idle
// keep-alive client connection. Real processes: `berth gateway` from bin/berth.js (needs
// `npm run build`), one loopback backend, N client sockets each left idle after one request.
// Run: node --import tsx bench/memory.ts   Tunables: MEMORY_UPSTREAMS=5000 MEMORY_TARGETS_PER=10
// MEMORY_CONNS=2000 MEMORY_WORKERS=1 (with N > 1 the RSS is summed over the primary and its workers).
import http from 'node:http';
import net from 'node:net';
import { readFileSync, readdirSync } from 'node:fs';
import { spawnGateway } from '../test/helpers/gateway.js';

const UPSTREAMS = Number(process.env['MEMORY_UPSTREAMS'] ?? 5000);
const PER = Number(process.env['MEMORY_TARGETS_PER'] ?? 10);
const CONNS = Number(process.env['MEMORY_CONNS'] ?? 2000);
const WORKERS = process.env['MEMORY_WORKERS'] ?? '1';

/** rssKb: VmRSS of pid plus its children (a --workers primary's workers), in KiB. */
function rssKb(pid: number): number {
  const own = (p: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
  let sum = own(pid);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) sum += own(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return sum;
}

/** settle: RSS once it stops moving (GC and lazy pages), bounded to ~5 s. */
async function settledRssKb(pid: number): Promise<number> {
  let last = rssKb(pid);
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = rssKb(pid);
    if (Math.abs(now - last) < 256) return now;
    last = now;
  }
  return last;
}

function bigConfig(backendPort: number): unknown {
  const upstreams = [];
  const services = [];
  for (let u = 0; u < UPSTREAMS; u++) {
    const targets = [];
    for (let t = 0; t < PER; t++) {
      // 10.x.y.z addresses are never dialled: no health checks, and only route /u0 is requested.
      const n = u * PER + t;
      targets.push({ target: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}:8080`, tags: [`berth.identity=uid-${n}`] });
    }
    if (u === 0) targets.splice(0, targets.length, { target: `127.0.0.1:${backendPort}`, tags: ['berth.identity=uid-backend'] });
    upstreams.push({ name: `up-${u}`, algorithm: 'sticky-sessions', sticky_sessions_cookie: 'session-id', targets });
    services.push({ name: `svc-${u}`, host: `up-${u}`, routes: [{ name: `route-${u}`, paths: [`/u${u}/`] }] });
  }
  return { _format_version: '3.0', services, upstreams };
}

/** openIdle opens `n` keep-alive connections, sends one request on each, and leaves them open. */
async function openIdle(port: number, n: number): Promise<net.Socket[]> {
  const sockets: net.Socket[] = [];
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      sockets.push(s);
      s.setTimeout(20_000, () => s.destroy(new Error('idle connection setup timed out')));
      s.once('error', reject);
      s.once('data', () => {
        s.setTimeout(0);
        resolve();
      });
      s.write('GET /u0/ HTTP/1.1\r\nHost: bench\r\n\r\n');
    });
  for (let i = 0; i < n; i += 100) await Promise.all(Array.from({ length: Math.min(100, n - i) }, one));
  return sockets;
}

async function main(): Promise<void> {
  const backend = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
  const backendPort = (backend.address() as net.AddressInfo).port;
  const empty = await spawnGateway({ args: ['--access-log', 'off', '--workers', WORKERS] });
  const emptyKb = await settledRssKb(empty.child.pid!);
  await empty.stop();
  const gw = await spawnGateway({
    config: bigConfig(backendPort),
    args: ['--access-log', 'off', '--workers', WORKERS],
    startTimeoutMs: 120_000,
  });
  try {
    const loadedKb = await settledRssKb(gw.child.pid!);
    const sockets = await openIdle(gw.proxy.port, CONNS);
    const withConnsKb = await settledRssKb(gw.child.pid!);
    for (const s of sockets) s.destroy();
    const targets = (UPSTREAMS - 1) * PER + 1;
    console.log(`| measure | value |`);
    console.log(`|---|---:|`);
    console.log(`| workers | ${WORKERS} |`);
    console.log(`| RSS, empty config | ${(emptyKb / 1024).toFixed(1)} MB |`);
    console.log(`| RSS, ${targets} targets in ${UPSTREAMS} upstreams (${UPSTREAMS} services/routes) | ${(loadedKb / 1024).toFixed(1)} MB |`);
    console.log(`| RSS per idle keep-alive connection (${CONNS} connections) | ${(((withConnsKb - loadedKb) * 1024) / CONNS / 1024).toFixed(2)} KB |`);
  } finally {
    await gw.stop();
    backend.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
