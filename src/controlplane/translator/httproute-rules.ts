import type { GatewayApiPrecedence, ListenerIsolation, PrecedenceTies, RouteConfig } from '../../config/types.js';
import { isRfc3339 } from '../../config/validate/gateway-api.js';
import type { KubeObject } from '../types.js';
import { findServicePort, type BackendGroup, type ResolvedBackend } from './backends.js';
import { backendFilters } from './backend-filters.js';
import { translateFilters } from './filters.js';
import { MirrorGroups } from './mirror-groups.js';
import { matchFields } from './httproute-matches.js';
import type { Reader } from './reader.js';
import { referenceAllowed } from './refgrant.js';
import { ruleFields } from './rule-fields.js';
import { defaultSessionName, sessionFields } from './session.js';

const EPOCH = '1970-01-01T00:00:00Z';

/** RefProblem: a backendRef that did not resolve, with its Gateway API ResolvedRefs reason. */
export interface RefProblem {
  reason: 'BackendNotFound' | 'InvalidKind' | 'RefNotPermitted';
  message: string;
}

/** RuleScope: what every rule of one route shares. */
export interface RuleScope {
  route: KubeObject;
  /** One Kong route per match and variant; `suffix` tells variants apart in the route name. */
  variants: Array<{ protocols: Array<'http' | 'https'>; hosts: string[] | null; listeners: string[]; isolation: ListenerIsolation | null; suffix: string }>;
  drainSupport: boolean;
}

export type RuleResult =
  | { ok: true; routes: RouteConfig[]; group: BackendGroup; mirrors: BackendGroup[]; refProblems: RefProblem[] }
  | { ok: false; problem: string; refProblems: RefProblem[] };

export function resolveBackend(reader: Reader, route: KubeObject, ref: any, fromKind: 'HTTPRoute' | 'GRPCRoute' = 'HTTPRoute'): ResolvedBackend | RefProblem {
  const routeNs = route.metadata.namespace ?? '';
  const kind = ref?.kind ?? 'Service';
  if ((ref?.group ?? '') !== '' || kind !== 'Service') return { reason: 'InvalidKind', message: `backendRef kind ${ref?.group ?? ''}/${kind} is not supported` };
  const ns: string = ref.namespace ?? routeNs;
  const name = String(ref.name);
  const grant = { fromGroup: 'gateway.networking.k8s.io', fromKind, fromNamespace: routeNs, toGroup: '', toKind: 'Service', toNamespace: ns, toName: name };
  if (!referenceAllowed(reader, grant)) return { reason: 'RefNotPermitted', message: `Service ${ns}/${name} is not granted to this ${fromKind} by a ReferenceGrant` };
  const service = reader.get('Service', ns, name);
  if (service === undefined) return { reason: 'BackendNotFound', message: `Service ${ns}/${name} not found` };
  const port = typeof ref.port === 'number' ? findServicePort(service, { number: ref.port }) : undefined;
  if (port === undefined) return { reason: 'BackendNotFound', message: `Service ${ns}/${name} has no port ${ref.port ?? '(unset)'}` };
  return typeof ref.weight === 'number' ? { service, port, weight: ref.weight } : { service, port };
}

/** groupName names a rule's service after its backends, so rules with the same ones share it. */
function groupName(route: KubeObject, rule: number, backends: ResolvedBackend[], ruleScoped: boolean): string {
  const ns = route.metadata.namespace ?? '';
  if (ruleScoped || backends.length === 0) return `httproute.${ns}.${route.metadata.name}.${rule}`;
  const parts = backends.map((b) => {
    const base = `${b.service.metadata.namespace}.${b.service.metadata.name}.${b.port.port}`;
    return b.weight === undefined ? base : `${base}.${b.weight}`;
  });
  return `httproute.${ns}.svc.${parts.join('_')}`;
}

/** cookiePathFor: GEP-1619 scopes the cookie to the match's path when all matches share one. */
function cookiePathFor(matches: any[]): string {
  const paths = new Set(matches.map((m) => (m?.path?.type ?? 'PathPrefix') === 'RegularExpression' ? '/' : (m?.path?.value ?? '/')));
  return paths.size === 1 ? [...paths][0]! : '/';
}

/** stripPath: false unless the route carries `konghq.com/strip-path: "true"` (as KIC reads it). */
function stripPath(route: KubeObject): boolean {
  return route.metadata.annotations?.['konghq.com/strip-path'] === 'true';
}

function routeTags(route: KubeObject): string[] {
  return [`k8s-namespace:${route.metadata.namespace ?? ''}`, `k8s-name:${route.metadata.name}`, 'k8s-kind:HTTPRoute'];
}

/**
 * precedenceTies: what orders two Gateway API routes' matches that are otherwise equal: the
 * oldest route, its "namespace/name", then rule and match order.
 */
export function precedenceTies(route: KubeObject, rule: number, match: number): PrecedenceTies {
  const created = route.metadata.creationTimestamp;
  return {
    // A manifest without a timestamp (folder mode) sorts as the oldest; the name decides next.
    creation_timestamp: isRfc3339(created) ? created : EPOCH,
    route: `${route.metadata.namespace ?? ''}/${route.metadata.name}`,
    rule,
    match,
  };
}

/**
 * attachVariant: what one variant (RuleScope) makes of a route: its hostnames, the listeners it
 * is served through and its listener isolation, copies of the variant's own.
 */
export function attachVariant(r: RouteConfig, v: RuleScope['variants'][number]): void {
  if (v.hosts !== null) r.hosts = [...v.hosts];
  r.listeners = [...v.listeners];
  if (v.isolation !== null) r.listener_isolation = { served: [...v.isolation.served], other: [...v.isolation.other] };
}

/** precedenceOf: what the router needs to order this match by Gateway API precedence. */
function precedenceOf(route: KubeObject, rule: number, match: number, m: any): GatewayApiPrecedence {
  return {
    path_type: m?.path?.type ?? 'PathPrefix',
    path: typeof m?.path?.value === 'string' ? m.path.value : '/',
    ...precedenceTies(route, rule, match),
  };
}

function buildRoutes(scope: RuleScope, index: number, rule: any, matches: any[], mirrors: MirrorGroups): RouteConfig[] | string {
  const { route } = scope;
  const routes: RouteConfig[] = [];
  for (const [j, m] of matches.entries()) {
    const mf = matchFields(m);
    if (!mf.ok) return `match ${j}: ${mf.problem}`;
    const filters = translateFilters(rule.filters, { prefix: mf.prefix, mirrorUpstream: (ref) => mirrors.upstreamFor(ref) });
    if (!filters.ok) return filters.problem;
    scope.variants.forEach((v, k) => {
      // Variants after the first get copies: no object is shared between two routes.
      const own = <T>(x: T): T => (k === 0 ? x : structuredClone(x));
      const r: RouteConfig = { name: `httproute.${route.metadata.namespace}.${route.metadata.name}.${index}.${j}${v.suffix}`, protocols: [...v.protocols] };
      attachVariant(r, v);
      Object.assign(r, own(mf.fields), { strip_path: stripPath(route), preserve_host: true, gateway_api_precedence: precedenceOf(route, index, j, m), tags: routeTags(route) });
      if (filters.plugins.length > 0) r.plugins = own(filters.plugins);
      routes.push(r);
    });
  }
  return routes;
}

/**
 * translateRule turns one HTTPRoute rule into Kong routes (one per match) and the backend
 * group they send to. Unresolvable backendRefs are reported and keep their weight as the
 * upstream's `unresolved_weight` (answered 500); anything the rule asks for that berth cannot do
 * fails the rule with the reason.
 */
export function translateRule(reader: Reader, scope: RuleScope, index: number, rule: any): RuleResult {
  const refs: any[] = Array.isArray(rule?.backendRefs) ? rule.backendRefs : [];
  const byBackend = backendFilters(refs);
  const perBackend = typeof byBackend === 'object' && 'perBackend' in byBackend;
  const { backends, refProblems, unresolved } = resolveBackends(reader, scope.route, refs, perBackend);
  const fail = (problem: string): RuleResult => ({ ok: false, problem: `rule ${index}: ${problem}`, refProblems });
  if (typeof byBackend === 'string') return fail(byBackend);
  const badWeight = refs.find((r) => r?.weight !== undefined && !(Number.isInteger(r.weight) && r.weight >= 0 && r.weight <= 1_000_000));
  if (badWeight !== undefined) return fail(`backendRef weight ${JSON.stringify(badWeight.weight)} must be an integer 0..1000000`);
  const matches: any[] = Array.isArray(rule?.matches) && rule.matches.length > 0 ? rule.matches : [{}];
  const { route } = scope;
  const sp = sessionFields(rule?.sessionPersistence, cookiePathFor(matches), defaultSessionName(route.metadata.namespace ?? '', route.metadata.name, index));
  if (!sp.ok) return fail(sp.problem);
  const mirrors = new MirrorGroups(`httproute.${route.metadata.namespace ?? ''}.${route.metadata.name}.${index}`, scope.drainSupport, (ref) => {
    const b = resolveBackend(reader, route, ref);
    if (!('reason' in b)) return b;
    refProblems.push(b);
    return null;
  });
  // backendRef filters run after the rule's own (HTTPBackendRef.filters).
  const shared = 'shared' in byBackend ? byBackend.shared : [];
  const filters = shared.length === 0 ? rule.filters : [...(Array.isArray(rule.filters) ? rule.filters : []), ...shared];
  const routes = buildRoutes(scope, index, { ...rule, filters }, matches, mirrors);
  if (typeof routes === 'string') return fail(routes);
  const fields = ruleFields(rule);
  if (typeof fields === 'string') return fail(fields);
  // Session persistence, timeouts, retry and an unresolved share belong to the rule: it gets its own service.
  const ruleScoped = sp.fields !== undefined || fields !== undefined || unresolved > 0 || perBackend;
  const group: BackendGroup = { name: groupName(route, index, backends, ruleScoped), backends, drainSupport: scope.drainSupport };
  if (sp.fields !== undefined) group.overrides = sp.fields;
  if (fields !== undefined) group.ruleFields = fields;
  if (unresolved > 0) group.unresolvedWeight = unresolved;
  if ('perBackend' in byBackend) group.backendPlugins = byBackend.perBackend;
  return { ok: true, routes, group, mirrors: mirrors.groups, refProblems };
}

/**
 * resolveBackends: the rule's backendRefs that resolve (each its own backend when filters differ
 * per backendRef), the problems of the others and the weight they keep (answered 500). No backend
 * at all (none listed, or none resolved) answers every request with 500.
 */
function resolveBackends(reader: Reader, route: KubeObject, refs: any[], perBackend: boolean): { backends: ResolvedBackend[]; refProblems: RefProblem[]; unresolved: number } {
  const backends: ResolvedBackend[] = [];
  const refProblems: RefProblem[] = [];
  let unresolved = 0;
  for (const [i, ref] of refs.entries()) {
    const b = resolveBackend(reader, route, ref);
    if ('reason' in b) {
      refProblems.push(b);
      unresolved += unresolvedShare(ref);
    } else backends.push(perBackend ? { ...b, backend: String(i) } : b);
  }
  if (backends.length === 0) unresolved = Math.max(1, unresolved);
  return { backends, refProblems, unresolved };
}

/**
 * unresolvedShare: the target weight an unresolved backendRef keeps. A weighted ref keeps its
 * weight (a resolved one spreads the same total over its endpoints); an unweighted one counts
 * as one endpoint's default weight, 100.
 */
export function unresolvedShare(ref: any): number {
  const w = ref?.weight;
  return Number.isInteger(w) && w >= 0 && w <= 1_000_000 ? w : 100;
}
