import type { Runtime, UpstreamRuntime } from '../runtime.js';
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

/** dashboardState: one snapshot of what the dashboard page shows, from live counters. */
export function dashboardState(src: DashboardSource, nowMs: number): DashboardState {
  const rt = src.runtime;
  return {
    now: new Date(nowMs).toISOString(),
    configuration_hash: rt.hash,
    last_applied_at: src.lastAppliedAt === 0 ? null : new Date(src.lastAppliedAt).toISOString(),
    drain_window_seconds: DRAIN_WINDOW_MS / 1000,
    upstreams: [...rt.upstreams.values()].map((up) => upstreamRow(src, up, nowMs)),
    routes: routeRows(rt),
  };
}

function upstreamRow(src: DashboardSource, up: UpstreamRuntime, nowMs: number): DashboardUpstream {
  return {
    name: up.name,
    algorithm: up.config.algorithm ?? 'round-robin',
    targets: up.targets.map((t) => targetRow(src, t, nowMs)),
  };
}

function targetRow(src: DashboardSource, t: TargetState, nowMs: number): DashboardTarget {
  return {
    target: t.address,
    identity: t.identity,
    state: t.state,
    weight: t.weight,
    in_flight: t.inFlight,
    open_connections: src.openConnections(t.address),
    sticky_requests_last_60s: t.stickyRouted.count(nowMs),
    sticky_per_second: t.stickyRouted.history(nowMs),
    last_sticky_request_at: t.lastStickyAt === 0 ? null : new Date(t.lastStickyAt).toISOString(),
    drained: isDrained(t, nowMs),
  };
}

/** isDrained: DRAINING, nothing in flight, and no sticky request for the drain window. */
export function isDrained(t: TargetState, nowMs: number): boolean {
  return t.state === 'DRAINING' && t.inFlight === 0 && nowMs - t.lastStickyAt >= DRAIN_WINDOW_MS;
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
