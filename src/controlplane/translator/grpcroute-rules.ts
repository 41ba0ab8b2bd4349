import type { GatewayApiPrecedence, RouteConfig, RouteProtocol } from '../../config/types.js';
import type { KubeObject } from '../types.js';
import type { BackendGroup, ResolvedBackend } from './backends.js';
import { translateFilters } from './filters.js';
import { headerFields } from './httproute-matches.js';
import { attachVariant, precedenceTies, resolveBackend, unresolvedShare, type RefProblem, type RuleResult, type RuleScope } from './httproute-rules.js';
import { escapeRegex, exactPaths } from './paths.js';
import type { Reader } from './reader.js';
import { defaultSessionName, sessionFields } from './session.js';
import { regexProblem } from './syntax.js';

/** GRPCRoute filters berth applies (apis/v1/grpcroute_types.go GRPCRouteFilterType; mirrors are HTTP/1.1 only). */
const FILTERS = new Set(['RequestHeaderModifier', 'ResponseHeaderModifier']);
/** A gRPC service or method name (grpcroute_types.go GRPCMethodMatch validation). */
const SERVICE_NAME = /^(?:[A-Za-z_][A-Za-z_0-9]*\.)*[A-Za-z_][A-Za-z_0-9]*$/;
const METHOD_NAME = /^[A-Za-z_][A-Za-z_0-9]*$/;

/**
 * methodPaths: a GRPCMethodMatch as Kong paths on `/<service>/<method>` (PROTOCOL-HTTP2.md's
 * `:path`). Exact with both names is one exact path, a service alone its prefix, a method alone
 * a regex on the last segment; RegularExpression puts each given pattern in its segment.
 */
export function methodPaths(method: any): { paths: string[]; exact: boolean } | string {
  if (method === undefined || method === null) return { paths: ['/'], exact: false };
  const type = method.type ?? 'Exact';
  const service: unknown = method.service;
  const name: unknown = method.method;
  if (service === undefined && name === undefined) return 'a method match needs service or method';
  if (type === 'Exact') {
    if (service !== undefined && (typeof service !== 'string' || !SERVICE_NAME.test(service))) return `service ${JSON.stringify(service)} is not a gRPC service name`;
    if (name !== undefined && (typeof name !== 'string' || !METHOD_NAME.test(name))) return `method ${JSON.stringify(name)} is not a gRPC method name`;
    if (service !== undefined && name !== undefined) return { paths: exactPaths(`/${service}/${name}`), exact: true };
    if (service !== undefined) return { paths: [`/${service}/`], exact: false };
    return { paths: [`~/[^/]+/${escapeRegex(name as string)}$`], exact: false };
  }
  if (type !== 'RegularExpression') return `method match type ${type} is not supported`;
  for (const part of [service, name]) {
    if (part === undefined) continue;
    if (typeof part !== 'string') return 'a RegularExpression method match needs string patterns';
    const problem = regexProblem(part);
    if (problem !== undefined) return problem;
  }
  return { paths: [`~/(?:${(service as string | undefined) ?? '[^/]+'})/(?:${(name as string | undefined) ?? '[^/]+'})$`], exact: false };
}

const GRPC_PROTOCOL: Record<'http' | 'https', RouteProtocol> = { http: 'grpc', https: 'grpcs' };

/**
 * precedenceOf: what the router needs to order this match by GRPCRoute precedence (the
 * characters of the service, then of the method, that the match names; router/gateway-api-order.ts).
 */
function precedenceOf(route: KubeObject, rule: number, match: number, m: any): GatewayApiPrecedence {
  const named = (v: unknown): string => (typeof v === 'string' ? v : '');
  return { grpc_service: named(m?.method?.service), grpc_method: named(m?.method?.method), ...precedenceTies(route, rule, match) };
}

function routeTags(route: KubeObject): string[] {
  return [`k8s-namespace:${route.metadata.namespace ?? ''}`, `k8s-name:${route.metadata.name}`, 'k8s-kind:GRPCRoute'];
}

function buildRoutes(scope: RuleScope, index: number, rule: any, matches: any[]): RouteConfig[] | string {
  const { route } = scope;
  const filters: any[] = Array.isArray(rule?.filters) ? rule.filters : [];
  const bad = filters.find((f) => !FILTERS.has(f?.type));
  if (bad !== undefined) return `filter ${String(bad?.type)} is not supported on GRPCRoute`;
  const plugins = translateFilters(filters, { prefix: undefined });
  if (!plugins.ok) return plugins.problem;
  const routes: RouteConfig[] = [];
  for (const [j, m] of matches.entries()) {
    const paths = methodPaths(m?.method);
    if (typeof paths === 'string') return `match ${j}: ${paths}`;
    const headers = Array.isArray(m?.headers) && m.headers.length > 0 ? headerFields(m.headers) : undefined;
    if (typeof headers === 'string') return `match ${j}: ${headers}`;
    for (const [k, v] of scope.variants.entries()) {
      const r: RouteConfig = { name: `grpcroute.${route.metadata.namespace}.${route.metadata.name}.${index}.${j}${v.suffix}`, protocols: v.protocols.map((p) => GRPC_PROTOCOL[p]) };
      attachVariant(r, v);
      r.paths = [...paths.paths];
      // Kong's order decides only against Kong-native routes: there an exact method outranks a
      // service prefix or a regex too.
      if (paths.exact) r.regex_priority = 1;
      if (headers !== undefined) r.headers = structuredClone(headers);
      Object.assign(r, { strip_path: false, preserve_host: true, gateway_api_precedence: precedenceOf(route, index, j, m), tags: routeTags(route) });
      if (plugins.plugins.length > 0) r.plugins = k === 0 ? plugins.plugins : structuredClone(plugins.plugins);
      routes.push(r);
    }
  }
  return routes;
}

function groupName(route: KubeObject, rule: number): string {
  return `grpcroute.${route.metadata.namespace ?? ''}.${route.metadata.name}.${rule}`;
}

/**
 * translateGRPCRule turns one GRPCRoute rule into Kong routes (one per match and listener
 * variant) and the backend group they send to, reached over h2c (Kong `protocol: grpc`, or what
 * the Service's konghq.com/protocol annotation says). Unresolved backendRefs keep their weight
 * (answered with gRPC UNAVAILABLE); a rule asking for what berth cannot do fails with the reason.
 */
export function translateGRPCRule(reader: Reader, scope: RuleScope, index: number, rule: any): RuleResult {
  const refs: any[] = Array.isArray(rule?.backendRefs) ? rule.backendRefs : [];
  const backends: ResolvedBackend[] = [];
  const refProblems: RefProblem[] = [];
  let unresolved = 0;
  for (const ref of refs) {
    const b = resolveBackend(reader, scope.route, ref, 'GRPCRoute');
    if ('reason' in b) {
      refProblems.push(b);
      unresolved += unresolvedShare(ref);
    } else backends.push(b);
  }
  if (backends.length === 0) unresolved = Math.max(1, unresolved);
  const fail = (problem: string): RuleResult => ({ ok: false, problem: `rule ${index}: ${problem}`, refProblems });
  if (refs.some((r) => Array.isArray(r?.filters) && r.filters.length > 0)) return fail('backendRef filters are not supported on GRPCRoute');
  const badWeight = refs.find((r) => r?.weight !== undefined && !(Number.isInteger(r.weight) && r.weight >= 0 && r.weight <= 1_000_000));
  if (badWeight !== undefined) return fail(`backendRef weight ${JSON.stringify(badWeight.weight)} must be an integer 0..1000000`);
  const matches: any[] = Array.isArray(rule?.matches) && rule.matches.length > 0 ? rule.matches : [{}];
  const { route } = scope;
  const sp = sessionFields(rule?.sessionPersistence, '/', defaultSessionName(route.metadata.namespace ?? '', route.metadata.name, index));
  if (!sp.ok) return fail(sp.problem);
  const routes = buildRoutes(scope, index, rule, matches);
  if (typeof routes === 'string') return fail(routes);
  const group: BackendGroup = { name: groupName(route, index), backends, drainSupport: scope.drainSupport, protocol: 'grpc' };
  if (sp.fields !== undefined) group.overrides = sp.fields;
  if (unresolved > 0) group.unresolvedWeight = unresolved;
  return { ok: true, routes, group, mirrors: [], refProblems };
}
