import type { RouteEntry } from './entry.js';

const PATH_KIND = { Exact: 3, RegularExpression: 2, PathPrefix: 1 } as const;

/**
 * gatewayApiKey: the sort key (larger first) of a Gateway API route's entry. After hostname
 * specificity (exact host, then the longest wildcard; apis/v1/httproute_types.go
 * HTTPRouteSpec.Hostnames), an HTTPRoute match goes by HTTPRouteRule precedence: an Exact path, a
 * RegularExpression path (implementation-specific: Envoy Gateway's place for it), the longest
 * PathPrefix, a method match, the most header matches, the most query param matches. A GRPCRoute
 * match goes by GRPCRouteRule precedence (apis/v1/grpcroute_types.go): the most characters of a
 * matching service, then of a method, then the most header matches. The two kinds are not merged
 * (the same file): at equal hostnames a GRPCRoute's entries come first.
 */
export function gatewayApiKey(e: RouteEntry): number[] {
  const p = e.route.gateway_api_precedence!;
  const hostClass = e.hasWildcardHost ? 1 : e.exactHosts.length > 0 ? 2 : 0;
  let wildcard = 0;
  for (const s of e.hostSuffixes) wildcard = Math.max(wildcard, s.length);
  for (const s of e.hostPrefixes) wildcard = Math.max(wildcard, s.length);
  const headers = Object.keys(e.route.headers ?? {}).length;
  if ('grpc_service' in p) return [hostClass, wildcard, 1, p.grpc_service.length, p.grpc_method.length, 0, headers, 0];
  // A trailing slash does not change what a PathPrefix matches ("/abc/" is "/abc").
  const pathLength = p.path_type === 'PathPrefix' ? p.path.replace(/\/+$/, '').length : p.path.length;
  return [
    hostClass, wildcard, 0, PATH_KIND[p.path_type], pathLength,
    e.methods !== null ? 1 : 0,
    headers,
    Object.keys(e.route.query_params ?? {}).length,
  ];
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
