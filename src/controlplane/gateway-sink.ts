import type { GatewayConfig } from '../config/types.js';
import type { Logger } from '../lib/log.js';
import type { ConfigSink } from './sinks.js';

/** The part of the Gateway (src/dataplane/gateway.ts) the in-process sink needs. */
export interface ConfigApplier {
  apply(input: unknown): { ok: true; changed: boolean } | { ok: false; error: { message?: string } };
}

/** ConfigRejectedError: the gateway refused a translated config (a translator bug, not a transient fault). */
export class ConfigRejectedError extends Error {
  override name = 'ConfigRejectedError';
}

/**
 * GatewayConfigSink applies configs to the gateway in this process (`berth run`). A hash equal to
 * the live one is skipped, so unrelated object changes cost no validation.
 */
export class GatewayConfigSink implements ConfigSink {
  #hash: string | undefined;

  constructor(
    private readonly gateway: ConfigApplier,
    private readonly log: Logger,
  ) {}

  async push(config: GatewayConfig, hash: string): Promise<void> {
    if (hash === this.#hash) return;
    const result = this.gateway.apply(config);
    if (!result.ok) {
      throw new ConfigRejectedError(`gateway rejected the translated config: ${result.error.message ?? 'invalid'}`);
    }
    this.#hash = hash;
    if (result.changed) this.log.info({ hash }, 'configuration applied');
  }
}
