import type { RouteEntry } from './entry.js';

const PATH_KIND = { Exact: 3, RegularExpression: 2, PathPrefix: 1 } as const;

/**
 * gatewayApiKey: the sort key (larger first) of a Gateway API route's entry. After hostname
 * specificity (exact host, then the longest wildcard; apis/v1/httproute_types.go
 * HTTPRouteSpec.Hostnames), an HTTPRoute match goes by HTTPRouteRule precedence: an Exact path, a
 * RegularExpression path (implementation-specific: Envoy Gateway's place for it), the longest
 * PathPrefix, a method match, the most header matches, the most query param matches. A GRPCRoute
 * match is ranked on the same scale as the path it stands for (grpcKind), which keeps GRPCRoute
 * precedence among GRPCRoutes (apis/v1/grpcroute_types.go: the most characters of a matching
 * service, then of a method, then the most header matches) and lets a longer HTTPRoute path beat
 * a GRPCRoute that matches everything where routes of both kinds meet (a socket several Gateways
 * share; on one listener the translator keeps only one kind, route-kind-conflicts.ts).
 */
export function gatewayApiKey(e: RouteEntry): number[] {
  const p = e.route.gateway_api_precedence!;
  const hostClass = e.hasWildcardHost ? 1 : e.exactHosts.length > 0 ? 2 : 0;
  let wildcard = 0;
  for (const s of e.hostSuffixes) wildcard = Math.max(wildcard, s.length);
  for (const s of e.hostPrefixes) wildcard = Math.max(wildcard, s.length);
  const headers = Object.keys(e.route.headers ?? {}).length;
  if ('grpc_service' in p) return [hostClass, wildcard, ...grpcKind(p.grpc_service, p.grpc_method), 0, headers, 0];
  // A trailing slash does not change what a PathPrefix matches ("/abc/" is "/abc").
  const pathLength = p.path_type === 'PathPrefix' ? p.path.replace(/\/+$/, '').length : p.path.length;
  return [
    hostClass, wildcard, PATH_KIND[p.path_type], pathLength,
    e.methods !== null ? 1 : 0,
    headers,
    Object.keys(e.route.query_params ?? {}).length,
  ];
}

/**
 * grpcKind: a GRPCRoute method match as [path kind, length] of the `/service/method` path it
 * matches: both names, an exact path; a service alone, above any method-only match (more service
 * characters); a method alone, or nothing (every path, as PathPrefix `/`), at the bottom.
 */
function grpcKind(service: string, method: string): [number, number] {
  if (service !== '' && method !== '') return [PATH_KIND.Exact, service.length + method.length + 2];
  if (service !== '') return [PATH_KIND.RegularExpression, service.length + 2];
  return [PATH_KIND.PathPrefix, method.length + 1];
}

/**
 * compareGatewayApi orders two Gateway API routes' entries: by gatewayApiKey, then the oldest
 * route (creationTimestamp), then "namespace/name" alphabetically, then rule and match order
 * within the route, then config order (the entries of one match: its `~/p$` and `/p/` paths).
 */
export function compareGatewayApi(a: RouteEntry, b: RouteEntry): number {
  const ka = gatewayApiKey(a);
  const kb = gatewayApiKey(b);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return kb[i]! - ka[i]!;
  const pa = a.route.gateway_api_precedence!;
  const pb = b.route.gateway_api_precedence!;
  const age = Date.parse(pa.creation_timestamp) - Date.parse(pb.creation_timestamp);
  if (age !== 0) return age;
  if (pa.route !== pb.route) return pa.route < pb.route ? -1 : 1;
  if (pa.rule !== pb.rule) return pa.rule - pb.rule;
  if (pa.match !== pb.match) return pa.match - pb.match;
  return a.order - b.order;
}
