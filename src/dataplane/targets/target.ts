import { RollingCounter } from '../../lib/rolling-counter.js';

/**
 * TargetState: one target of one upstream, with the state that must outlive config reloads
 * (counters, health, latency average). The runtime keeps these in a registry keyed by
 * `key`, and a reload updates `weight` in place instead of building a new object, so balancers,
 * sticky sessions and health checkers keep their view of the target across reloads.
 */
export type TargetHealthState = 'HEALTHY' | 'UNHEALTHY' | 'DRAINING' | 'HEALTHCHECKS_OFF' | 'DNS_ERROR';

export class TargetState {
  /** Config weight (0..65535). 0 means draining: no new traffic, existing sessions still land. */
  weight: number;
  /** False once health checks (active, passive) or the admin API marked the target down. */
  healthy = true;
  /**
   * The target's host name did not resolve on the last lookup (targets/dns.ts). Like Kong's
   * DNS_ERROR: it gets no traffic, pinned sessions included, until the name resolves again.
   */
  dnsError = false;
  /** True when the upstream has health checking switched on (Kong: an interval or a counter > 0). */
  healthchecksOn = false;
  /** Requests currently being proxied to this target. */
  inFlight = 0;
  /** Peak-EWMA of connect+response time in ms, for the latency balancer. */
  ewmaLatencyMs = 0;
  totalRequests = 0;
  /** Set when the target left the config; holders of a reference must stop using it. */
  removed = false;
  /** Requests routed here by a valid sticky cookie/header, last 60 s (drain progress). */
  readonly stickyRouted = new RollingCounter(60);
  /** Epoch ms of the last request routed here by a sticky cookie/header; 0 = never. */
  lastStickyAt = 0;

  constructor(
    /** The upstream this target belongs to. */
    readonly upstream: string,
    /** Stable identity: the pod UID from the `berth.identity=` tag, else the address. */
    readonly identity: string,
    /** Host or IP without brackets. */
    readonly host: string,
    readonly port: number,
    weight: number,
  ) {
    this.weight = weight;
    this.address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    this.key = TargetState.keyOf(upstream, identity, this.address);
  }

  /**
   * inherit takes over what `from` learned, the same pod at the same address in an upstream a
   * reload renamed (a Gateway API weight change renames the shared backend group it names):
   * health (when this upstream checks it too), latency, counts and drain progress.
   */
  inherit(from: TargetState, withHealth: boolean): void {
    if (withHealth) this.healthy = from.healthy;
    this.ewmaLatencyMs = from.ewmaLatencyMs;
    this.totalRequests = from.totalRequests;
    this.lastStickyAt = from.lastStickyAt;
    this.stickyRouted.copyFrom(from.stickyRouted);
  }

  /** "host:port" as Kong prints it, IPv6 in brackets. */
  readonly address: string;
  /** Registry key: a new pod that reuses an old address is a different target. */
  readonly key: string;

  static keyOf(upstream: string, identity: string, address: string): string {
    return `${upstream}\u0000${identity}\u0000${address}`;
  }

  /** The state an operator sees in `GET /upstreams/{u}/health`. */
  get state(): TargetHealthState {
    if (this.dnsError) return 'DNS_ERROR';
    if (!this.healthy) return 'UNHEALTHY';
    if (this.weight === 0) return 'DRAINING';
    return this.healthchecksOn ? 'HEALTHY' : 'HEALTHCHECKS_OFF';
  }

  /**
   * The `health` value Kong itself reports, kept for scripts written against Kong: it has no
   * DRAINING and shows weight-0 targets as HEALTHCHECKS_OFF. berth's `state` says more.
   */
  get kongHealth(): Exclude<TargetHealthState, 'DRAINING'> {
    if (this.dnsError) return 'DNS_ERROR';
    if (!this.healthy) return 'UNHEALTHY';
    if (this.weight === 0 || !this.healthchecksOn) return 'HEALTHCHECKS_OFF';
    return 'HEALTHY';
  }

  /** May receive requests of sessions already pinned to it (draining included). */
  get servesPinned(): boolean {
    return this.healthy && !this.dnsError && !this.removed;
  }

  /** May receive new sessions / unpinned traffic. */
  get servesNew(): boolean {
    return this.healthy && !this.dnsError && !this.removed && this.weight > 0;
  }
}
