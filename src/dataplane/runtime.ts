import type { GatewayConfig, RouteConfig, ServiceConfig } from '../config/types.js';
import type { Router } from './router/types.js';
import { compileRouter } from './router/compile.js';
import { compilePlugins, type RoutePlugins } from './plugins/index.js';
import { compileMirror, type Mirrors } from './plugins/mirror.js';
import { compileBackendPlugins, type BackendPlugins } from './plugins/backend-plugins.js';
import type { ConnectionPool, PoolSet } from './proxy/pool.js';
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
    this.writeTimeout = config.write_timeout ?? 60_000;
    this.requestTimeout = config.request_timeout ?? 0;
    this.backendRequestTimeout = config.backend_request_timeout ?? 0;
    this.retryStatuses = config.retry_statuses === undefined ? null : new Set(config.retry_statuses);
    this.retryBackoff = config.retry_backoff ?? 0;
    this.backendPlugins = compileBackendPlugins(config, upstream);
    this.hostHeader = upstream.listed ? (upstream.config.host_header ?? null) : directHost(config, this.defaultPort);
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
  };
}

/**
 * buildRuntime compiles `config` (validated and normalized) into the next Runtime. It throws only
 * on a certificate that cannot be loaded, before any shared state is touched.
 */
export function buildRuntime(config: GatewayConfig, hash: string, prev: Runtime, deps: RuntimeDeps): Runtime {
  const tls = buildTlsContexts(config.certificates, prev.tls);
  const router = compileRouter(config);
  const upstreams = buildUpstreams(config.upstreams ?? [], prev.upstreams, deps);
  const direct = new Map<string, UpstreamRuntime>();
  const routes = new Map<RouteConfig, RouteRuntime>();
  for (const service of config.services ?? []) {
    const upstream = upstreams.get(service.host) ?? directUpstream(service, prev.direct, direct, deps);
    const serviceRt = new ServiceRuntime(service, upstream, deps.pools);
    for (const route of service.routes ?? []) {
      routes.set(route, { service: serviceRt, preserveHost: route.preserve_host === true, plugins: compilePlugins(route, service), mirror: compileMirror(route, service) });
    }
  }
  for (const [address, old] of prev.direct) if (!direct.has(address)) retireAll(old, deps);
  return { config, hash, router, routes, upstreams, direct, tls };
}

function retireAll(up: UpstreamRuntime, deps: RuntimeDeps): void {
  for (const t of up.targets) {
    if (deps.registry.retire(t)) deps.pools.retire(t.address);
  }
}
