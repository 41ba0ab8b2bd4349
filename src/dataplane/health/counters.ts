import type { Thresholds } from './settings.js';

/** CheckResult: what one probe or one proxied request says about a target. */
export type CheckResult = 'success' | 'http_failure' | 'tcp_failure' | 'timeout' | 'ignored';

/**
 * HealthCounters: one target's consecutive results, shared by active and passive checks as in
 * lua-resty-healthcheck; each source compares them with its own thresholds.
 */
export class HealthCounters {
  successes = 0;
  httpFailures = 0;
  tcpFailures = 0;
  timeouts = 0;

  reset(): void {
    this.successes = 0;
    this.httpFailures = 0;
    this.tcpFailures = 0;
    this.timeouts = 0;
  }
}

/** classifyStatus: a response status is a success, a failure, or in neither list (ignored). */
export function classifyStatus(status: number, limits: Thresholds): CheckResult {
  if (limits.healthyStatuses.has(status)) return 'success';
  if (limits.unhealthyStatuses.has(status)) return 'http_failure';
  return 'ignored';
}

const reached = (count: number, limit: number): boolean => limit > 0 && count >= limit;

/**
 * record: counts one result and says whether the target's health flips: `true` (becomes
 * healthy), `false` (becomes unhealthy) or undefined. A success clears the failure counters, a
 * failure clears the successes; a flip clears everything. `canHeal` is false for passive
 * checks, which never re-enable a target.
 */
export function record(
  c: HealthCounters,
  result: CheckResult,
  healthy: boolean,
  limits: Thresholds,
  canHeal: boolean,
): boolean | undefined {
  let flip: boolean | undefined;
  switch (result) {
    case 'ignored':
      return undefined;
    case 'success':
      c.successes++;
      c.httpFailures = c.tcpFailures = c.timeouts = 0;
      if (!healthy && canHeal && reached(c.successes, limits.successes)) flip = true;
      break;
    case 'http_failure':
      c.successes = 0;
      c.httpFailures++;
      if (healthy && reached(c.httpFailures, limits.httpFailures)) flip = false;
      break;
    case 'tcp_failure':
      c.successes = 0;
      c.tcpFailures++;
      if (healthy && reached(c.tcpFailures, limits.tcpFailures)) flip = false;
      break;
    case 'timeout':
      c.successes = 0;
      c.timeouts++;
      if (healthy && reached(c.timeouts, limits.timeouts)) flip = false;
      break;
  }
  if (flip !== undefined) c.reset();
  return flip;
}
