import type { KubeObject } from '../types.js';
import { translateGRPCRule } from './grpcroute-rules.js';
import { translateRoute, type RouteContext } from './httproute.js';
import type { Reader } from './reader.js';
import type { UnitOutput } from './status.js';

/**
 * translateGRPCRoute is the unit of work for one GRPCRoute (gateway.networking.k8s.io/v1): the
 * same parents, listeners, statuses and backend groups as an HTTPRoute, with GRPCRoute rules
 * (method and header matches, header modifier filters, weighted backendRefs, sessionPersistence)
 * sent to h2c upstreams.
 */
export function translateGRPCRoute(reader: Reader, route: KubeObject, ctx: RouteContext): UnitOutput {
  return translateRoute(reader, route, ctx, 'GRPCRoute', translateGRPCRule);
}
