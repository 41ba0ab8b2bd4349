import type { GatewayConfig, RouteConfig, ServiceConfig } from '../config/types.js';
import type { Router } from './router/types.js';
import { sameConfigValue } from '../config/equal.js';
import { knownHash } from '../config/hash.js';
import { compileRouter } from './router/compile.js';
import { compilePlugins, type RoutePlugins } from './plugins/index.js';
import { compileMirror, type Mirrors } from './plugins/mirror.js';
import { compileBackendPlugins, type BackendPlugins } from './plugins/backend-plugins.js';
import { DEFAULT_WRITE_TIMEOUT_MS } from './proxy/downstream.js';
import type { ConnectionPool, PoolSet } from './proxy/pool.js';
import { httpsListenerHostnames, NO_LISTENER_HOSTNAMES, type ListenerHostnames } from './router/listener-hostnames.js';
import { buildTlsContexts, NO_TLS, type TlsContexts } from './proxy/tls.js';
import type { TargetState } from './targets/target.js';
import { buildUpstreams, directUpstream, type UpstreamDeps, type UpstreamRuntime } from './upstreams.js';

export type { UpstreamRuntime } from './upstreams.js';

/**
 * Runtime: everything a request needs, built from one validated config and never mutated; a
 * reload builds the next Runtime and swaps it in with one assignment. The stateful parts
 * (UpstreamRuntime: balancer, targets, health checker) carry over when unchanged.
 */
export interface Runtime {
  readonly config: GatewayConfig | null;
  readonly hash: string;
  readonly router: Router;
  readonly routes: ReadonlyMap<RouteConfig, RouteRuntime>;
  /** Upstreams named in the config (what the admin API lists). */
  readonly upstreams: ReadonlyMap<string, UpstreamRuntime>;
  /** Implicit single-target upstreams of services that name a host:port, by address. */
  readonly direct: ReadonlyMap<string, UpstreamRuntime>;
  readonly tls: TlsContexts;
  /** The hostnames of the Gateway HTTPS listeners, for 421 (http2/misdirected.ts). */
  readonly listenerHostnames: ListenerHostnames;
}

export interface RouteRuntime {
  readonly service: ServiceRuntime;
  readonly preserveHost: boolean;
  readonly plugins: RoutePlugins | null;
  /** The route's request-mirror (HTTPRoute RequestMirror), run by the engine after the plugins. */
  readonly mirror: Mirrors | null;
}

/** ServiceRuntime: a service's upstream, timeouts (ms) and connection pools per target. */
export class ServiceRuntime {
  readonly tls: boolean;
  /** Kong `protocol: grpc | grpcs`: the upstream is reached over HTTP/2 (h2c / h2). */
  readonly h2: boolean;
  readonly defaultPort: number;
  readonly retries: number;
  readonly connectTimeout: number;
  readonly readTimeout: number;
  readonly writeTimeout: number;
  /** A fixed upstream Host header (upstream host_header, or the service's own host), else null. */
  readonly hostHeader: string | null;
  /** berth (HTTPRoute timeouts): ms for the whole request and for each try; 0 = none. */
  readonly requestTimeout: number;
  readonly backendRequestTimeout: number;
  /** berth (HTTPRoute retry): statuses retried, or null when the service has no such policy. */
  readonly retryStatuses: ReadonlySet<number> | null;
  readonly retryBackoff: number;
  /** berth (HTTPRoute backendRef filters): plugins by picked target, or null. */
  readonly backendPlugins: BackendPlugins | null;
  private readonly pools = new Map<TargetState, ConnectionPool>();
  /** The upstream's digest when this was built (an upstream is updated in place, see upstreams.ts). */
  private readonly upstreamHash: string;

  constructor(
    readonly config: ServiceConfig,
    readonly upstream: UpstreamRuntime,
    private readonly poolSet: PoolSet,
  ) {
    this.tls = config.protocol === 'https' || config.protocol === 'grpcs';
    this.h2 = config.protocol === 'grpc' || config.protocol === 'grpcs';
    this.defaultPort = this.tls ? 443 : 80;
    this.retries = config.retries ?? 5;
    this.connectTimeout = config.connect_timeout ?? 60_000;
    this.readTimeout = config.read_timeout ?? 60_000;
    this.writeTimeout = config.write_timeout ?? DEFAULT_WRITE_TIMEOUT_MS;
    this.requestTimeout = config.request_timeout ?? 0;
    this.backendRequestTimeout = config.backend_request_timeout ?? 0;
    this.retryStatuses = config.retry_statuses === undefined ? null : new Set(config.retry_statuses);
    this.retryBackoff = config.retry_backoff ?? 0;
    this.backendPlugins = compileBackendPlugins(config, upstream);
    this.hostHeader = upstream.listed ? (upstream.config.host_header ?? null) : directHost(config, this.defaultPort);
    this.upstreamHash = upstream.hash;
  }

  /** fits: can this runtime serve the next config whose service resolves to `upstream`? */
  fits(upstream: UpstreamRuntime): boolean {
    return this.upstream === upstream && this.upstreamHash === upstream.hash;
  }

  /** pool: the connection pool for a target, looked up once per target per config. */
  pool(target: TargetState): ConnectionPool {
    let pool = this.pools.get(target);
    if (pool === undefined) {
      pool = this.poolSet.get(target.address, target.host, target.port, this.tls);
      this.pools.set(target, pool);
    }
    return pool;
  }
}

function directHost(config: ServiceConfig, defaultPort: number): string {
  const port = config.port ?? defaultPort;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return port === defaultPort ? host : `${host}:${port}`;
}

export interface RuntimeDeps extends UpstreamDeps {
  readonly pools: PoolSet;
}

/** emptyRuntime: no routes; every request gets Kong's 404. */
export function emptyRuntime(): Runtime {
  return {
    config: null,
    hash: '00000000000000000000000000000000',
    router: { match: () => null },
    routes: new Map(),
    upstreams: new Map(),
    direct: new Map(),
    tls: NO_TLS,
    listenerHostnames: NO_LISTENER_HOSTNAMES,
  };
}

/**
 * buildRuntime compiles `config` (validated and normalized) into the next Runtime. It throws only
 * on a certificate that cannot be loaded, before any shared state is touched.
 *
 * The build is incremental so that the controller's usual push (a pod draining in one upstream
 * of thousands) stays far below 50 ms on the event loop (issue 11, bench/RESULTS.md): a service
 * whose digest equals the live one's is replaced by the live object (adoptUnchanged), which lets
 * its compiled routes be reused, and the whole router when no service changed. Everything is
 * still built before the one assignment that makes it live (dataplane/gateway.ts).
 */
export function buildRuntime(config: GatewayConfig, hash: string, prev: Runtime, deps: RuntimeDeps): Runtime {
  const tls = buildTlsContexts(config.certificates, prev.tls);
  const prevServices = prev.config?.services ?? [];
  const services = adoptUnchanged(config.services ?? [], prevServices);
  const live: GatewayConfig = config.services === undefined ? config : { ...config, services };
  const router = prev.config !== null && sameElements(services, prevServices) ? prev.router : compileRouter(live);
  const upstreams = buildUpstreams(config.upstreams ?? [], prev.upstreams, deps);
  const direct = new Map<string, UpstreamRuntime>();
  const routes = new Map<RouteConfig, RouteRuntime>();
  for (const service of services) {
    const upstream = upstreams.get(service.host) ?? directUpstream(service, prev.direct, direct, deps);
    if (reuseRoutes(service, upstream, prev.routes, routes)) continue;
    const serviceRt = new ServiceRuntime(service, upstream, deps.pools);
    for (const route of service.routes ?? []) {
      routes.set(route, { service: serviceRt, preserveHost: route.preserve_host === true, plugins: compilePlugins(route, service), mirror: compileMirror(route, service) });
    }
  }
  for (const [address, old] of prev.direct) if (!direct.has(address)) retireAll(old, deps);
  return { config: live, hash, router, routes, upstreams, direct, tls, listenerHostnames: httpsListenerHostnames(config.listeners) };
}

/**
 * adoptUnchanged: `next` with each service that equals the live service of the same name replaced
 * by that live object. Digests decide when both are at hand (the push worker computed them);
 * otherwise a structural comparison does, as hashing thousands of services would stall.
 */
function adoptUnchanged(next: readonly ServiceConfig[], prev: readonly ServiceConfig[]): ServiceConfig[] {
  if (prev.length === 0) return next as ServiceConfig[];
  const byName = new Map<string, ServiceConfig>();
  for (const s of prev) if (s.name !== undefined) byName.set(s.name, s);
  return next.map((s) => {
    const old = s.name === undefined ? undefined : byName.get(s.name);
    return old !== undefined && sameService(old, s) ? old : s;
  });
}

function sameService(a: ServiceConfig, b: ServiceConfig): boolean {
  const ha = knownHash(a);
  const hb = knownHash(b);
  return ha !== undefined && hb !== undefined ? ha === hb : sameConfigValue(a, b);
}

function sameElements<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * reuseRoutes copies the live RouteRuntimes of an adopted service into `routes` when its
 * ServiceRuntime still fits: same upstream object, not updated since (timeouts, host header and
 * backend plugins are derived from it). Returns false when the service must be compiled afresh.
 */
function reuseRoutes(service: ServiceConfig, upstream: UpstreamRuntime, prev: ReadonlyMap<RouteConfig, RouteRuntime>,
  routes: Map<RouteConfig, RouteRuntime>): boolean {
  const list = service.routes ?? [];
  const first = list.length > 0 ? prev.get(list[0]!) : undefined;
  if (first === undefined || first.service.config !== service || !first.service.fits(upstream)) return false;
  for (const route of list) routes.set(route, prev.get(route)!);
  return true;
}

function retireAll(up: UpstreamRuntime, deps: RuntimeDeps): void {
  for (const t of up.targets) {
    if (deps.registry.retire(t)) deps.pools.retire(t.address);
  }
}
