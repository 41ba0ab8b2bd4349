import { TargetState } from './target.js';

/**
 * TargetRegistry: every live TargetState, keyed by TargetState.key (upstream + identity +
 * address). A reload looks targets up here instead of building new ones, so counters, health and
 * sticky bookkeeping survive; a target that reappears after removal starts fresh.
 */
export class TargetRegistry {
  private readonly byKey = new Map<string, TargetState>();

  /** upsert returns the live target for this key (weight updated in place) or a new one. */
  upsert(upstream: string, identity: string, host: string, port: number, weight: number): TargetState {
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    const key = TargetState.keyOf(upstream, identity, address);
    let target = this.byKey.get(key);
    if (target === undefined) {
      target = new TargetState(upstream, identity, host, port, weight);
      this.byKey.set(key, target);
    }
    target.weight = weight;
    return target;
  }

  /** retire marks a target removed: holders stop using it and it is forgotten here. */
  retire(target: TargetState): void {
    target.removed = true;
    if (this.byKey.get(target.key) === target) this.byKey.delete(target.key);
  }

  get(key: string): TargetState | undefined {
    return this.byKey.get(key);
  }

  get size(): number {
    return this.byKey.size;
  }
}
