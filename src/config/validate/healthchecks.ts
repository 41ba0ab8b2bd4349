import type { ActiveHealthcheckConfig, HealthchecksConfig, PassiveHealthcheckConfig } from '../types.js';
import type { Scope } from './scope.js';

const TYPES = ['http', 'https', 'tcp', 'grpc', 'grpcs'] as const;
const COUNTER_MAX = 255;
const INTERVAL_MAX = 65535;

/** defaultHealthchecks: Kong's defaults (semantics.md s5); checking is off until a counter is set. */
export function defaultHealthchecks(): Required<Pick<HealthchecksConfig, 'threshold'>> & {
  active: ActiveHealthcheckConfig;
  passive: PassiveHealthcheckConfig;
} {
  return {
    threshold: 0,
    active: {
      type: 'http', timeout: 1, concurrency: 10, http_path: '/', https_verify_certificate: true,
      healthy: { interval: 0, http_statuses: [200, 302], successes: 0 },
      unhealthy: { interval: 0, http_statuses: [429, 404, 500, 501, 502, 503, 504, 505], tcp_failures: 0, timeouts: 0, http_failures: 0 },
    },
    passive: {
      type: 'http',
      healthy: { http_statuses: [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308], successes: 0 },
      unhealthy: { http_statuses: [429, 500, 503], tcp_failures: 0, timeouts: 0, http_failures: 0 },
    },
  };
}

/** validateHealthchecks checks `healthchecks` and returns it merged over the defaults. */
export function validateHealthchecks(s: Scope | undefined): HealthchecksConfig {
  const out = defaultHealthchecks();
  if (!s) return out;
  s.unknown(['threshold', 'active', 'passive']);
  out.threshold = s.num('threshold', 0, 100) ?? 0;
  const active = s.child('active');
  if (active) {
    active.unknown(['type', 'timeout', 'concurrency', 'http_path', 'https_sni', 'https_verify_certificate', 'headers', 'healthy', 'unhealthy']);
    set(out.active, 'type', active.oneOf('type', TYPES));
    set(out.active, 'timeout', active.num('timeout', 0, 65535));
    set(out.active, 'concurrency', active.int('concurrency', 1, 2147483648));
    const path = active.str('http_path');
    if (path !== undefined && !path.startsWith('/')) active.err('http_path', 'should start with: /');
    else set(out.active, 'http_path', path);
    set(out.active, 'https_sni', active.str('https_sni'));
    set(out.active, 'https_verify_certificate', active.bool('https_verify_certificate'));
    set(out.active, 'headers', headers(active));
    mergeSide(active.child('healthy'), out.active.healthy!, true, false);
    mergeSide(active.child('unhealthy'), out.active.unhealthy!, true, true);
  }
  const passive = s.child('passive');
  if (passive) {
    passive.unknown(['type', 'healthy', 'unhealthy']);
    set(out.passive, 'type', passive.oneOf('type', TYPES));
    mergeSide(passive.child('healthy'), out.passive.healthy!, false, false);
    mergeSide(passive.child('unhealthy'), out.passive.unhealthy!, false, true);
  }
  return out;
}

type Side = Record<string, unknown>;

function mergeSide(s: Scope | undefined, out: Side, active: boolean, unhealthy: boolean): void {
  if (!s) return;
  const counters = unhealthy ? ['tcp_failures', 'timeouts', 'http_failures'] : ['successes'];
  s.unknown(['interval', 'http_statuses', ...counters]);
  if (active) set(out, 'interval', s.num('interval', 0, INTERVAL_MAX));
  else if (s.has('interval')) s.err('interval', 'passive health checks have no interval');
  set(out, 'http_statuses', s.intList('http_statuses', 100, 599));
  for (const c of counters) set(out, c, s.int(c, 0, COUNTER_MAX));
}

function headers(s: Scope): Record<string, string[]> | undefined {
  const sub = s.child('headers');
  if (!sub) return undefined;
  const out: Record<string, string[]> = {};
  for (const name of Object.keys(sub.obj)) {
    const values = sub.list(name);
    if (values) Object.defineProperty(out, name, { value: values, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function set<T extends object>(obj: T, key: string, value: unknown): void {
  if (value !== undefined) (obj as Record<string, unknown>)[key] = value;
}
