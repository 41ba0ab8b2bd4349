import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayOptions } from './gateway-options.js';
import type { ConfigErrorBody, FlatConfigError, GatewayConfig } from '../config/types.js';
import { hashConfig } from '../config/hash.js';
import { validateConfig } from '../config/validate.js';
import { GatewayMetrics } from './metrics/metrics.js';
import { registerAccessLogMetrics } from './access-log/metrics.js';
import { RequestReporter } from './access-log/reporter.js';
import { TRACING_OFF } from './tracing/tracing.js';
import { NO_TRUSTED_IPS } from '../lib/trusted-ips.js';
import { sendJson } from './admin/http.js';
import { AdminServer } from './admin/server.js';
import type { ProxyContext } from './proxy/context.js';
import { combineObservers, type RequestObserver } from './proxy/observer.js';
import { PoolSet } from './proxy/pool.js';
import { buildRuntime, emptyRuntime, type Runtime, type RuntimeDeps, type UpstreamRuntime } from './runtime.js';
import { EntryPoints } from './entry-points.js';
import { ProxyServer, type ListenAddress } from './server.js';
import { createH2Upstreams, DEFAULT_HTTP2_ENGINE, type H2Upstreams } from './http2/engine.js';
import { TargetRegistry } from './targets/registry.js';
import { countersOf, mergeCounters, type TargetCounters } from './targets/counters.js';
import type { ProxyStats } from './workers/messages.js';
import { aggregateMetrics } from './workers/aggregate.js';

export type { GatewayOptions } from './gateway-options.js';

export type ApplyResult =
  | { ok: true; hash: string; changed: boolean }
  | { ok: false; status: 400; error: ConfigErrorBody; flat: FlatConfigError[] };

/**
 * Gateway: the data plane as one object. `apply` validates a config and swaps the next Runtime in
 * with one assignment: the next request uses it, requests in flight finish on the old one.
 */
export class Gateway {
  readonly metrics = new GatewayMetrics();
  readonly pools: PoolSet;
  readonly h2Pools: H2Upstreams;
  /** Identifies this process in Kong-shaped admin answers. */
  readonly nodeId = randomUUID();
  /** The access log and span export of finished requests. */
  readonly reporter: RequestReporter;
  /** Epoch ms of the last apply that changed the config; 0 before the first (dashboard). */
  lastAppliedAt = 0;
  private readonly registry = new TargetRegistry();
  private readonly ctx: ProxyContext;
  private readonly deps: RuntimeDeps;
  private readonly proxy: ProxyServer;
  /** Sockets standing for Gateway listeners (entry-points.ts); null when not configured. */
  readonly entryPoints: EntryPoints | null;
  private readonly admin: AdminServer;
  private readonly observers: RequestObserver[] = [];
  private draining = false;
  private addresses: { proxy: ListenAddress | null; tls: ListenAddress | null; admin: ListenAddress | null } = {
    proxy: null,
    tls: null,
    admin: null,
  };

  constructor(private readonly opts: GatewayOptions) {
    this.pools = new PoolSet(opts.upstreamKeepalive);
    this.h2Pools = createH2Upstreams(opts.http2Engine ?? DEFAULT_HTTP2_ENGINE);
    this.reporter = new RequestReporter(opts.accessLog ?? null, opts.tracing ?? TRACING_OFF);
    registerAccessLogMetrics(this.metrics.registry, this.reporter.accessLog);
    this.ctx = {
      runtime: emptyRuntime(), metrics: this.metrics, pools: this.pools, h2Pools: this.h2Pools, log: opts.log, observer: null,
      trustedIps: opts.trustedIps ?? NO_TRUSTED_IPS, tracing: this.reporter.tracing,
    };
    this.deps = {
      pools: this.pools,
      registry: this.registry,
      log: opts.log,
      balancerDeps: { keyring: opts.keyring, now: Date.now, random: Math.random },
      onTargetRetired: (t) => {
        this.pools.retire(t.address);
        this.h2Pools.retire(t.address);
      },
      onUpstreamRemoved: (name) => this.metrics.forgetUpstream(name),
      activeHealthChecks: opts.group?.activeHealthChecks ?? true,
      onTargetHealth: opts.group ? (t) => opts.group!.targetHealthChanged(t) : undefined,
      dns: opts.dns,
    };
    this.proxy = new ProxyServer(this.ctx, opts.maxConnections ?? 0, opts.http2Engine);
    opts.group?.attach?.(() => this.ctx.runtime);
    this.admin = new AdminServer(this, opts.log, { token: opts.adminToken });
    this.admin.addRoute('GET', '/status/ready', (_req, res) => this.sendReadiness(res));
    if (this.reporter.wanted) this.observe(this.reporter);
    // With --workers the workers serve every proxy socket, Gateway listeners included.
    const proxiesElsewhere = opts.group?.startProxies !== undefined;
    this.entryPoints = opts.listenerBinding === undefined || proxiesElsewhere ? null : new EntryPoints(this.proxy, opts.listenerBinding, opts.log);
  }

  /** The live config, or null before the first successful apply. */
  get config(): GatewayConfig | null {
    return this.ctx.runtime.config;
  }

  /** The live runtime (read by the admin API). */
  get runtime(): Runtime {
    return this.ctx.runtime;
  }

  async start(): Promise<void> {
    const log = this.opts.log;
    const group = this.opts.group;
    if (group?.startProxies) {
      const bound = await group.startProxies();
      this.addresses.proxy = bound.proxy;
      this.addresses.tls = bound.tls;
    } else {
      this.addresses.proxy = await this.proxy.listen(this.opts.proxyListen);
      if (this.opts.proxyListenTls) this.addresses.tls = await this.proxy.listenTls(this.opts.proxyListenTls);
    }
    log.info({ address: this.addresses.proxy.host, port: this.addresses.proxy.port }, 'proxy listening');
    if (this.addresses.tls) log.info({ address: this.addresses.tls.host, port: this.addresses.tls.port }, 'proxy TLS listening');
    if (this.opts.adminListen) {
      this.addresses.admin = await this.admin.listen(this.opts.adminListen);
      log.info({ address: this.addresses.admin.host, port: this.addresses.admin.port }, 'admin listening');
    }
  }

  /** apply validates `input` and makes it live; never throws on bad input. */
  apply(input: unknown): ApplyResult {
    const result = validateConfig(input);
    if (!result.ok) return { ok: false, status: 400, error: result.error, flat: result.flat };
    return this.applyValidated(result.config, hashConfig(result.config));
  }

  /** applyValidated makes a config live that validateConfig accepted and hashConfig hashed (e.g. in the admin push worker). */
  applyValidated(config: GatewayConfig, hash: string): ApplyResult {
    if (hash === this.ctx.runtime.hash) return { ok: true, hash, changed: false };
    let next: Runtime;
    try {
      next = buildRuntime(config, hash, this.ctx.runtime, this.deps);
    } catch (err) {
      return rejected(err instanceof Error ? err.message : String(err));
    }
    this.ctx.runtime = next;
    this.lastAppliedAt = Date.now();
    this.proxy.refreshTls();
    void this.entryPoints?.sync(next.config?.listeners ?? []);
    this.opts.log.info({ hash, upstreams: next.upstreams.size, routes: next.routes.size }, 'configuration applied');
    this.opts.group?.configApplied(config, hash);
    return { ok: true, hash, changed: true };
  }

  /** observe adds an observer of finished requests and tunnels (access log, tracing). */
  observe(observer: RequestObserver): void {
    this.observers.push(observer);
    this.ctx.observer = combineObservers(this.observers);
  }

  /** whenLive resolves once every proxy process runs the config applied last. */
  whenLive(): Promise<void> {
    return this.opts.group?.live() ?? Promise.resolve();
  }

  /** targetCounters: the live counters of these upstreams' targets, summed over every proxy process, by TargetState.key. */
  async targetCounters(ups: readonly UpstreamRuntime[]): Promise<Map<string, TargetCounters>> {
    const now = Date.now();
    const out = new Map<string, TargetCounters>();
    for (const up of ups) for (const t of up.targets) out.set(t.key, countersOf(t, this.pools.openConnections(t.address), now));
    for (const peer of (await this.opts.group?.peerTargetCounters(ups.map((up) => up.name))) ?? []) {
      for (const [key, counters] of peer) {
        const mine = out.get(key);
        if (mine !== undefined) mergeCounters(mine, counters);
      }
    }
    return out;
  }

  /** renderMetrics: the Prometheus text, summed over every proxy process. */
  async renderMetrics(): Promise<string> {
    const group = this.opts.group;
    if (group === undefined) return this.metrics.render();
    const [mine, peers] = await Promise.all([this.metrics.registry.getMetricsAsJSON(), group.peerMetrics()]);
    return aggregateMetrics([mine, ...peers]);
  }

  addAdminRoute(method: string, path: string, handler: (req: IncomingMessage, res: ServerResponse) => void): void {
    this.admin.addRoute(method, path, handler);
  }

  /** Open pooled upstream connections to `address` (dashboard, health endpoint). */
  openConnections(address: string): number {
    return this.pools.openConnections(address) + this.h2Pools.openSessions(address);
  }

  /** Connection and request counters of the proxy listeners and memory, summed over every process of a --workers group. */
  async stats(): Promise<ProxyStats> {
    const sum = this.localStats();
    for (const peer of (await this.opts.group?.peerStats()) ?? []) {
      sum.accepted += peer.accepted;
      sum.active += peer.active;
      sum.requests += peer.requests;
      sum.rss += peer.rss;
      sum.heapUsed += peer.heapUsed;
    }
    return sum;
  }

  /** localStats: this process's own counters and memory (what a worker reports to the primary). */
  localStats(): ProxyStats {
    const { rss, heapUsed } = process.memoryUsage();
    return { ...this.proxy.stats, rss, heapUsed };
  }

  proxyAddress(): ListenAddress {
    if (this.addresses.proxy === null) throw new Error('gateway not started');
    return this.addresses.proxy;
  }

  proxyTlsAddress(): ListenAddress | null {
    return this.addresses.tls;
  }

  adminAddress(): ListenAddress | null {
    return this.addresses.admin;
  }

  /**
   * sendReadiness answers Kong's `GET /status/ready`: 200 once a configuration is live, 503 before
   * that and from the moment a drain starts (so endpoints move away before the listener closes).
   */
  private sendReadiness(res: ServerResponse): void {
    if (this.draining) return sendJson(res, 503, { message: 'draining' });
    if (this.ctx.runtime.config === null) return sendJson(res, 503, { message: 'no configuration available' });
    sendJson(res, 200, { message: 'ready' });
  }

  /**
   * reopenAccessLog: the access-log file (this process's and every worker's) is opened again by
   * its path, after logrotate moved it (SIGUSR1, access-log/reopen-signal.ts).
   */
  reopenAccessLog(): void {
    this.reporter.accessLog?.reopen();
    this.opts.group?.reopenAccessLogs?.();
  }

  /** beginDrain: readiness fails and answers (this process's and every worker's) close their connections. */
  beginDrain(): void {
    if (this.draining) return;
    this.draining = true;
    this.proxy.beginDrain();
    this.opts.group?.drainProxies?.();
  }

  /**
   * drain starts a graceful shutdown: readiness fails and every answer from now on carries
   * `Connection: close`, while the proxy keeps accepting and answering for shutdownDelayMs (on
   * SIGTERM only; Ctrl-C / SIGINT in a terminal does not wait).
   */
  async drain(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.beginDrain();
    const delay = signal === 'SIGTERM' ? (this.opts.shutdownDelayMs ?? 0) : 0;
    if (delay <= 0) return;
    this.opts.log.info({ delayMs: delay }, 'draining: readiness fails, answers close their connections');
    await new Promise((resolve) => setTimeout(resolve, delay));
  }

  /** stop stops accepting, drains in-flight requests up to shutdownTimeoutMs, then stops checks. */
  async stop(): Promise<void> {
    const timeout = this.opts.shutdownTimeoutMs ?? 10_000;
    const proxies = this.opts.group?.stopProxies ? this.opts.group.stopProxies(timeout) : this.proxy.close(timeout);
    await Promise.all([proxies, this.admin.close()]);
    for (const up of this.ctx.runtime.upstreams.values()) {
      up.health?.stop();
      up.dns?.stop();
    }
    this.pools.closeAllIdle();
    this.h2Pools.closeAll();
    await this.reporter.close();
  }
}

function rejected(message: string): ApplyResult {
  return {
    ok: false,
    status: 400,
    error: { code: 14, name: 'invalid declarative configuration', message, fields: {} },
    flat: [{ entity_type: 'config', errors: [{ type: 'entity', message }] }],
  };
}
