import { TargetState } from '../targets/target.js';
import type { Balancer, PickRequest } from './balancer.js';

/**
 * UNRESOLVED_BACKEND is what a pick returns for the share of an upstream's traffic that belongs
 * to Gateway API backendRefs that did not resolve: the proxy answers it with 500 and connects
 * nowhere (HTTPRoute spec, BackendRefs: "requests that would have been sent to an invalid
 * backend MUST receive a 500 status code"). It is never in a registry or a target list.
 */
export const UNRESOLVED_BACKEND = new TargetState('', 'berth.unresolved-backend', '0.0.0.0', 0, 0);

/**
 * UnresolvedShareBalancer answers `unresolvedWeight / (unresolvedWeight + live weight)` of the
 * first picks with UNRESOLVED_BACKEND and passes the rest to the upstream's own balancer. The
 * split is a deterministic spread (pick k is unresolved when floor((k+1)u/T) > floor(ku/T)), so
 * any window of T picks holds exactly u of them. Retries (a non-empty `exclude`) go to the inner
 * balancer: the share was decided on the first pick.
 */
export class UnresolvedShareBalancer implements Balancer {
  private live = 0;
  private turn = 0;

  constructor(
    private readonly inner: Balancer,
    private readonly unresolvedWeight: number,
  ) {}

  update(targets: readonly TargetState[]): void {
    let live = 0;
    for (const t of targets) if (t.healthy) live += t.weight;
    this.live = live;
    this.turn = 0;
    this.inner.update(targets);
  }

  pick(req: PickRequest, exclude?: ReadonlySet<TargetState>): TargetState | null {
    if (exclude !== undefined && exclude.size > 0) return this.inner.pick(req, exclude);
    const u = this.unresolvedWeight;
    const total = u + this.live;
    const k = this.turn;
    this.turn = k + 1 >= total ? 0 : k + 1;
    if (Math.floor(((k + 1) * u) / total) > Math.floor((k * u) / total)) return UNRESOLVED_BACKEND;
    return this.inner.pick(req, exclude);
  }

  done(target: TargetState, latencyMs: number): void {
    this.inner.done?.(target, latencyMs);
  }
}
