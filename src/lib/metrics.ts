import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StickyOutcome } from '../dataplane/balancers/balancer.js';
import type { TargetHealthState } from '../dataplane/targets/target.js';

const TARGET_STATES: readonly TargetHealthState[] = ['HEALTHY', 'UNHEALTHY', 'DRAINING', 'HEALTHCHECKS_OFF'];

/** Seconds; proxied requests mostly take milliseconds, long polls and slow backends seconds. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

type CounterChild = ReturnType<Counter['labels']>;
type HistogramChild = ReturnType<Histogram['labels']>;

/** Gets or creates the value of `key` in a Map, so each label child is built once. */
function cached<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

/**
 * GatewayMetrics: the Prometheus metrics of one gateway, in its own Registry (never the
 * process-global one, so tests and several gateways in one process stay apart). Label children
 * are cached in nested Maps: the per-request path does Map lookups, not label-object builds.
 * Cardinality is bounded by the config (upstreams, targets) and by HTTP status codes.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'upstream' | 'target' | 'status'>;
  private readonly duration: Histogram<'upstream'>;
  private readonly stickyTotal: Counter<'upstream' | 'outcome'>;
  private readonly targetState: Gauge<'upstream' | 'target' | 'state'>;
  private readonly requestChildren = new Map<string, Map<string, Map<number, CounterChild>>>();
  private readonly durationChildren = new Map<string, HistogramChild>();
  private readonly stickyChildren = new Map<string, Map<StickyOutcome, CounterChild>>();

  constructor() {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'berth_requests_total', help: 'Proxied requests by upstream, target and response status',
      labelNames: ['upstream', 'target', 'status'], registers,
    });
    this.duration = new Histogram({
      name: 'berth_request_duration_seconds', help: 'Time from request received to response finished',
      labelNames: ['upstream'], buckets: LATENCY_BUCKETS, registers,
    });
    this.stickyTotal = new Counter({
      name: 'berth_sticky_total', help: 'Sticky session decisions: kept, new, moved_gone, moved_unhealthy, invalid',
      labelNames: ['upstream', 'outcome'], registers,
    });
    this.targetState = new Gauge({
      name: 'berth_target_state', help: 'Target state (1 for the current state, 0 for the others)',
      labelNames: ['upstream', 'target', 'state'], registers,
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  // Hot path.
  request(upstream: string, target: string, status: number, seconds: number): void {
    const byTarget = cached(this.requestChildren, upstream, () => new Map<string, Map<number, CounterChild>>());
    const byStatus = cached(byTarget, target, () => new Map<number, CounterChild>());
    cached(byStatus, status, () => this.requests.labels(upstream, target, String(status))).inc();
    cached(this.durationChildren, upstream, () => this.duration.labels(upstream)).observe(seconds);
  }

  // Hot path.
  sticky(upstream: string, outcome: StickyOutcome): void {
    const byOutcome = cached(this.stickyChildren, upstream, () => new Map<StickyOutcome, CounterChild>());
    cached(byOutcome, outcome, () => this.stickyTotal.labels(upstream, outcome)).inc();
  }

  /** setTargetStates: replaces the whole gauge, so targets that left the config disappear. */
  setTargetStates(rows: Array<{ upstream: string; target: string; state: TargetHealthState }>): void {
    this.targetState.reset();
    for (const row of rows) {
      for (const state of TARGET_STATES) {
        this.targetState.labels(row.upstream, row.target, state).set(state === row.state ? 1 : 0);
      }
    }
  }

  /**
   * forgetUpstream: drops the request and sticky series of an upstream that left the config,
   * so a long-lived gateway does not keep series of every upstream it ever had.
   */
  forgetUpstream(upstream: string): void {
    for (const [target, byStatus] of this.requestChildren.get(upstream) ?? []) {
      for (const status of byStatus.keys()) this.requests.remove(upstream, target, String(status));
    }
    this.requestChildren.delete(upstream);
    if (this.durationChildren.delete(upstream)) this.duration.remove(upstream);
    for (const outcome of this.stickyChildren.get(upstream)?.keys() ?? []) this.stickyTotal.remove(upstream, outcome);
    this.stickyChildren.delete(upstream);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
