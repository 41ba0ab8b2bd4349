import type { Runtime, UpstreamRuntime } from '../runtime.js';
import { countersOf, type TargetCounters } from '../targets/counters.js';
import type { TargetHealthState, TargetState } from '../targets/target.js';

/**
 * DRAIN_WINDOW_MS: a DRAINING target that has routed no sticky request for this long (and has
 * nothing in flight) is shown as drained, safe to let go. It is the window of the sticky counter
 * (TargetState.stickyRouted), so "0 in the last 60 s" and "drained" always agree.
 */
export const DRAIN_WINDOW_MS = 60_000;

/** DashboardSource: the narrow view of the gateway the dashboard reads (never the Gateway itself). */
export interface DashboardSource {
  readonly runtime: Runtime;
  /** Epoch ms of the last config that changed something; 0 before the first. */
  readonly lastAppliedAt: number;
  openConnections(address: string): number;
  /** The targets' live counters by TargetState.key, summed over every proxy process (--workers). */
  targetCounters(ups: readonly UpstreamRuntime[]): Promise<Map<string, TargetCounters>>;
}

export interface DashboardTarget {
  target: string;
  identity: string;
  state: TargetHealthState;
  weight: number;
  in_flight: number;
  open_connections: number;
  sticky_requests_last_60s: number;
  /** Sticky requests per second, oldest first, the current second last (the sparkline). */
  sticky_per_second: number[];
  last_sticky_request_at: string | null;
  drained: boolean;
}

export interface DashboardUpstream {
  name: string;
  algorithm: string;
  targets: DashboardTarget[];
}

export interface DashboardRoute {
  name: string;
  hosts: string[];
  paths: string[];
  methods: string[];
  service: string;
  upstream: string;
}

export interface DashboardState {
  now: string;
  configuration_hash: string;
  last_applied_at: string | null;
  drain_window_seconds: number;
  upstreams: DashboardUpstream[];
  routes: DashboardRoute[];
}

/**
 * dashboardState: one snapshot of what the dashboard page shows, from live counters: `counters`
 * (DashboardSource.targetCounters, every process of a --workers group) or, without them, this
 * process's own.
 */
export function dashboardState(src: DashboardSource, nowMs: number, counters?: ReadonlyMap<string, TargetCounters>): DashboardState {
  const rt = src.runtime;
  return {
    now: new Date(nowMs).toISOString(),
    configuration_hash: rt.hash,
    last_applied_at: src.lastAppliedAt === 0 ? null : new Date(src.lastAppliedAt).toISOString(),
    drain_window_seconds: DRAIN_WINDOW_MS / 1000,
    upstreams: [...rt.upstreams.values()].map((up) => upstreamRow(src, up, nowMs, counters)),
    routes: routeRows(rt),
  };
}

function upstreamRow(src: DashboardSource, up: UpstreamRuntime, nowMs: number, counters?: ReadonlyMap<string, TargetCounters>): DashboardUpstream {
  return {
    name: up.name,
    algorithm: up.config.algorithm ?? 'round-robin',
    targets: up.targets.map((t) => targetRow(t, counters?.get(t.key) ?? countersOf(t, src.openConnections(t.address), nowMs), nowMs)),
  };
}

function targetRow(t: TargetState, c: TargetCounters, nowMs: number): DashboardTarget {
  return {
    target: t.address,
    identity: t.identity,
    state: t.state,
    weight: t.weight,
    in_flight: c.inFlight,
    open_connections: c.openConnections,
    sticky_requests_last_60s: c.stickyLast60s,
    sticky_per_second: c.stickyPerSecond,
    last_sticky_request_at: c.lastStickyAt === 0 ? null : new Date(c.lastStickyAt).toISOString(),
    drained: isDrained(t, nowMs, c),
  };
}

/** isDrained: DRAINING, nothing in flight, and no sticky request for the drain window. */
export function isDrained(t: TargetState, nowMs: number, c: Pick<TargetCounters, 'inFlight' | 'lastStickyAt'> = t): boolean {
  return t.state === 'DRAINING' && c.inFlight === 0 && nowMs - c.lastStickyAt >= DRAIN_WINDOW_MS;
}

function routeRows(rt: Runtime): DashboardRoute[] {
  const rows: DashboardRoute[] = [];
  for (const [route, routeRt] of rt.routes) {
    rows.push({
      name: route.name,
      hosts: route.hosts ?? [],
      paths: route.paths ?? [],
      methods: route.methods ?? [],
      service: routeRt.service.config.name,
      upstream: routeRt.service.upstream.name,
    });
  }
  return rows;
}
