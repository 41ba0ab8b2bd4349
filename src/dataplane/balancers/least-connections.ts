import type { TargetState } from '../targets/target.js';
import type { Balancer } from './balancer.js';
import { LowestCost } from './lowest-cost.js';

/**
 * LeastConnectionsBalancer: the target with the fewest in-flight requests per weight, counting
 * the new request ((inFlight + 1) / weight, so an idle heavier target goes first). A heap would
 * need a hook on every request end; the scan in LowestCost is cheap for an upstream's size.
 */
export class LeastConnectionsBalancer extends LowestCost implements Balancer {
  protected cheaper(a: TargetState, b: TargetState): boolean {
    return (a.inFlight + 1) * b.weight < (b.inFlight + 1) * a.weight;
  }
}

LeastConnectionsBalancer satisfies new () => Balancer;
