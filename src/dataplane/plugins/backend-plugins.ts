import { BACKEND_TAG_PREFIX, type ServiceConfig } from '../../config/types.js';
import { formatAddress, parseTargetAddress, targetIdentity } from '../../config/target-address.js';
import { TargetState } from '../targets/target.js';
import type { UpstreamRuntime } from '../upstreams.js';
import { compilePlugins, type RoutePlugins } from './index.js';

/** BackendPlugins: the plugins of the picked target's backend (HTTPRoute backendRef filters). */
export type BackendPlugins = ReadonlyMap<TargetState, RoutePlugins>;

/**
 * compileBackendPlugins maps each target of the service's upstream to its backend's compiled
 * plugins (service `backend_plugins`, target tag `berth.backend=`), once per config, so a try
 * finds them with one lookup; null when the service has none.
 */
export function compileBackendPlugins(service: ServiceConfig, upstream: UpstreamRuntime): BackendPlugins | null {
  const lists = service.backend_plugins;
  if (lists === undefined || Object.keys(lists).length === 0) return null;
  const compiled = new Map<string, RoutePlugins | null>();
  for (const [backend, plugins] of Object.entries(lists)) compiled.set(backend, compilePlugins({ name: backend, plugins }, { name: service.name, host: service.host }));
  const byKey = new Map(upstream.targets.map((t) => [t.key, t]));
  const out = new Map<TargetState, RoutePlugins>();
  for (const t of upstream.config.targets ?? []) {
    const plugins = compiled.get(backendOf(t.tags));
    if (plugins === undefined || plugins === null) continue;
    const { host, port } = parseTargetAddress(t.target);
    const state = byKey.get(TargetState.keyOf(upstream.name, targetIdentity(t), formatAddress(host, port)));
    if (state !== undefined) out.set(state, plugins);
  }
  return out.size === 0 ? null : out;
}

function backendOf(tags: readonly string[] | undefined): string {
  const tag = tags?.find((t) => t.startsWith(BACKEND_TAG_PREFIX));
  return tag === undefined ? '' : tag.slice(BACKEND_TAG_PREFIX.length);
}
