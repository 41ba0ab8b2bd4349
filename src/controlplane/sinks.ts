import type { GatewayConfig } from '../config/types.js';
import type { TranslateResult } from './types.js';

/** ConfigSink receives each translated config: the in-process gateway, or replicas over HTTP. */
export interface ConfigSink {
  push(config: GatewayConfig, hash: string): Promise<void>;
}

/** StatusSink receives the statuses and events of each translation (cluster or admin API). */
export interface StatusSink {
  publish(result: TranslateResult): Promise<void>;
}
