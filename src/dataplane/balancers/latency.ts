import type { TargetState } from '../targets/target.js';
import type { Balancer } from './balancer.js';
import { LowestCost } from './lowest-cost.js';

/** DECAY_MS: how fast an old latency sample stops counting (Finagle's peak EWMA uses 10 s). */
const DECAY_MS = 10_000;

/** lastSample: when each target's average last moved; keyed by the target so it outlives reloads. */
const lastSample = new WeakMap<TargetState, number>();

/**
 * LatencyBalancer: peak EWMA of connect + response time. A slower sample replaces the average at
 * once (peak); faster ones pull it down with a weight that grows with the time since the last
 * sample. Cost = ewma * (inFlight + 1) / weight, as Finagle and Linkerd do, so a burst does not
 * all land on the fastest target before its first answer. Untried targets (ewma 0) cost 0 and
 * go first; ties rotate.
 */
export class LatencyBalancer extends LowestCost implements Balancer {
  constructor(private readonly now: () => number = Date.now) {
    super();
  }

  protected cheaper(a: TargetState, b: TargetState): boolean {
    return a.ewmaLatencyMs * (a.inFlight + 1) * b.weight < b.ewmaLatencyMs * (b.inFlight + 1) * a.weight;
  }

  done(target: TargetState, latencyMs: number): void {
    const now = this.now();
    const last = lastSample.get(target);
    lastSample.set(target, now);
    const sample = Math.max(latencyMs, 0.001);
    const prev = target.ewmaLatencyMs;
    if (prev === 0 || sample > prev) {
      target.ewmaLatencyMs = sample;
      return;
    }
    const w = Math.exp(-Math.max(last === undefined ? DECAY_MS : now - last, 0) / DECAY_MS);
    target.ewmaLatencyMs = prev * w + sample * (1 - w);
  }
}

LatencyBalancer satisfies new () => Balancer;
