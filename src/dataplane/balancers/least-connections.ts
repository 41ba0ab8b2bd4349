import type { TargetState } from '../targets/target.js';
import type { Balancer, PickRequest } from './balancer.js';
import { usable } from './usable.js';

/**
 * LeastConnectionsBalancer: the target with the fewest in-flight requests per weight, counting
 * the new request ((inFlight + 1) / weight, so an idle heavier target goes first). The proxy
 * changes `inFlight` directly, so each pick compares the upstream's targets (a heap would need a
 * hook on every request end); the scan starts one further each time, which rotates ties.
 */
export class LeastConnectionsBalancer implements Balancer {
  private targets: readonly TargetState[] = [];
  private start = 0;

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
      if (best === null || (t.inFlight + 1) * best.weight < (best.inFlight + 1) * t.weight) best = t;
    }
    return best;
  }
}

LeastConnectionsBalancer satisfies new () => Balancer;
