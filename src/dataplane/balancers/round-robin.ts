import type { TargetState } from '../targets/target.js';
import type { Balancer, PickRequest } from './balancer.js';
import { membershipKey, usable } from './usable.js';

/** MAX_WHEEL bounds the precomputed sequence; larger weight sums are scaled down to fit. */
const MAX_WHEEL = 10000;

/**
 * RoundRobinBalancer: weighted round-robin, evenly interleaved. `update` precomputes one cycle
 * of nginx's smooth weighted round-robin (weights 3:1 give A A B A), so `pick` is a step along
 * an array. A new target list that keeps the next target continues from it, so reloads do not
 * send everyone back to the first target (haproxy/haproxy#1282).
 */
export class RoundRobinBalancer implements Balancer {
  private wheel: TargetState[] = [];
  private pos = 0;
  private key = '';

  update(targets: readonly TargetState[]): void {
    const live = targets.filter((t) => t.servesNew);
    const key = membershipKey(live);
    if (key === this.key) return;
    const next = this.wheel[this.pos];
    this.key = key;
    this.wheel = smoothWheel(live);
    const at = next === undefined ? -1 : this.wheel.indexOf(next);
    this.pos = at >= 0 ? at : this.wheel.length === 0 ? 0 : this.pos % this.wheel.length;
  }

  /** pick: hot path; one step unless the next targets went down or were excluded. */
  pick(_req: PickRequest | undefined, exclude?: ReadonlySet<TargetState>): TargetState | null {
    const wheel = this.wheel;
    const n = wheel.length;
    for (let i = 0; i < n; i++) {
      const t = wheel[this.pos]!;
      this.pos = this.pos + 1 === n ? 0 : this.pos + 1;
      if (usable(t, exclude)) return t;
    }
    return null;
  }
}

/** smoothWheel: one full cycle of smooth weighted round-robin over weights reduced by their gcd. */
export function smoothWheel(targets: readonly TargetState[]): TargetState[] {
  const weights = reducedWeights(targets.map((t) => t.weight));
  const total = weights.reduce((a, b) => a + b, 0);
  const current = new Array<number>(weights.length).fill(0);
  const wheel: TargetState[] = [];
  for (let step = 0; step < total; step++) {
    let best = 0;
    for (let i = 0; i < weights.length; i++) {
      current[i]! += weights[i]!;
      if (current[i]! > current[best]!) best = i;
    }
    current[best]! -= total;
    wheel.push(targets[best]!);
  }
  return wheel;
}

function reducedWeights(weights: number[]): number[] {
  const g = weights.reduce((a, b) => gcd(a, b), 0) || 1;
  let reduced = weights.map((w) => w / g);
  const total = reduced.reduce((a, b) => a + b, 0);
  if (total > MAX_WHEEL) reduced = reduced.map((w) => Math.max(1, Math.floor((w * MAX_WHEEL) / total)));
  return reduced;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

RoundRobinBalancer satisfies new () => Balancer;
