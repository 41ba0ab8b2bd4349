import type { GatewayConfig } from '../../config/types.js';
import type { ApplyResult } from '../gateway.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import type { Runtime } from '../runtime.js';
import type { ProxyStats } from '../workers/messages.js';
import type { DashboardSource } from '../dashboard/state.js';

/**
 * AdminView is all the admin API may see and do of the gateway: read the live runtime and its
 * counters, and replace the config. Handlers get this narrow seam, not the Gateway object, so the
 * admin API cannot reach listeners, shutdown or the session keyring.
 */
export interface AdminView extends DashboardSource {
  /** The live config, or null before the first apply. */
  readonly config: GatewayConfig | null;
  /** The live runtime: upstreams, targets and the configuration hash. */
  readonly runtime: Runtime;
  readonly nodeId: string;
  readonly metrics: Pick<GatewayMetrics, 'setTargetStates' | 'render' | 'contentType'>;
  /** Connection and request counters of the proxy listeners (summed over --workers processes). */
  stats(): Promise<ProxyStats>;
  /** The Prometheus text (summed over --workers processes). */
  renderMetrics(): Promise<string>;
  /** Resolves once every proxy process runs the config applied last. */
  whenLive(): Promise<void>;
  /** Makes a config validated and hashed elsewhere (the push worker) live. */
  applyValidated(config: GatewayConfig, hash: string): ApplyResult;
}
