/**
 * sharedBackendFilters: the filters of a rule's backendRefs (HTTPBackendRef.filters), which berth
 * applies after the rule's own filters. berth applies them per rule, not per picked backend, so
 * every backendRef must carry the same list (a single backendRef always does); otherwise the
 * message says why the rule cannot be served.
 */
export function sharedBackendFilters(refs: readonly any[]): unknown[] | string {
  const lists = refs.map((r) => (Array.isArray(r?.filters) ? r.filters : []));
  if (lists.every((l) => l.length === 0)) return [];
  const first = JSON.stringify(lists[0]);
  if (lists.some((l) => JSON.stringify(l) !== first)) {
    return 'backendRefs with different filters are not supported (berth applies backendRef filters to the whole rule)';
  }
  return lists[0]!;
}
