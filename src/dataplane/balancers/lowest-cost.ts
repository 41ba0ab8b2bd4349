import type { TargetState } from '../targets/target.js';
import type { PickRequest } from './balancer.js';
import { usable } from './usable.js';

/**
 * LowestCost: what least-connections and latency share. Their cost moves on every request
 * (the proxy changes `inFlight` directly), so each pick compares the upstream's weighted targets;
 * the scan starts one further each time, which rotates ties. A policy supplies `cheaper`.
 */
export abstract class LowestCost {
  private targets: readonly TargetState[] = [];
  private start = 0;

  /** cheaper: `a` should take the next request before `b`. */
  protected abstract cheaper(a: TargetState, b: TargetState): boolean;

  update(targets: readonly TargetState[]): void {
    this.targets = targets.filter((t) => t.weight > 0 && !t.removed);
    if (this.start >= this.targets.length) this.start = 0;
  }

  /** pick: hot path. */
  pick(_req: PickRequest | undefined, exclude?: ReadonlySet<TargetState>): TargetState | null {
    const list = this.targets;
    const n = list.length;
    const start = this.start;
    this.start = start + 1 >= n ? 0 : start + 1;
    let best: TargetState | null = null;
    for (let i = 0; i < n; i++) {
      const t = list[(start + i) % n]!;
      if (!usable(t, exclude)) continue;
      if (best === null || this.cheaper(t, best)) best = t;
    }
    return best;
  }
}
