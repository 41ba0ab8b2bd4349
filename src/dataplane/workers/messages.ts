import type { GatewayConfig } from '../../config/types.js';
import type { SessionKey } from '../sticky/token.js';
import type { ListenAddress } from '../server.js';
import type { TargetCounters } from '../targets/counters.js';

/**
 * The IPC protocol of a --workers group (node:cluster channel, `serialization: 'advanced'`, so
 * Buffers and Maps cross as they are). The primary owns config and health; workers proxy.
 * Messages on one channel arrive in order, so a health change never overtakes the config
 * that introduced its target.
 */

/** A target is named by its upstream and TargetState.key, the same in every process. */
export interface TargetRef {
  upstream: string;
  key: string;
}

/** LiveConfig: a config the primary validated and made live, with its hash (workers do not validate again). */
export interface LiveConfig {
  config: GatewayConfig;
  hash: string;
}

/** MetricsJson: prom-client's Registry.getMetricsAsJSON() of one process. */
export type MetricsJson = unknown[];

export type ToWorker =
  /** First message: the shared session keys, the live config and who is unhealthy now. */
  | { t: 'init'; keys: SessionKey[]; generatedKeys: boolean; seq: number; config: LiveConfig | null; unhealthy: TargetRef[] }
  | ({ t: 'config'; seq: number } & LiveConfig)
  | ({ t: 'health'; healthy: boolean } & TargetRef)
  | { t: 'query'; id: number; what: 'targets'; upstreams: readonly string[] }
  | { t: 'query'; id: number; what: 'metrics' }
  | { t: 'drain' }
  /** Open the access-log file again by its path (the primary got SIGUSR1). */
  | { t: 'reopen-access-log' }
  | { t: 'stop' };

export type ToPrimary =
  /**
   * The worker listens for messages now. Anything sent before is lost (a child emits 'message'
   * only to listeners present when it arrives), so the primary sends nothing until then.
   */
  | { t: 'hello' }
  | { t: 'ready'; proxy: ListenAddress; tls: ListenAddress | null }
  | { t: 'applied'; seq: number; ok: boolean; error?: string }
  /** A passive check in this worker marked a target unhealthy. */
  | ({ t: 'health'; healthy: boolean } & TargetRef)
  | { t: 'reply'; id: number; targets?: Array<[string, TargetCounters]>; metrics?: MetricsJson; stats?: ProxyStats };

/** ProxyStats: one process's listener counters and memory (bytes), as GET /status shows them. */
export interface ProxyStats {
  accepted: number;
  active: number;
  requests: number;
  rss: number;
  heapUsed: number;
}

/** isMessage: anything on the channel that is not ours (e.g. node's internal cluster messages) is ignored. */
export function isMessage<T extends { t: string }>(m: unknown): m is T {
  return typeof m === 'object' && m !== null && typeof (m as { t?: unknown }).t === 'string';
}
