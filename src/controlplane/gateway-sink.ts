import type { GatewayConfig } from '../config/types.js';
import type { ConfigSink } from './sinks.js';

/** The part of the Gateway (src/dataplane/gateway.ts) the in-process sink needs. */
export interface ConfigApplier {
  apply(input: unknown): { ok: true } | { ok: false; error: { message?: string }; flat?: unknown };
}

/** ConfigRejectedError: the gateway refused a translated config (a translator bug, not a transient fault). */
export class ConfigRejectedError extends Error {
  override name = 'ConfigRejectedError';
}

/**
 * GatewayConfigSink applies configs to the gateway in this process (`berth run`). A hash equal to
 * the last one it accepted is skipped, so unrelated object changes cost no validation; the gateway
 * logs each config it makes live.
 */
export class GatewayConfigSink implements ConfigSink {
  #hash: string | undefined;

  constructor(private readonly gateway: ConfigApplier) {}

  async push(config: GatewayConfig, hash: string): Promise<void> {
    if (hash === this.#hash) return;
    const result = this.gateway.apply(config);
    if (!result.ok) {
      const detail = result.flat === undefined ? '' : ` ${JSON.stringify(result.flat)}`;
      throw new ConfigRejectedError(`gateway rejected the translated config: ${result.error.message ?? 'invalid'}${detail}`);
    }
    this.#hash = hash;
  }
}
