import { TargetState } from './target.js';

/**
 * TargetRegistry: every live TargetState, keyed by TargetState.key (upstream + identity +
 * address). A reload looks targets up here instead of building new ones, so counters, health and
 * sticky bookkeeping survive; a target that reappears after removal starts fresh.
 */
export class TargetRegistry {
  private readonly byKey = new Map<string, TargetState>();
  /** Live targets per endpoint (identity + address): one pod can sit in several upstreams. */
  private readonly endpointRefs = new Map<string, number>();

  /** upsert returns the live target for this key (weight updated in place) or a new one. */
  upsert(upstream: string, identity: string, host: string, port: number, weight: number): TargetState {
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    const key = TargetState.keyOf(upstream, identity, address);
    let target = this.byKey.get(key);
    if (target === undefined) {
      target = new TargetState(upstream, identity, host, port, weight);
      this.byKey.set(key, target);
      const endpoint = endpointOf(target);
      this.endpointRefs.set(endpoint, (this.endpointRefs.get(endpoint) ?? 0) + 1);
    }
    target.weight = weight;
    return target;
  }

  /**
   * retire marks a target removed: holders stop using it and it is forgotten here. Returns
   * whether its endpoint (the same pod at the same address) is now gone from every upstream, so
   * the caller closes that address's pooled connections only then.
   */
  retire(target: TargetState): boolean {
    target.removed = true;
    if (this.byKey.get(target.key) !== target) return false;
    this.byKey.delete(target.key);
    const endpoint = endpointOf(target);
    const refs = (this.endpointRefs.get(endpoint) ?? 1) - 1;
    if (refs > 0) {
      this.endpointRefs.set(endpoint, refs);
      return false;
    }
    this.endpointRefs.delete(endpoint);
    return true;
  }

  get(key: string): TargetState | undefined {
    return this.byKey.get(key);
  }

  get size(): number {
    return this.byKey.size;
  }
}

/** endpointOf: one pod at one address, whatever upstream it sits in. */
export function endpointOf(t: TargetState): string {
  return t.identity + '\u0000' + t.address;
}
