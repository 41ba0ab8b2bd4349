import { BACKEND_TAG_PREFIX, type PluginConfig, type TargetConfig } from '../../config/types.js';
import { translateFilters } from './filters.js';

/**
 * BackendFilters: a rule's backendRef filters (HTTPBackendRef.filters). When every backendRef
 * carries the same list (always so with one backendRef) it runs after the rule's own filters for
 * every request; otherwise each backend's header modifiers run when one of its endpoints is picked.
 */
export type BackendFilters = { shared: unknown[] } | { perBackend: Record<string, PluginConfig[]> };

/** Per picked backend, only what cannot depend on the match or answer instead of the backend. */
const PER_BACKEND = ['RequestHeaderModifier', 'ResponseHeaderModifier'];

/** backendFilters reads the filters of `refs`; backends are named by their backendRef index. */
export function backendFilters(refs: readonly any[]): BackendFilters | string {
  const lists: any[][] = refs.map((r) => (Array.isArray(r?.filters) ? r.filters : []));
  const first = JSON.stringify(lists[0] ?? []);
  if (lists.every((l) => JSON.stringify(l) === first)) return { shared: lists[0] ?? [] };
  const perBackend: Record<string, PluginConfig[]> = {};
  for (const [i, list] of lists.entries()) {
    const other = list.find((f) => !PER_BACKEND.includes(f?.type));
    if (other !== undefined) return `backendRef ${i}: filter ${String(other?.type)} is only supported when every backendRef has the same filters`;
    const translated = translateFilters(list, { prefix: undefined });
    if (!translated.ok) return `backendRef ${i}: ${translated.problem}`;
    if (translated.plugins.length > 0) perBackend[String(i)] = translated.plugins;
  }
  return { perBackend };
}

/** tagBackend marks targets with the backend (backendRef index) whose plugins apply to them. */
export function tagBackend(targets: TargetConfig[], backend: string | undefined): TargetConfig[] {
  if (backend === undefined) return targets;
  return targets.map((t) => ({ ...t, tags: [...(t.tags ?? []), `${BACKEND_TAG_PREFIX}${backend}`] }));
}

/** sharedEndpoints: addresses two backends with different filters both reach (the first one's apply). */
export function sharedEndpoints(targets: readonly TargetConfig[]): string[] {
  const seen = new Map<string, string | undefined>();
  const shared = new Set<string>();
  for (const t of targets) {
    const backend = t.tags?.find((tag) => tag.startsWith(BACKEND_TAG_PREFIX));
    if (seen.has(t.target) && seen.get(t.target) !== backend) shared.add(t.target);
    else seen.set(t.target, backend);
  }
  return [...shared];
}
