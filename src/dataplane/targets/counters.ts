import type { TargetState } from './target.js';

/**
 * TargetCounters: one target's live counters in one process, as `GET /upstreams/{u}/health`
 * shows them. With --workers each worker has its own; the primary sums them (mergeCounters).
 */
export interface TargetCounters {
  inFlight: number;
  openConnections: number;
  stickyLast60s: number;
  /** Epoch ms; 0 = never. */
  lastStickyAt: number;
  /** Sticky requests per second over the last 60 s, oldest first (the dashboard's sparkline). */
  stickyPerSecond: number[];
}

/** countersOf reads a target's counters in this process. */
export function countersOf(t: TargetState, openConnections: number, now: number): TargetCounters {
  return {
    inFlight: t.inFlight,
    openConnections,
    stickyLast60s: t.stickyRouted.count(now),
    lastStickyAt: t.lastStickyAt,
    stickyPerSecond: t.stickyRouted.history(now),
  };
}

/** mergeCounters adds `more` into `into` (sums; the latest sticky request wins). */
export function mergeCounters(into: TargetCounters, more: TargetCounters): void {
  into.inFlight += more.inFlight;
  into.openConnections += more.openConnections;
  into.stickyLast60s += more.stickyLast60s;
  into.lastStickyAt = Math.max(into.lastStickyAt, more.lastStickyAt);
  // Both windows end at the same second give or take the reply's travel; add them slot by slot.
  for (let i = 0; i < into.stickyPerSecond.length && i < more.stickyPerSecond.length; i++) into.stickyPerSecond[i]! += more.stickyPerSecond[i]!;
}
