import type { RouteEntry } from './entry.js';

/** MAX_INDEXED: above this many precomputed list slots an index keeps one list (bounded memory). */
const MAX_INDEXED = 200_000;

/**
 * SegmentIndex: the entries of one host bucket (sorted by rank), indexed by the first path
 * segment their path fixes. Each segment's list is precomputed as the merge of that segment's
 * entries with the entries that fix no segment, so a lookup is one Map get and the router then
 * only tries routes that can match the path's first segment.
 */
export class SegmentIndex {
  private readonly bySegment = new Map<string, readonly RouteEntry[]>();
  private readonly unkeyed: readonly RouteEntry[];

  constructor(entries: readonly RouteEntry[]) {
    const keyed = new Map<string, RouteEntry[]>();
    const unkeyed: RouteEntry[] = [];
    for (const e of entries) {
      if (e.segmentKey === null) unkeyed.push(e);
      else if (keyed.has(e.segmentKey)) keyed.get(e.segmentKey)!.push(e);
      else keyed.set(e.segmentKey, [e]);
    }
    if (keyed.size * unkeyed.length > MAX_INDEXED) {
      this.unkeyed = entries;
      return;
    }
    this.unkeyed = unkeyed;
    for (const [segment, list] of keyed) this.bySegment.set(segment, mergeByRank(list, unkeyed));
  }

  /** listFor: hot path; the candidates for a path whose first segment is `segment`. */
  listFor(segment: string): readonly RouteEntry[] {
    if (this.bySegment.size === 0) return this.unkeyed;
    return this.bySegment.get(segment) ?? this.unkeyed;
  }

  get size(): number {
    return this.unkeyed.length + this.bySegment.size;
  }
}

function mergeByRank(a: readonly RouteEntry[], b: readonly RouteEntry[]): RouteEntry[] {
  const out: RouteEntry[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]!.rank < b[j]!.rank)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}
