import { Counter, Gauge, Registry } from 'prom-client';
import type { StickyOutcome } from '../balancers/balancer.js';
import type { TargetHealthState } from '../targets/target.js';
import { LabeledCounter, UpstreamHistogram } from './metric-series.js';

const TARGET_STATES: readonly TargetHealthState[] = ['HEALTHY', 'UNHEALTHY', 'DRAINING', 'HEALTHCHECKS_OFF', 'DNS_ERROR'];

/** Seconds; proxied requests mostly take milliseconds, long polls and slow backends seconds. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * GatewayMetrics: the Prometheus metrics of one gateway, in its own Registry (never the
 * process-global one, so tests and several gateways in one process stay apart). The per-request
 * series are plain numbers (metric-series.ts), rendered only when /metrics is read.
 * Cardinality is bounded by the config (upstreams, targets) and by HTTP status codes.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests = new LabeledCounter(
    'berth_requests_total', 'Proxied requests by upstream, target and response status', ['upstream', 'target', 'status'],
  );
  private readonly duration = new UpstreamHistogram(
    'berth_request_duration_seconds', 'Time from request received to response finished', LATENCY_BUCKETS,
  );
  private readonly stickyTotal = new LabeledCounter(
    'berth_sticky_total', 'Sticky session decisions: kept, new, moved_gone, moved_unhealthy, invalid', ['upstream', 'outcome'],
  );
  private readonly targetState: Gauge<'upstream' | 'target' | 'state'>;
  private readonly refused: Counter;

  constructor() {
    for (const metric of [this.requests, this.duration, this.stickyTotal]) this.registry.registerMetric(metric as never);
    this.targetState = new Gauge({
      name: 'berth_target_state', help: 'Target state (1 for the current state, 0 for the others)',
      labelNames: ['upstream', 'target', 'state'], registers: [this.registry],
    });
    this.refused = new Counter({
      name: 'berth_connections_refused_total', help: 'Client connections closed at once because --max-connections were open',
      registers: [this.registry],
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  // Hot path: a Map lookup per label, no key built.
  request(upstream: string, target: string, status: number, seconds: number): void {
    this.requests.inc(upstream, target, status);
    this.duration.observe(upstream, seconds);
  }

  connectionRefused(): void {
    this.refused.inc();
  }

  // Hot path.
  sticky(upstream: string, outcome: StickyOutcome): void {
    this.stickyTotal.inc(upstream, outcome);
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
    this.requests.removeWhere(upstream);
    this.duration.remove(upstream);
    this.stickyTotal.removeWhere(upstream);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
