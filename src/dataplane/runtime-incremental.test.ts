// buildRuntime reuses the live router and route runtimes for unchanged services (runtime.ts). These
// tests check that a gateway reloaded through any sequence of pushes behaves like one that built
// the final config from scratch, and that the reuse really happens for the controller's usual push.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { GatewayConfig, ServiceConfig, UpstreamConfig } from '../config/types.js';
import { silentLogger } from '../lib/log.js';
import { pickRequest } from './balancers/testing.js';
import { Gateway } from './gateway.js';
import type { RouteRequest } from './router/types.js';
import { SessionKeyring } from './sticky/token.js';

const SERVICES = 8;

function gateway(): Gateway {
  return new Gateway({
    proxyListen: { host: '127.0.0.1', port: 0 },
    keyring: SessionKeyring.fromSecrets(['runtime-incremental-test-secret-0123']),
    log: silentLogger(),
  });
}

function service(i: number): ServiceConfig {
  return {
    name: `svc-${i}`, host: i % 4 === 3 ? `127.0.0.${i + 1}` : `up-${i}`, port: 8080, retries: 5,
    routes: [{ name: `route-${i}`, paths: [`/s${i}`, `~/r${i}/(?<id>\\d+)$`], hosts: i % 2 === 0 ? [`h${i}.test`] : undefined, strip_path: true }],
  };
}

function upstream(i: number): UpstreamConfig {
  return {
    name: `up-${i}`, algorithm: 'consistent-hashing', hash_on: 'header', hash_on_header: 'x-user',
    targets: [1, 2, 3].map((j) => ({ target: `10.0.${i}.${j}:80`, weight: 100, tags: [`berth.identity=pod-${i}-${j}`] })),
  };
}

function base(): GatewayConfig {
  const services = Array.from({ length: SERVICES }, (_, i) => service(i));
  const upstreams = Array.from({ length: SERVICES }, (_, i) => upstream(i)).filter((_, i) => i % 4 !== 3);
  return { _format_version: '3.0', services, upstreams };
}

/** Edit: one change the controller could push; each returns a new config (inputs are not mutated). */
type Edit = (c: GatewayConfig, k: number) => GatewayConfig;

const upstreamAt = (c: GatewayConfig, k: number, f: (u: UpstreamConfig) => UpstreamConfig): GatewayConfig =>
  ({ ...c, upstreams: (c.upstreams ?? []).map((u, i) => (i === k % Math.max(1, c.upstreams!.length) ? f(u) : u)) });
const serviceAt = (c: GatewayConfig, k: number, f: (s: ServiceConfig) => ServiceConfig | null): GatewayConfig =>
  ({ ...c, services: (c.services ?? []).flatMap((s, i) => (i === k % Math.max(1, c.services!.length) ? [f(s)].filter((x) => x !== null) : [s])) });

const EDITS: Record<string, Edit> = {
  drain: (c, k) => upstreamAt(c, k, (u) => ({ ...u, targets: u.targets!.map((t, j) => (j === 0 ? { ...t, weight: 0 } : t)) })),
  // Target addresses are unique in an upstream: the new one's last octet is the upstream's size.
  addTarget: (c, k) => upstreamAt(c, k, (u) => ({ ...u, targets: [...u.targets!, { target: `10.9.${k}.${u.targets!.length}:80`, tags: [`berth.identity=new-${k}-${u.targets!.length}`] }] })),
  hostHeader: (c, k) => upstreamAt(c, k, (u) => ({ ...u, host_header: u.host_header === undefined ? `hh${k}.internal` : undefined })),
  movePath: (c, k) => serviceAt(c, k, (s) => ({ ...s, routes: s.routes!.map((r) => ({ ...r, paths: [`/m${k}`, ...r.paths!.slice(1)] })) })),
  timeouts: (c, k) => serviceAt(c, k, (s) => ({ ...s, retries: (s.retries ?? 5) + 1, read_timeout: 1000 + k })),
  disable: (c, k) => serviceAt(c, k, (s) => ({ ...s, enabled: s.enabled === false })),
  remove: (c, k) => serviceAt(c, k, () => null),
  add: (c, k) => {
    // A name no service has yet (names are unique; a removed service's name may come back).
    const taken = new Set((c.services ?? []).map((s) => s.name));
    let n = 0;
    while (taken.has(`added-${k}-${n}`)) n++;
    const name = `added-${k}-${n}`;
    const s = service(k);
    return { ...c, services: [...(c.services ?? []), { ...s, name, routes: s.routes!.map((r) => ({ ...r, name })) }] };
  },
  reverse: (c) => ({ ...c, services: [...(c.services ?? [])].reverse() }),
  retarget: (c, k) => serviceAt(c, k, (s) => ({ ...s, host: s.host.startsWith('up-') ? '127.0.0.200' : 'up-0' })),
};

function requests(): RouteRequest[] {
  const out: RouteRequest[] = [];
  for (let i = 0; i < SERVICES + 2; i++) {
    for (const path of [`/s${i}/x`, `/r${i}/42`, `/m${i}`, `/r${i}/x`]) {
      for (const host of [`h${i}.test`, 'other.test']) out.push({ method: 'GET', host, path, query: '', headers: {}, tls: false });
    }
  }
  return out;
}

/** behaviour: what every probe request gets from a gateway's live runtime (route, service runtime, pick). */
function behaviour(gw: Gateway): unknown[] {
  const rt = gw.runtime;
  return requests().map((req) => {
    const m = rt.router.match(req);
    if (m === null) return null;
    const r = rt.routes.get(m.route)!;
    const s = r.service;
    const picks = ['alice', 'bob', 'carol'].map((user) => s.upstream.balancer.pick(pickRequest({ headers: { 'x-user': user } }))?.address ?? null);
    return {
      route: m.route.name, service: m.service.name, upstreamPath: m.upstreamPath, captures: m.captures,
      serviceOf: s.config.name, upstream: s.upstream.name, hostHeader: s.hostHeader, retries: s.retries, readTimeout: s.readTimeout,
      preserveHost: r.preserveHost, picks,
    };
  });
}

describe('incremental runtime builds', () => {
  test('any sequence of pushes behaves like building the final config from scratch', () => {
    const names = Object.keys(EDITS);
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.constantFrom(...names), fc.nat(SERVICES * 2)), { minLength: 1, maxLength: 6 }),
      (edits) => {
        const incremental = gateway();
        let config = base();
        assert.equal(incremental.apply(config).ok, true);
        for (const [name, k] of edits) {
          config = EDITS[name]!(config, k);
          const applied = incremental.apply(structuredClone(config));
          assert.equal(applied.ok, true, JSON.stringify(applied));
        }
        const fresh = gateway();
        assert.equal(fresh.apply(structuredClone(config)).ok, true);
        assert.deepEqual(behaviour(incremental), behaviour(fresh));
        assert.deepEqual(incremental.runtime.config, fresh.runtime.config);
      },
    ), { numRuns: 200, seed: 20261130 });
  });

  test('a drain in one upstream keeps the router and every other route runtime; the drained one is rebuilt', () => {
    const gw = gateway();
    gw.apply(base());
    const before = gw.runtime;
    gw.apply(EDITS.drain!(base(), 1));
    const after = gw.runtime;
    assert.equal(after.router, before.router, 'no service changed: the compiled router is reused');
    assert.equal(after.config!.services![0], before.config!.services![0], 'an equal service is the live object');
    for (const [route, rt] of after.routes) {
      const old = before.routes.get(route);
      if (route.name === 'route-1') assert.notEqual(rt, old, 'the drained upstream\'s service is compiled again');
      else assert.equal(rt, old, `${route.name} reused`);
    }
    const drained = after.upstreams.get('up-1')!.targets[0]!;
    assert.equal(drained.weight, 0);
  });

  test('one changed service recompiles the router but reuses the other services\' route runtimes', () => {
    const gw = gateway();
    gw.apply(base());
    const before = gw.runtime;
    gw.apply(EDITS.movePath!(base(), 2));
    const after = gw.runtime;
    assert.notEqual(after.router, before.router);
    assert.equal(after.router.match({ method: 'GET', host: 'h2.test', path: '/m2', query: '', headers: {}, tls: false })?.route.name, 'route-2');
    assert.equal(after.router.match({ method: 'GET', host: 'h2.test', path: '/s2', query: '', headers: {}, tls: false }), null);
    for (const [route, rt] of after.routes) assert.equal(rt === before.routes.get(route), route.name !== 'route-2', route.name);
  });

  test('an upstream host_header change reaches its services although they did not change', () => {
    const gw = gateway();
    gw.apply(base());
    gw.apply(EDITS.hostHeader!(base(), 0));
    const route = [...gw.runtime.routes].find(([r]) => r.name === 'route-0')![1];
    assert.equal(route.service.hostHeader, 'hh0.internal');
  });

  test('an upstream a reload renames (a Gateway API weight change) keeps what it learned of its pods: health, drain progress', () => {
    const gw = gateway();
    const renamed = (name: string): GatewayConfig => {
      const up: UpstreamConfig = { ...upstream(0), name, healthchecks: { passive: { unhealthy: { http_failures: 1 } } } };
      return { _format_version: '3.0', services: [{ ...service(0), host: name }], upstreams: [up] };
    };
    gw.apply(renamed('httproute.ns.svc.ns.v1.80.90_ns.v2.80.10'));
    const old = gw.runtime.upstreams.get('httproute.ns.svc.ns.v1.80.90_ns.v2.80.10')!;
    old.health!.setManual(old.targets[0]!, false);
    old.targets[1]!.stickyRouted.add(Date.now());
    gw.apply(renamed('httproute.ns.svc.ns.v1.80.80_ns.v2.80.20'));
    const next = gw.runtime.upstreams.get('httproute.ns.svc.ns.v1.80.80_ns.v2.80.20')!;
    assert.deepEqual(next.targets.map((t) => t.state), ['UNHEALTHY', 'HEALTHY', 'HEALTHY']);
    assert.equal(next.targets[1]!.stickyRouted.count(Date.now()), 1);
    assert.ok(old.targets.every((t) => t.removed), 'the old upstream\'s targets are retired');
    assert.notEqual(next.targets[0], old.targets[0]);
  });
});
