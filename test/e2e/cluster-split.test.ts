// Split mode against the API server stand-in: two `berth gateway` replicas and two `berth controller`
// replicas (one elected through a Lease) pushing config to them. Needs `npm run build`.
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { ApiServer } from '../apiserver/server.js';
import { setPods, startGuideCluster } from './cluster-harness.js';
import {
  cookiePair, freePort, get, podsOn, spawnBerth, startEchoPods, until, type EchoPod, type Proc,
} from './manifests-harness.js';

const SECRET = 'split-e2e-secret-0123456789abcdef';
/** As deploy/split.yaml does: the gateways require this admin token, the controllers send it. */
const ADMIN_TOKEN = 'split-e2e-admin-token-0123456789';

/** Recorder forwards to one gateway's admin API and counts the config pushes that went through it. */
class Recorder {
  posts = 0;
  private server: Server | null = null;
  url = '';
  constructor(private readonly target: string) {}
  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      if (req.method === 'POST' && req.url?.startsWith('/config')) this.posts++;
      const upstream = request(this.target + req.url, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as { port: number }).port}`;
    return this;
  }
  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}

interface GatewayReplica { proc: Proc; proxy: string; admin: string; args: string[] }

async function startGateway(proxyPort?: number, adminPort?: number): Promise<GatewayReplica> {
  const p = proxyPort ?? (await freePort());
  const a = adminPort ?? (await freePort());
  const args = ['gateway', '--proxy-listen', `127.0.0.1:${p}`, '--admin-listen', `127.0.0.1:${a}`, '--session-secret', SECRET];
  const proc = spawnBerth(args, { BERTH_ADMIN_TOKEN: ADMIN_TOKEN });
  const admin = `http://127.0.0.1:${a}`;
  await until('gateway admin', async () => {
    if (proc.child.exitCode !== null) throw new Error(`gateway exited: ${proc.output()}`);
    return (await fetch(`${admin}/status`)).ok;
  });
  return { proc, proxy: `http://127.0.0.1:${p}`, admin, args };
}

describe('split mode: berth gateway replicas + leader-elected berth controller', { timeout: 180_000 }, () => {
  const pods: EchoPod[] = podsOn('127.0.0.', 51);
  let echoes: Proc[] = [];
  let api: ApiServer;
  let port = 0;
  const gateways: GatewayReplica[] = [];
  const controllers = new Map<string, Proc>();
  const recorders = new Map<string, Recorder[]>();
  const holder = () => api.get('coordination.k8s.io/v1', 'Lease', 'kong', 'berth-controller-leader').spec.holderIdentity as string;

  before(async () => {
    ({ port, procs: echoes } = await startEchoPods(pods));
    ({ api } = await startGuideCluster(pods, port));
    gateways.push(await startGateway(), await startGateway());
    const dir = mkdtempSync(join(tmpdir(), 'berth-split-'));
    for (const id of ['c1', 'c2']) {
      const kubeconfig = api.writeKubeconfig(join(dir, `${id}.kubeconfig`), 'kong', id);
      const recs = await Promise.all(gateways.map((g) => new Recorder(g.admin).start()));
      recorders.set(id, recs);
      controllers.set(id, spawnBerth(['controller', '--kubeconfig', kubeconfig, '--gateway-admin-url', recs.map((r) => r.url).join(','),
        '--election-namespace', 'kong', '--health-listen', '127.0.0.1:0', '--admin-token', ADMIN_TOKEN], { POD_NAME: id }));
    }
  });
  after(async () => {
    await Promise.all([...controllers.values()].map((c) => c.stop()));
    await Promise.all(gateways.map((g) => g.proc.stop()));
    await Promise.all([...recorders.values()].flat().map((r) => r.stop()));
    await Promise.all(echoes.map((e) => e.stop()));
    await api?.stop();
  });

  it('config reaches both gateways; a cookie from one is honoured by the other', async () => {
    for (const g of gateways) {
      await until(`gateway ${g.proxy} to serve /echo`, async () => (await fetch(`${g.proxy}/echo`)).status === 200, 30_000);
    }
    const first = await get(`${gateways[0]!.proxy}/echo`);
    const session = cookiePair(first.setCookie!);
    for (let i = 0; i < 6; i++) assert.equal((await get(`${gateways[i % 2]!.proxy}/echo`, session)).pod, first.pod);
  });

  it('only the lease holder writes: pushes, statuses and events', async () => {
    const leader = holder();
    const standby = leader === 'c1' ? 'c2' : 'c1';
    await until('statuses written', async () => api.requests.some((r) => r.subresource === 'status'));
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual(recorders.get(standby)!.map((r) => r.posts), [0, 0], 'the standby pushed config');
    assert.ok(recorders.get(leader)!.every((r) => r.posts >= 1), 'the leader pushed to every gateway');
    const writers = new Set(api.requests.filter((r) => r.subresource === 'status' || (r.resource === 'events' && r.verb === 'create'))
      .map((r) => r.user));
    assert.deepEqual([...writers], [leader]);
    for (const [id, proc] of controllers) {
      const health = /"health":\{"address":"([^"]+)","family":"IPv4","port":(\d+)\}/.exec(proc.output());
      assert.ok(health, `no health address logged by ${id}`);
      assert.equal((await fetch(`http://${health[1]}:${health[2]}/readyz`)).status, 200, `${id} is ready (informers synced)`);
    }
    const pushes = recorders.get(leader)!.map((r) => r.posts);
    await new Promise((r) => setTimeout(r, 2500));
    assert.deepEqual(recorders.get(leader)!.map((r) => r.posts), pushes, 'an unchanged config is not pushed again');
  });

  it('a restarted gateway gets the config pushed again', async () => {
    const leader = holder();
    const before = recorders.get(leader)![1]!.posts;
    const old = gateways[1]!;
    await old.proc.stop();
    const [p, a] = [new URL(old.proxy).port, new URL(old.admin).port].map(Number);
    gateways[1] = await startGateway(p, a);
    await until('the restarted gateway to serve /echo', async () => (await fetch(`${gateways[1]!.proxy}/echo`)).status === 200, 15_000);
    assert.ok(recorders.get(leader)![1]!.posts > before);
  });

  it('when the leader stops, the standby takes over and converges a change on both gateways', async () => {
    const leader = holder();
    await controllers.get(leader)!.stop();
    const standby = leader === 'c1' ? 'c2' : 'c1';
    await until('the standby to take the lease', async () => holder() === standby, 20_000);
    setPods(api, pods, ['ready', 'ready', 'gone'], port);
    for (const g of gateways) {
      await until(`${g.proxy} to stop sending new sessions to the removed pod`, async () => {
        const fresh = await Promise.all(Array.from({ length: 9 }, () => get(`${g.proxy}/echo`)));
        return fresh.every((r) => r.status === 200 && r.pod !== pods[2]!.name);
      }, 20_000);
    }
    assert.ok(recorders.get(standby)!.every((r) => r.posts >= 1));
  });
});
