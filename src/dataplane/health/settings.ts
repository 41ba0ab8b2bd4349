import type { HealthchecksConfig, UpstreamConfig } from '../../config/types.js';

/** Thresholds of one check source (active or passive); 0 disables that counter. */
export interface Thresholds {
  successes: number;
  httpFailures: number;
  tcpFailures: number;
  timeouts: number;
  healthyStatuses: ReadonlySet<number>;
  unhealthyStatuses: ReadonlySet<number>;
}

/** HealthSettings: an upstream's `healthchecks` with Kong's defaults filled in (semantics.md s5). */
export interface HealthSettings {
  threshold: number;
  active: Thresholds & {
    type: 'http' | 'https' | 'tcp';
    timeoutMs: number;
    concurrency: number;
    httpPath: string;
    httpsSni: string | undefined;
    httpsVerify: boolean;
    headers: Record<string, string[]>;
    /** Seconds between probes of healthy / unhealthy targets; 0 = not probed in that state. */
    healthyInterval: number;
    unhealthyInterval: number;
  };
  passive: Thresholds;
  /** Kong: checking is on only when an active interval or a passive unhealthy counter is non-zero. */
  enabled: boolean;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

export const DEFAULT_ACTIVE_HEALTHY_STATUSES = [200, 302];
export const DEFAULT_ACTIVE_UNHEALTHY_STATUSES = [429, 404, 500, 501, 502, 503, 504, 505];
export const DEFAULT_PASSIVE_HEALTHY_STATUSES = [...range(200, 208), 226, ...range(300, 308)];
export const DEFAULT_PASSIVE_UNHEALTHY_STATUSES = [429, 500, 503];

const num = (v: number | undefined, fallback: number): number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback;

function activeSettings(hc: HealthchecksConfig): HealthSettings['active'] {
  const a = hc.active ?? {};
  // grpc probes are not implemented; a connect probe is the closest safe check.
  const type = a.type === 'https' ? 'https' : a.type === 'http' || a.type === undefined ? 'http' : 'tcp';
  return {
    type,
    timeoutMs: num(a.timeout, 1) * 1000,
    concurrency: Math.max(1, Math.floor(num(a.concurrency, 10))),
    httpPath: a.http_path ?? '/',
    httpsSni: a.https_sni,
    httpsVerify: a.https_verify_certificate ?? true,
    headers: a.headers ?? {},
    healthyInterval: num(a.healthy?.interval, 0),
    unhealthyInterval: num(a.unhealthy?.interval, 0),
    ...thresholds(a, DEFAULT_ACTIVE_HEALTHY_STATUSES, DEFAULT_ACTIVE_UNHEALTHY_STATUSES),
  };
}

function passiveSettings(hc: HealthchecksConfig): Thresholds {
  return thresholds(hc.passive ?? {}, DEFAULT_PASSIVE_HEALTHY_STATUSES, DEFAULT_PASSIVE_UNHEALTHY_STATUSES);
}

/** The counters and status lists active and passive checks share; only their default lists differ. */
type CheckBlock = NonNullable<HealthchecksConfig['passive']>;

function thresholds(block: CheckBlock, healthyDefault: number[], unhealthyDefault: number[]): Thresholds {
  return {
    successes: num(block.healthy?.successes, 0),
    httpFailures: num(block.unhealthy?.http_failures, 0),
    tcpFailures: num(block.unhealthy?.tcp_failures, 0),
    timeouts: num(block.unhealthy?.timeouts, 0),
    healthyStatuses: new Set(block.healthy?.http_statuses ?? healthyDefault),
    unhealthyStatuses: new Set(block.unhealthy?.http_statuses ?? unhealthyDefault),
  };
}

/** healthSettings: the resolved settings of an upstream; invalid numbers fall back to defaults. */
export function healthSettings(u: UpstreamConfig): HealthSettings {
  const hc = u.healthchecks ?? {};
  const active = activeSettings(hc);
  const passive = passiveSettings(hc);
  const enabled =
    active.healthyInterval > 0 ||
    active.unhealthyInterval > 0 ||
    passive.httpFailures > 0 ||
    passive.tcpFailures > 0 ||
    passive.timeouts > 0;
  return { threshold: num(hc.threshold, 0), active, passive, enabled };
}
