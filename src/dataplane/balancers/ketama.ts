import type { TargetState } from '../targets/target.js';
import { usable } from './usable.js';

/** POINTS_PER_TARGET: ketama's ring entries for a target of average weight. */
const POINTS_PER_TARGET = 160;

/**
 * hash32: FNV-1a over UTF-16 code units with murmur3's finalizer for avalanche; fast and
 * allocation-free, for request keys and ring points alike.
 */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * KetamaRing: sorted ring points, each owned by a target. A target's points hash its identity
 * and address, not its position in the list, so removing one target moves only the keys that
 * were on it (about 1/N of them). Points are scaled by weight and capped by `slots` in total.
 */
export class KetamaRing {
  private readonly points: Uint32Array;
  private readonly owners: TargetState[];

  constructor(targets: readonly TargetState[], slots: number) {
    const counts = pointCounts(targets.map((t) => t.weight), slots);
    const pairs: Array<[number, TargetState]> = [];
    targets.forEach((t, i) => {
      for (let p = 0; p < counts[i]!; p++) pairs.push([hash32(`${t.identity}\u0000${t.address}\u0000${p}`), t]);
    });
    pairs.sort((a, b) => a[0] - b[0] || (a[1].key < b[1].key ? -1 : 1));
    this.points = Uint32Array.from(pairs, (p) => p[0]);
    this.owners = pairs.map((p) => p[1]);
  }

  get size(): number {
    return this.points.length;
  }

  /** lookup: hot path. The first usable owner clockwise from `hash`, or null. */
  lookup(hash: number, exclude: ReadonlySet<TargetState> | undefined): TargetState | null {
    const n = this.points.length;
    if (n === 0) return null;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid]! < hash) lo = mid + 1;
      else hi = mid;
    }
    for (let i = 0; i < n; i++) {
      const t = this.owners[(lo + i) % n]!;
      if (usable(t, exclude)) return t;
    }
    return null;
  }
}

/** pointCounts: ~160 per average-weight target, scaled by weight, total at most `slots`. */
function pointCounts(weights: number[], slots: number): number[] {
  const live = weights.filter((w) => w > 0);
  if (live.length === 0) return weights.map(() => 0);
  const mean = live.reduce((a, b) => a + b, 0) / live.length;
  let counts = weights.map((w) => (w > 0 ? Math.max(1, Math.round((POINTS_PER_TARGET * w) / mean)) : 0));
  const total = counts.reduce((a, b) => a + b, 0);
  if (total > slots) counts = counts.map((c) => (c > 0 ? Math.max(1, Math.floor((c * slots) / total)) : 0));
  return counts;
}
