import type { RouteEntry } from './entry.js';
import type { RouteMatch, RouteRequest, Router } from './types.js';

const NONE: readonly RouteEntry[] = [];
const MAX = Number.MAX_SAFE_INTEGER;

/**
 * IndexedRouter: entries bucketed by exact host, plus one list of wildcard-host entries and one
 * of host-less entries, each sorted by rank. `match` walks the three lists in merged rank order,
 * so it only looks at entries that can match the host, and regexes run only after their literal
 * prefix matched.
 */
export class IndexedRouter implements Router {
  constructor(
    private readonly byHost: ReadonlyMap<string, readonly RouteEntry[]>,
    private readonly wildcard: readonly RouteEntry[],
    private readonly hostless: readonly RouteEntry[],
  ) {}

  /** match: hot path, allocation-free until a route matches. */
  match(req: RouteRequest): RouteMatch | null {
    const exact = this.byHost.get(req.host) ?? NONE;
    const wild = req.host === '' ? NONE : this.wildcard;
    const any = this.hostless;
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
