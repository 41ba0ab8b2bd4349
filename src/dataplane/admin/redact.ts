import type { GatewayConfig } from '../../config/types.js';

/** REDACTED replaces a private key in what the admin API shows. */
export const REDACTED = '<redacted>';

/**
 * redactConfig is the config as `GET /config` shows it: certificates keep their PEM chain and SNIs
 * but never their private key (anyone who can reach the admin port could otherwise impersonate
 * every TLS host). Shallow copies only: the live config is not touched.
 */
export function redactConfig(config: GatewayConfig): GatewayConfig {
  if (!config.certificates?.length) return config;
  return { ...config, certificates: config.certificates.map((c) => ({ ...c, key: REDACTED })) };
}
