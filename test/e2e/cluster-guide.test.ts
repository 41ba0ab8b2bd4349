// The guide end to end in cluster mode: `berth run --kubeconfig` against the API server stand-in
// (test/apiserver/), three `berth echo` pods, and the guide's objects. Needs `npm run build`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiServer } from '../apiserver/server.js';
import { conditionOf, setPods, startGuideCluster } from './cluster-harness.js';
import {
  cookiePair, freePort, get, podsOn, spawnBerth, startEchoPods, until, type EchoPod, type PodState, type Proc,
} from './manifests-harness.js';

const OUTAGE_MS = 30_000;

describe('the guide in cluster mode (berth run --kubeconfig, API server stand-in)', { timeout: 180_000 }, () => {
  const pods: EchoPod[] = podsOn('127.0.0.', 41);
  let echoes: Proc[] = [];
  let api: ApiServer;
  let berth: Proc | undefined;
  let proxy = '';
  let admin = '';
  let port = 0;
  let session = '';
  let pinned = '';
  const echo = (cookie?: string) => get(`${proxy}/echo`, cookie);
  const pods_ = (states: PodState[]) => setPods(api, pods, states, port);
  const podIndex = (name: string | undefined) => pods.findIndex((p) => p.name === name);

  before(async () => {
    ({ port, procs: echoes } = await startEchoPods(pods));
    let kubeconfig: string;
    ({ api, kubeconfig } = await startGuideCluster(pods, port));
    const proxyPort = await freePort();
    const adminPort = await freePort();
    proxy = `http://127.0.0.1:${proxyPort}`;
    admin = `http://127.0.0.1:${adminPort}`;
    berth = spawnBerth(['run', '--kubeconfig', kubeconfig, '--proxy-listen', `127.0.0.1:${proxyPort}`,
      '--admin-listen', `127.0.0.1:${adminPort}`, '--session-secret', 'cluster-e2e-secret-0123456789', '--publish-status-address', '192.0.2.10']);
    await until('berth run to serve /echo', async () => {
      if (berth!.child.exitCode !== null) throw new Error(`berth run exited: ${berth!.output()}`);
      return (await fetch(`${proxy}/echo`)).status === 200;
    }, 30_000);
  });
  after(async () => {
    await Promise.all([berth?.stop(), ...echoes.map((e) => e.stop())]);
    await api?.stop();
  });

  it('lists then watches every kind the translator reads', () => {
    const watched = new Set(api.requests.filter((r) => r.verb === 'watch').map((r) => r.resource));
    for (const r of ['gatewayclasses', 'gateways', 'httproutes', 'ingresses', 'services', 'endpointslices', 'secrets', 'kongupstreampolicies']) {
      assert.ok(watched.has(r), `no watch on ${r}`);
    }
  });

  it('the first request gets the session-id cookie; later ones stick to the same pod', async () => {
    const first = await echo();
    assert.equal(first.status, 200);
    assert.match(first.setCookie ?? '', /^session-id=[^;]+;.*Path=\//i);
    session = cookiePair(first.setCookie!);
    pinned = first.pod!;
    assert.ok(podIndex(pinned) >= 0, `unknown pod ${pinned}`);
    for (let i = 0; i < 15; i++) assert.equal((await echo(session)).pod, pinned);
  });

  it('writes statuses back through the status subresource', async () => {
    await until('HTTPRoute and KongUpstreamPolicy statuses', async () => {
      const route = api.get('gateway.networking.k8s.io/v1', 'HTTPRoute', 'kong', 'echo');
      const policy = api.get('configuration.konghq.com/v1beta1', 'KongUpstreamPolicy', 'kong', 'sticky-session-policy');
      return conditionOf(route.status, 'Programmed')?.status === 'True' && conditionOf(policy.status, 'Accepted')?.status === 'True';
    });
    const route = api.get('gateway.networking.k8s.io/v1', 'HTTPRoute', 'kong', 'echo');
    assert.equal(conditionOf(route.status?.parents, 'Accepted')?.status, 'True', JSON.stringify(route.status));
    assert.equal(route.metadata.generation, 1, 'a status write must not bump the generation');
    const policy = api.get('configuration.konghq.com/v1beta1', 'KongUpstreamPolicy', 'kong', 'sticky-session-policy');
    assert.equal(policy.status.ancestors[0].ancestorRef.name, 'echo');
    assert.ok(api.requests.filter((r) => r.subresource === 'status').every((r) => r.verb === 'patch'));
    const writes = api.requests.filter((r) => r.subresource === 'status').length;
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(api.requests.filter((r) => r.subresource === 'status').length, writes, 'unchanged statuses are not rewritten');
  });

  it('--publish-status-address goes to Gateway status.addresses and Ingress status.loadBalancer', async () => {
    api.apply({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'echo-ingress', namespace: 'kong' },
      spec: { ingressClassName: 'kong', rules: [{ host: 'ingress.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'echo', port: { number: 1027 } } } }] } }] } });
    const ingress = await until('the Ingress status', async () => api.get('networking.k8s.io/v1', 'Ingress', 'kong', 'echo-ingress').status?.loadBalancer?.ingress);
    assert.deepEqual(ingress, [{ ip: '192.0.2.10' }]);
    const gateway = api.get('gateway.networking.k8s.io/v1', 'Gateway', 'kong', 'kong');
    assert.deepEqual(gateway.status?.addresses, [{ type: 'IPAddress', value: '192.0.2.10' }]);
  });

  it('a terminating pod keeps its sessions and gets no new ones; its removal moves them', async () => {
    const states: PodState[] = ['ready', 'ready', 'ready'];
    states[podIndex(pinned)] = 'terminating';
    pods_(states);
    await until('new sessions to avoid the terminating pod', async () => {
      const fresh = await Promise.all(Array.from({ length: 12 }, () => echo()));
      return fresh.every((r) => r.status === 200 && r.pod !== pinned);
    });
    for (let i = 0; i < 10; i++) assert.equal((await echo(session)).pod, pinned, 'the pinned session keeps its terminating pod');
    states[podIndex(pinned)] = 'gone';
    pods_(states);
    const moved = await until('the session to move', async () => {
      const r = await echo(session);
      return r.status === 200 && r.pod !== pinned ? r : undefined;
    });
    session = cookiePair(moved.setCookie!);
    pinned = moved.pod!;
  });

  it('a 410 Gone makes it relist, and changes made meanwhile converge', async () => {
    const lists = () => api.requests.filter((r) => r.verb === 'list' && r.resource === 'endpointslices').length;
    const before = lists();
    api.expireWatches();
    pods_(['ready', 'ready', 'ready']);
    await until('a relist', async () => lists() > before);
    await until('all three pods to take new sessions again', async () => {
      const seen = new Set((await Promise.all(Array.from({ length: 12 }, () => echo()))).map((r) => r.pod));
      return seen.size === 3;
    });
  });

  it('an EndpointSlice change reaches the proxy well under a second after the API server accepts it', async () => {
    const list = (await (await fetch(`${admin}/upstreams`)).json()) as { data: Array<{ name: string }> };
    const upstream = list.data[0]!.name;
    const weightOf = async (ip: string) => {
      const health = (await (await fetch(`${admin}/upstreams/${upstream}/health`)).json()) as { data: Array<{ target: string; weight: number }> };
      return health.data.find((t) => t.target.startsWith(`${ip}:`))?.weight;
    };
    const timings: number[] = [];
    for (let i = 0; i < 6; i++) {
      const terminating = i % 2 === 0;
      const states: PodState[] = ['ready', 'ready', 'ready'];
      if (terminating) states[2] = 'terminating';
      const started = performance.now();
      pods_(states);
      await until('the weight change on the admin API', async () => ((await weightOf(pods[2]!.ip)) === 0) === terminating, 5000, 2);
      timings.push(performance.now() - started);
    }
    timings.sort((a, b) => a - b);
    console.log(`cluster-mode propagation (EndpointSlice -> proxy): median ${timings[3]!.toFixed(0)} ms, max ${timings[5]!.toFixed(0)} ms`);
    assert.ok(timings[5]! < 1000, `propagation took ${timings[5]} ms`);
  });

  it(`survives a ${OUTAGE_MS / 1000} s API server outage with zero failed requests, then converges`, async () => {
    await api.down();
    const end = Date.now() + OUTAGE_MS;
    let sent = 0;
    const failures: string[] = [];
    while (Date.now() < end) {
      const r = await echo(sent % 2 === 0 ? session : undefined).catch((err: Error) => ({ status: 0, pod: err.message }));
      sent++;
      if (r.status !== 200) failures.push(`${r.status} ${r.pod}`);
      if (sent % 2 === 1 && r.status === 200 && r.pod !== pinned) failures.push(`session moved to ${r.pod}`);
      await new Promise((res) => setTimeout(res, 10));
    }
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} of ${sent} requests failed`);
    assert.ok(sent > 100, `only ${sent} requests`);
    assert.equal(berth!.child.exitCode, null, 'berth must not exit while the API server is down');
    await api.up();
    const drained = pods.findIndex((p) => p.name !== pinned);
    const states: PodState[] = ['ready', 'ready', 'ready'];
    states[drained] = 'terminating';
    pods_(states);
    await until('the change made after the outage to reach the proxy', async () => {
      const fresh = await Promise.all(Array.from({ length: 12 }, () => echo()));
      return fresh.every((r) => r.status === 200 && r.pod !== pods[drained]!.name);
    }, 20_000);
  });

  it('an API restart with a 403 start-up phase during an EndpointSlice drain: the drain applies within 2 s of the API being ready', async () => {
    // A real kube-apiserver answers 403 for about a second after it starts (issue 11, point 2).
    const FORBIDDEN_MS = 1500;
    await api.down();
    await new Promise((r) => setTimeout(r, 1000));
    api.startingUp(FORBIDDEN_MS);
    await api.up();
    const readyAt = Date.now() + FORBIDDEN_MS;
    // Drain the pod still taking new sessions besides the pinned one (the one drained above returns).
    const drainedBefore = pods.findIndex((p) => p.name !== pinned);
    const target = pods.findIndex((p, i) => p.name !== pinned && i !== drainedBefore);
    const states: PodState[] = ['ready', 'ready', 'ready'];
    states[target] = 'terminating';
    pods_(states);
    const failures: string[] = [];
    await until('the drain made during the 403 phase to reach the proxy', async () => {
      const fresh = await Promise.all(Array.from({ length: 12 }, () => echo()));
      for (const r of fresh) if (r.status !== 200) failures.push(String(r.status));
      const kept = await echo(session);
      if (kept.pod !== pinned) failures.push(`session moved to ${kept.pod}`);
      return Date.now() >= readyAt && fresh.every((r) => r.pod !== pods[target]!.name);
    }, 15_000);
    const lag = Date.now() - readyAt;
    assert.deepEqual(failures, []);
    assert.ok(lag < 2000, `drain applied ${lag} ms after the API server was ready`);
  });
});
