import type { GatewayConfig } from '../../config/types.js';
import type { Runtime } from '../runtime.js';
import type { ListenAddress } from '../server.js';
import type { TargetCounters } from '../targets/counters.js';
import type { TargetState } from '../targets/target.js';
import type { MetricsJson, ProxyStats } from './messages.js';

/**
 * GroupMember: how a Gateway takes part in a --workers group, as the primary (primary.ts: config,
 * health checks, admin API; its workers hold the proxy listeners) or as a worker (worker.ts: proxies
 * with the primary's config and health). A Gateway without one is today's single process.
 */
export interface GroupMember {
  /** False in a worker: only the primary probes targets, then broadcasts what it found. */
  readonly activeHealthChecks: boolean;
  /** Called once by the Gateway with its live runtime (the primary applies workers' reports there). */
  attach?(runtime: () => Runtime): void;
  /** Primary: starts the workers and resolves once all of them listen with the live config. */
  startProxies?(): Promise<{ proxy: ListenAddress; tls: ListenAddress | null }>;
  /** Primary: a drain began; every worker answers with `Connection: close` from now on. */
  drainProxies?(): void;
  /** Primary: every worker opens its access-log file again (Gateway.reopenAccessLog). */
  reopenAccessLogs?(): void;
  /** Primary: SIGTERM semantics for every worker (stop accepting, drain, exit). */
  stopProxies?(timeoutMs: number): Promise<void>;
  /** A config went live in this process. */
  configApplied(config: GatewayConfig, hash: string): void;
  /** A target's health flipped in this process (checks, admin API, a peer's report). */
  targetHealthChanged(target: TargetState): void;
  /** Resolves once every worker runs the config applied last (bounded wait). */
  live(): Promise<void>;
  /** Each other process's counters for these upstreams' targets, keyed by TargetState.key. */
  peerTargetCounters(upstreams: readonly string[]): Promise<Array<Map<string, TargetCounters>>>;
  /** Each other process's Prometheus metrics, to be summed with this one's. */
  peerMetrics(): Promise<MetricsJson[]>;
  /** Each other process's listener counters. */
  peerStats(): Promise<ProxyStats[]>;
}
