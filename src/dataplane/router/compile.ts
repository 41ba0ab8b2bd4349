import type { GatewayConfig } from '../../config/types.js';
import { RouteEntry } from './entry.js';
import { IndexedRouter } from './match.js';
import { SegmentIndex } from './segment-index.js';
import { compareGatewayApi } from './gateway-api-order.js';
import type { RouteMatch, RouteRequest, Router } from './types.js';

/**
 * compileRouter turns a validated, normalized config into a Router. Priority follows Kong's
 * `traditional_compatible` router (kong/router/transform.lua), highest first:
 *   1. number of matcher kinds the route sets (methods, hosts, headers, paths, query_params);
 *   2. only plain hosts (no wildcard) before routes with a wildcard host;
 *   3. number of headers;
 *   4. regex paths before prefix paths; regexes by regex_priority;
 *   5. prefix paths by length (the longest prefix wins);
 *   6. config order.
 * Routes carrying `gateway_api_precedence` (from HTTPRoutes and GRPCRoutes) are ordered by Gateway API's rules
 * instead (gateway-api-order.ts) and matched as their own family (FamilyRouter).
 * A prefix path is a plain string prefix, as in Kong: `/echo` also matches `/echoes`. (The
 * translator emits `~/echo$` plus `/echo/` for an HTTPRoute PathPrefix `/echo`, as KIC does.)
 */
export function compileRouter(config: GatewayConfig): Router {
  const entries = compileEntries(config);
  const gatewayApi: RouteEntry[] = [];
  const kong: RouteEntry[] = [];
  for (const e of entries) (e.route.gateway_api_precedence !== undefined ? gatewayApi : kong).push(e);
  if (gatewayApi.length === 0) return indexRouter(kong);
  gatewayApi.sort(compareGatewayApi);
  gatewayApi.forEach((e, i) => (e.rank = i));
  kong.forEach((e, i) => (e.rank = i));
  if (kong.length === 0) return indexRouter(gatewayApi);
  return new FamilyRouter(indexRouter(gatewayApi), indexRouter(kong));
}

/** indexRouter buckets entries (sorted by rank) by exact host, wildcard host and no host. */
function indexRouter(entries: RouteEntry[]): IndexedRouter {
  const byHost = new Map<string, RouteEntry[]>();
  const wildcard: RouteEntry[] = [];
  const hostless: RouteEntry[] = [];
  for (const e of entries) {
    for (const host of new Set(e.exactHosts)) {
      const bucket = byHost.get(host);
      if (bucket) bucket.push(e);
      else byHost.set(host, [e]);
    }
    if (e.hasWildcardHost) wildcard.push(e);
    if (e.exactHosts.length === 0 && !e.hasWildcardHost) hostless.push(e);
  }
  const indexed = new Map([...byHost].map(([host, list]) => [host, new SegmentIndex(list)]));
  return new IndexedRouter(indexed, new SegmentIndex(wildcard), new SegmentIndex(hostless));
}

/**
 * FamilyRouter: HTTPRoute- and GRPCRoute-derived routes follow Gateway API precedence among themselves, Kong's
 * and Ingress routes Kong's. Each family finds its best match; when both match, Kong's order
 * decides between the two (`kongRank`), as it did before the families were told apart.
 */
class FamilyRouter implements Router {
  constructor(
    private readonly gatewayApi: Router,
    private readonly kong: Router,
  ) {}

  match(req: RouteRequest): RouteMatch | null {
    const g = this.gatewayApi.match(req);
    const k = this.kong.match(req);
    if (g === null) return k;
    if (k === null) return g;
    return g.kongRank < k.kongRank ? g : k;
  }
}

/** compileEntries: every (route, path) pair of the config, in priority order (rank set). */
export function compileEntries(config: GatewayConfig): RouteEntry[] {
  const entries: RouteEntry[] = [];
  for (const service of config.services ?? []) {
    if (service.enabled === false) continue;
    for (const route of service.routes ?? []) {
      const paths = route.paths?.length ? route.paths : [undefined];
      for (const path of paths) entries.push(new RouteEntry(route, service, path, entries.length));
    }
  }
  entries.sort(compareEntries);
  entries.forEach((e, i) => (e.rank = e.kongRank = i));
  return entries;
}

/** priorityKey: the sort key of an entry, compared element by element, larger first. */
export function priorityKey(e: RouteEntry): number[] {
  const r = e.route;
  const kinds = [r.methods, r.hosts, r.paths].filter((v) => v !== undefined && v.length > 0).length +
    (Object.keys(r.headers ?? {}).length > 0 ? 1 : 0) + (Object.keys(r.query_params ?? {}).length > 0 ? 1 : 0);
  const plainHosts = (r.hosts?.length ?? 0) > 0 && !e.hasWildcardHost ? 1 : 0;
  const isRegex = e.regex !== null ? 1 : 0;
  return [kinds, plainHosts, Object.keys(r.headers ?? {}).length, isRegex, isRegex ? r.regex_priority ?? 0 : 0, e.prefix?.length ?? 0];
}

function compareEntries(a: RouteEntry, b: RouteEntry): number {
  const ka = priorityKey(a);
  const kb = priorityKey(b);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return kb[i]! - ka[i]!;
  return a.order - b.order;
}
