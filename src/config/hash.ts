import { createHash } from 'node:crypto';
import type { GatewayConfig, UpstreamConfig } from './types.js';

/**
 * hashUpstream: a stable digest of one upstream (object key order does not matter, array order
 * does), so a reload can keep an unchanged upstream's balancer and health checker as they are.
 */
export function hashUpstream(u: UpstreamConfig): string {
  return digest(u);
}

/** hashConfig: a stable digest of a whole config; the controller skips pushes when it is unchanged. */
export function hashConfig(c: GatewayConfig): string {
  return digest(c);
}

function digest(value: unknown): string {
  const h = createHash('sha256');
  feed(h, value);
  return h.digest('hex').slice(0, 32);
}

type Hasher = ReturnType<typeof createHash>;

/** feed streams a canonical form into the hash instead of building one big string. */
function feed(h: Hasher, value: unknown): void {
  if (value === null || value === undefined) {
    h.update('n;');
  } else if (Array.isArray(value)) {
    h.update('[');
    for (const item of value) feed(h, item);
    h.update(']');
  } else if (typeof value === 'object') {
    h.update('{');
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj).sort()) {
      if (obj[key] === undefined) continue; // an absent and an undefined field are the same config
      h.update(JSON.stringify(key));
      h.update(':');
      feed(h, obj[key]);
    }
    h.update('}');
  } else {
    h.update(`${typeof value}:${JSON.stringify(value)};`);
  }
}
