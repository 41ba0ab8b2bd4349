import type { RouteEntry } from './entry.js';
import { firstSegment } from './paths.js';
import type { SegmentIndex } from './segment-index.js';
import type { RouteMatch, RouteRequest, Router } from './types.js';

const NONE: readonly RouteEntry[] = [];
const MAX = Number.MAX_SAFE_INTEGER;

/**
 * IndexedRouter: entries bucketed by exact host, plus wildcard-host and host-less buckets, each
 * indexed by first path segment (SegmentIndex) and sorted by rank. `match` walks the three
 * candidate lists in merged rank order, so it only looks at entries that can match the host and
 * the path's first segment, and a regex runs only after its literal prefix matched.
 */
export class IndexedRouter implements Router {
  constructor(
    private readonly byHost: ReadonlyMap<string, SegmentIndex>,
    private readonly wildcard: SegmentIndex,
    private readonly hostless: SegmentIndex,
  ) {}

  /** match: hot path, allocation-free until a route matches. */
  match(req: RouteRequest): RouteMatch | null {
    const segment = firstSegment(req.path);
    const exact = this.byHost.get(req.host)?.listFor(segment) ?? NONE;
    const wild = req.host === '' ? NONE : this.wildcard.listFor(segment);
    const any = this.hostless.listFor(segment);
    let i = 0;
    let j = 0;
    let k = 0;
    for (;;) {
      const ri = i < exact.length ? exact[i]!.rank : MAX;
      const rj = j < wild.length ? wild[j]!.rank : MAX;
      const rk = k < any.length ? any[k]!.rank : MAX;
      let m: RouteMatch | null;
      if (ri === MAX && rj === MAX && rk === MAX) return null;
      if (ri <= rj && ri <= rk) m = exact[i++]!.match(req, true);
      else if (rj <= rk) m = wild[j++]!.match(req, false);
      else m = any[k++]!.match(req, true);
      if (m !== null) return m;
    }
  }
}
