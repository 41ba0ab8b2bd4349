import type { ServerResponse } from 'node:http';
import { upstreamHealth } from '../health/checker.js';
import type { UpstreamRuntime } from '../runtime.js';
import type { TargetState } from '../targets/target.js';
import { kongList, notFound, sendJson, sendNoContent } from './http.js';
import type { AdminHandler } from './server.js';
import type { AdminView } from './view.js';

/** upstreamRoutes: Kong's upstream, target and health endpoints, plus berth's drain counters. */
export function upstreamRoutes(gateway: AdminView): Array<[string, string, AdminHandler]> {
  const find = (name: string): UpstreamRuntime | undefined => gateway.runtime.upstreams.get(name);
  const setHealth = (healthy: boolean): AdminHandler => (_req, res, [u, t]) => manual(find(u!), t!, healthy, res);
  return [
    ['GET', '/upstreams', (_req, res) => sendJson(res, 200, kongList([...gateway.runtime.upstreams.values()].map(upstreamEntity)))],
    ['GET', '/upstreams/{}', (_req, res, [u]) => withUpstream(find(u!), res, (up) => sendJson(res, 200, upstreamEntity(up)))],
    ['GET', '/upstreams/{}/targets', (_req, res, [u]) =>
      withUpstream(find(u!), res, (up) => sendJson(res, 200, kongList(up.targets.map((t) => targetEntity(up, t)))))],
    ['GET', '/upstreams/{}/targets/all', (_req, res, [u]) =>
      withUpstream(find(u!), res, (up) => sendJson(res, 200, kongList(up.targets.map((t) => targetEntity(up, t)))))],
    ['GET', '/upstreams/{}/health', (req, res, [u]) => {
      const up = find(u!);
      return up === undefined ? notFound(res) : health(gateway, up, req.url ?? '', res);
    }],
    ['PUT', '/upstreams/{}/targets/{}/healthy', setHealth(true)],
    ['PUT', '/upstreams/{}/targets/{}/unhealthy', setHealth(false)],
    ['POST', '/upstreams/{}/targets/{}/healthy', setHealth(true)],
    ['POST', '/upstreams/{}/targets/{}/unhealthy', setHealth(false)],
  ];
}

function withUpstream(up: UpstreamRuntime | undefined, res: ServerResponse, then: (up: UpstreamRuntime) => void): void {
  if (up === undefined) return notFound(res);
  then(up);
}

function upstreamEntity(up: UpstreamRuntime): unknown {
  const { targets: _targets, ...fields } = up.config;
  return { id: up.name, ...fields };
}

function targetEntity(up: UpstreamRuntime, t: TargetState): unknown {
  const config = up.config.targets?.find((c) => sameTarget(c.target, t));
  return { id: t.identity, target: t.address, weight: t.weight, tags: config?.tags ?? [], upstream: { id: up.name } };
}

function sameTarget(configured: string, t: TargetState): boolean {
  return configured === t.address || configured === t.host || configured.toLowerCase() === t.address;
}

/** findTarget accepts the address Kong prints, the identity, or the bare host. */
function findTarget(up: UpstreamRuntime, ref: string): TargetState | undefined {
  return up.targets.find((t) => t.address === ref || t.identity === ref) ?? up.targets.find((t) => t.host === ref);
}

function manual(up: UpstreamRuntime | undefined, ref: string, healthy: boolean, res: ServerResponse): void {
  const target = up === undefined ? undefined : findTarget(up, ref);
  if (up === undefined || target === undefined || up.health === null) return notFound(res);
  up.health.setManual(target, healthy);
  sendNoContent(res);
}

async function health(gateway: AdminView, up: UpstreamRuntime, url: string, res: ServerResponse): Promise<void> {
  if (/[?&]balancer_health=(1|true)\b/.test(url)) {
    return sendJson(res, 200, { data: { id: up.name, health: upstreamHealth(up.config, up.targets) }, next: null });
  }
  const counters = await gateway.targetCounters([up]);
  const rows = up.targets.map((t) => {
    const kongHealth = t.kongHealth;
    const c = counters.get(t.key)!;
    return {
      id: t.identity,
      target: t.address,
      weight: t.weight,
      upstream: { id: up.name },
      health: kongHealth,
      data: { addresses: [{ ip: t.host, port: t.port, weight: t.weight, health: kongHealth }] },
      state: t.state,
      in_flight: c.inFlight,
      open_connections: c.openConnections,
      sticky_requests_last_60s: c.stickyLast60s,
      last_sticky_request_at: c.lastStickyAt === 0 ? null : new Date(c.lastStickyAt).toISOString(),
    };
  });
  sendJson(res, 200, { ...kongList(rows), node_id: gateway.nodeId, health: upstreamHealth(up.config, up.targets) });
}
