import type { UpstreamConfig } from '../../config/types.js';
import type { TargetState } from '../targets/target.js';

/**
 * upstreamHealth: Kong's upstream-level health. `healthchecks.threshold` is the minimum
 * percentage of the targets' weight that must be available:
 * `(total - unavailable) / total * 100 > threshold` over weights. With no weight at all (no
 * targets, or every target draining) there is no capacity for new traffic: UNHEALTHY.
 */
export function upstreamHealth(upstream: UpstreamConfig, targets: readonly TargetState[]): 'HEALTHY' | 'UNHEALTHY' {
  const threshold = upstream.healthchecks?.threshold ?? 0;
  let total = 0;
  let unavailable = 0;
  for (const t of targets) {
    if (t.removed) continue;
    total += t.weight;
    if (!t.healthy) unavailable += t.weight;
  }
  if (total === 0) return 'UNHEALTHY';
  return ((total - unavailable) / total) * 100 > threshold ? 'HEALTHY' : 'UNHEALTHY';
}
