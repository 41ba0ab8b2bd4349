import type { GatewayApiPrecedence, GrpcRoutePrecedence, HttpRoutePrecedence } from '../types.js';
import type { Scope } from './scope.js';

const PATH_TYPES = ['Exact', 'PathPrefix', 'RegularExpression'] as const;
/** RFC 3339 date-time as Kubernetes writes metadata.creationTimestamp. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** isRfc3339: a timestamp `gateway_api_precedence.creation_timestamp` accepts. */
export function isRfc3339(value: unknown): value is string {
  return typeof value === 'string' && RFC3339.test(value) && !Number.isNaN(Date.parse(value));
}

/**
 * validatePrecedence checks a route's berth `gateway_api_precedence` (see config/types.ts): the
 * ties, and either an HTTPRoute path (path_type, path) or a GRPCRoute method (grpc_service,
 * grpc_method), never both.
 */
export function validatePrecedence(route: Scope): GatewayApiPrecedence | undefined {
  const s = route.child('gateway_api_precedence');
  if (s === undefined) return undefined;
  s.unknown(['path_type', 'path', 'grpc_service', 'grpc_method', 'creation_timestamp', 'route', 'rule', 'match']);
  const created = s.str('creation_timestamp', true);
  const name = s.str('route', true);
  const rule = s.int('rule', 0, 2147483647);
  const match = s.int('match', 0, 2147483647);
  if (created !== undefined && !isRfc3339(created)) s.err('creation_timestamp', 'expected an RFC 3339 date-time');
  if (rule === undefined && !s.has('rule')) s.err('rule', 'required field missing');
  if (match === undefined && !s.has('match')) s.err('match', 'required field missing');
  const grpc = s.has('grpc_service') || s.has('grpc_method');
  const matched = grpc ? grpcMethod(s) : httpPath(s);
  if (matched === undefined || created === undefined || name === undefined || rule === undefined || match === undefined) return undefined;
  return { ...matched, creation_timestamp: created, route: name, rule, match };
}

function httpPath(s: Scope): Pick<HttpRoutePrecedence, 'path_type' | 'path'> | undefined {
  const pathType = s.oneOf('path_type', PATH_TYPES);
  // An empty RegularExpression is a valid HTTPRoute path match (it matches every path).
  const path = s.str('path', true, pathType === 'RegularExpression');
  if (pathType === undefined && !s.has('path_type')) s.err('path_type', 'required field missing');
  return pathType === undefined || path === undefined ? undefined : { path_type: pathType, path };
}

function grpcMethod(s: Scope): Pick<GrpcRoutePrecedence, 'grpc_service' | 'grpc_method'> | undefined {
  for (const key of ['path_type', 'path']) if (s.has(key)) s.err(key, 'a GRPCRoute precedence has grpc_service and grpc_method, no path');
  const service = s.str('grpc_service', true, true);
  const method = s.str('grpc_method', true, true);
  return service === undefined || method === undefined ? undefined : { grpc_service: service, grpc_method: method };
}
