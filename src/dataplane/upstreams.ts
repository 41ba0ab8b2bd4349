import { isIP } from 'node:net';
import type { ServiceConfig, UpstreamConfig } from '../config/types.js';
import type { Logger } from '../lib/log.js';
import { sameConfigValue } from '../config/equal.js';
import { hashUpstream, knownHash } from '../config/hash.js';
import { formatAddress, parseTargetAddress, targetIdentity } from '../config/target-address.js';
import type { Balancer, PickRequest } from './balancers/balancer.js';
import { createBalancer, type BalancerDeps } from './balancers/registry.js';
import { HealthChecker } from './health/checker.js';
import { TargetResolver, type DnsTimings, type HostLookup } from './targets/dns.js';
import { endpointOf, type TargetRegistry } from './targets/registry.js';
import type { TargetState } from './targets/target.js';

export interface UpstreamDeps {
  readonly registry: TargetRegistry;
  readonly balancerDeps: BalancerDeps;
  readonly log: Logger;
  /** A target left the config: its idle pooled connections close now. */
  onTargetRetired(target: TargetState): void;
  /** An upstream left the config (its metric series can go). */
  onUpstreamRemoved(name: string): void;
  /** False in a --workers worker: the primary runs the active probes (src/dataplane/workers/). */
  readonly activeHealthChecks?: boolean;
  /** A target's health flipped (after its balancer was updated). */
  readonly onTargetHealth?: (target: TargetState) => void;
  /** How host-name targets are looked up, and how often (tests shorten both). */
  readonly dns?: { readonly timings?: DnsTimings; readonly lookup?: HostLookup };
}

/**
 * UpstreamRuntime: one upstream's balancer, targets and health checker. Unlike Runtime it lives
 * across reloads (like TargetState): an unchanged upstream is reused as is, a changed one is
 * updated in place so its balancer keeps per-target state for surviving targets.
 */
export class UpstreamRuntime {
  health: HealthChecker | null = null;
  /** Looks up host-name targets; null while the upstream has none. */
  dns: TargetResolver | null = null;
  /** Updates the balancer after a target's health or DNS state flipped. */
  onTargetChange: ((t: TargetState) => void) | null = null;

  constructor(
    readonly name: string,
    /** False for a service's implicit host:port upstream (not listed by the admin API). */
    readonly listed: boolean,
    public config: UpstreamConfig,
    public hash: string,
    public targets: TargetState[],
    public balancer: Balancer,
  ) {}
}

/** buildUpstreams reuses, updates, creates and retires upstreams to match `list`. */
export function buildUpstreams(
  list: readonly UpstreamConfig[],
  prev: ReadonlyMap<string, UpstreamRuntime>,
  deps: UpstreamDeps,
): Map<string, UpstreamRuntime> {
  const next = new Map<string, UpstreamRuntime>();
  const departing = departingTargets(list, prev);
  for (const u of list) {
    const old = prev.get(u.name);
    if (old !== undefined && unchanged(old, u)) {
      next.set(u.name, old);
      continue;
    }
    const hash = hashUpstream(u);
    next.set(u.name, old !== undefined ? updateUpstream(old, u, hash, deps) : createUpstream(u, hash, deps, departing));
  }
  for (const [name, old] of prev) {
    if (next.has(name)) continue;
    old.health?.stop();
    old.dns?.stop();
    for (const t of old.targets) retire(t, deps);
    deps.onUpstreamRemoved(name);
  }
  return next;
}

/** departingTargets: the targets of the upstreams this reload removes, by pod and address (TargetState.inherit). */
function departingTargets(list: readonly UpstreamConfig[], prev: ReadonlyMap<string, UpstreamRuntime>): Map<string, TargetState> {
  const departing = new Map<string, TargetState>();
  if (prev.size === 0) return departing;
  const staying = new Set(list.map((u) => u.name));
  for (const [name, old] of prev) {
    if (!staying.has(name)) for (const t of old.targets) departing.set(endpointOf(t), t);
  }
  return departing;
}

/**
 * unchanged: the digest decides when the push worker computed it; otherwise a structural
 * comparison does (a config applied in a --workers process): hashing 5,000 upstreams there cost
 * the event loop far more than comparing them.
 */
function unchanged(old: UpstreamRuntime, u: UpstreamConfig): boolean {
  const hash = knownHash(u);
  return hash !== undefined ? hash === old.hash : sameConfigValue(old.config, u);
}

function resolveTargets(u: UpstreamConfig, deps: UpstreamDeps): TargetState[] {
  const out = new Set<TargetState>();
  for (const t of u.targets ?? []) {
    const { host, port } = parseTargetAddress(t.target);
    out.add(deps.registry.upsert(u.name, targetIdentity(t), host, port, t.weight ?? 100));
  }
  return [...out];
}

function createUpstream(u: UpstreamConfig, hash: string, deps: UpstreamDeps, departing: ReadonlyMap<string, TargetState>): UpstreamRuntime {
  const targets = resolveTargets(u, deps);
  const up = new UpstreamRuntime(u.name, true, u, hash, targets, createBalancer(u, deps.balancerDeps));
  const onChange = (t: TargetState): void => {
    up.balancer.update(up.targets);
    deps.onTargetHealth?.(t);
  };
  up.health = new HealthChecker(u, () => up.targets, onChange, { log: deps.log });
  // A renamed upstream's pods keep what was learned of them (a weight change in a Gateway API
  // backend group renames it); the new upstream's targets are all new in the registry.
  if (departing.size > 0) {
    for (const t of targets) {
      const was = departing.get(endpointOf(t));
      if (was !== undefined) t.inherit(was, up.health.enabled);
    }
  }
  up.balancer.update(targets);
  if (deps.activeHealthChecks !== false) up.health.start();
  up.onTargetChange = onChange;
  syncDns(up, deps);
  return up;
}

function updateUpstream(up: UpstreamRuntime, u: UpstreamConfig, hash: string, deps: UpstreamDeps): UpstreamRuntime {
  const targets = resolveTargets(u, deps);
  const keep = new Set(targets);
  for (const t of up.targets) if (!keep.has(t)) retire(t, deps);
  if (balancerKey(up.config) !== balancerKey(u)) up.balancer = createBalancer(u, deps.balancerDeps);
  up.config = u;
  up.hash = hash;
  up.targets = targets;
  up.balancer.update(targets);
  up.health?.reconfigure(u);
  syncDns(up, deps);
  return up;
}

/**
 * syncDns looks up host-name targets (targets/dns.ts). The resolver exists only for an upstream
 * that has one: EndpointSlice targets are IPs, and 5,000 upstreams need no 5,000 idle resolvers.
 */
function syncDns(up: UpstreamRuntime, deps: UpstreamDeps): void {
  if (up.dns === null) {
    if (up.onTargetChange === null || !up.targets.some((t) => isIP(t.host) === 0)) return;
    up.dns = new TargetResolver(() => up.targets, up.onTargetChange, deps.log, deps.dns?.timings, deps.dns?.lookup);
  }
  up.dns.sync();
}

function retire(t: TargetState, deps: UpstreamDeps): void {
  if (deps.registry.retire(t)) deps.onTargetRetired(t);
}

/** balancerKey: the fields a balancer is built from; other changes only update its targets. */
function balancerKey(u: UpstreamConfig): string {
  return JSON.stringify([
    u.algorithm, u.slots, u.hash_on, u.hash_fallback, u.hash_on_header, u.hash_fallback_header,
    u.hash_on_cookie, u.hash_on_cookie_path, u.hash_on_query_arg, u.hash_fallback_query_arg,
    u.hash_on_uri_capture, u.hash_fallback_uri_capture, u.sticky_sessions_cookie,
    u.sticky_sessions_cookie_path, u.sticky_sessions_header, u.sticky_sessions_absolute_timeout,
    u.sticky_sessions_lifetime, u.unresolved_weight,
  ]);
}

/** SingleTarget: the balancer of a service that names a host:port; retries go to the same host. */
class SingleTarget implements Balancer {
  constructor(private readonly target: TargetState) {}
  update(): void {}
  pick(_req: PickRequest): TargetState | null {
    return this.target;
  }
}

/** directUpstream: the implicit upstream of a service whose host is not an upstream's name. */
export function directUpstream(
  service: ServiceConfig,
  prev: ReadonlyMap<string, UpstreamRuntime>,
  next: Map<string, UpstreamRuntime>,
  deps: UpstreamDeps,
): UpstreamRuntime {
  const port = service.port ?? (service.protocol === 'https' || service.protocol === 'grpcs' ? 443 : 80);
  const address = formatAddress(service.host, port);
  const existing = next.get(address) ?? prev.get(address);
  if (existing !== undefined) {
    next.set(address, existing);
    return existing;
  }
  const target = deps.registry.upsert(address, address, service.host, port, 100);
  const config: UpstreamConfig = { name: address, targets: [{ target: address }] };
  const up = new UpstreamRuntime(address, false, config, '', [target], new SingleTarget(target));
  next.set(address, up);
  return up;
}
