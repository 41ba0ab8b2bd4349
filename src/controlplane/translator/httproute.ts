import { ANY_LISTENER_HOSTNAME, type ListenerIsolation, type ServiceConfig } from '../../config/types.js';
import type { KubeObject } from '../types.js';
import { buildGroup, type BackendGroup } from './backends.js';
import type { GatewayWorld } from './gateway.js';
import { resolveParents, type ParentResult } from './httproute-parents.js';
import { translateRule, type RefProblem, type RuleResult, type RuleScope } from './httproute-rules.js';
import type { Reader } from './reader.js';
import { yieldToOtherKind, type RouteClaims } from './route-kind-conflicts.js';
import { ConditionFactory, TRANSLATION_FAILED, emptyOutput, refOf, warning, type Condition, type UnitOutput } from './status.js';

/** RouteContext: everything one HTTPRoute's translation reads besides the snapshot. */
export interface RouteContext {
  world: GatewayWorld;
  /** The listener attachments of each route kind, resolved once per translation. */
  claims: RouteClaims;
  controllerName: string;
  drainSupport: boolean;
  now: string;
}

interface RulesOutcome {
  programmed: number;
  problems: string[];
  refProblems: RefProblem[];
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function sameParentRef(a: any, b: Record<string, unknown>): boolean {
  return ['group', 'kind', 'namespace', 'name', 'sectionName', 'port'].every((k) => a?.[k] === b[k]);
}

function parentConditions(p: ParentResult, rules: RulesOutcome, f: ConditionFactory): Condition[] {
  const allInvalid = rules.programmed === 0 && rules.problems.length > 0;
  const conditions: Condition[] = [];
  if (!p.accepted) conditions.push(f.make('Accepted', false, p.reason, p.message));
  else if (allInvalid) conditions.push(f.make('Accepted', false, 'UnsupportedValue', rules.problems.join('; ')));
  else conditions.push(f.make('Accepted', true, 'Accepted'));
  if (p.accepted && !allInvalid && rules.problems.length > 0) {
    conditions.push(f.make('PartiallyInvalid', true, 'UnsupportedValue', `dropped: ${rules.problems.join('; ')}`));
  }
  const ref = rules.refProblems[0];
  conditions.push(ref === undefined
    ? f.make('ResolvedRefs', true, 'ResolvedRefs')
    : f.make('ResolvedRefs', false, ref.reason, rules.refProblems.map((r) => r.message).join('; ')));
  const programmed = p.accepted && rules.programmed > 0;
  conditions.push(programmed ? f.make('Programmed', true, 'Programmed') : f.make('Programmed', false, 'Pending', 'nothing of this route is in the configuration'));
  return conditions;
}

function routeStatus(route: KubeObject, parents: ParentResult[], rules: RulesOutcome, ctx: RouteContext): Record<string, unknown> {
  const previous: any[] = Array.isArray(route.status?.parents) ? route.status.parents : [];
  const others = previous.filter((p) => p?.controllerName !== ctx.controllerName);
  const ours = parents.map((p) => {
    const prev = previous.find((q) => q?.controllerName === ctx.controllerName && sameParentRef(q?.parentRef, p.parentRef));
    const f = new ConditionFactory(ctx.now, route.metadata.generation, prev?.conditions);
    return { parentRef: p.parentRef, controllerName: ctx.controllerName, conditions: parentConditions(p, rules, f) };
  });
  return { parents: [...others, ...ours] };
}

const hostsKey = (hosts: string[] | null): string => (hosts === null ? '*' : hosts.join(','));
const isolationKey = (i: ListenerIsolation | null): string => (i === null ? '' : `${i.served.join(',')}\0${i.other.join(',')}`);
const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

/**
 * takesFrom: a listener hostname `other` is more specific than `own` for some host `own` takes,
 * so such hosts are the other listener's: any hostname beats none (`*`), an exact name or a longer
 * wildcard beats the wildcard whose domain it is in, nothing beats an exact name.
 */
function takesFrom(other: string, own: string): boolean {
  if (own === ANY_LISTENER_HOSTNAME) return other !== ANY_LISTENER_HOSTNAME;
  if (!own.startsWith('*.')) return false;
  const suffix = own.slice(1);
  return other.length > suffix.length && other.endsWith(suffix) && other !== own;
}

/**
 * variantsOf: the Kong routes one match becomes, over all attached listeners. Hostnames are
 * merged per (protocol, listener port); listener ports and protocols that end up with the same
 * hostnames and the same listener isolation share one route, so a hostname one listener admits is
 * never served through another. A listener port where the Gateway has listeners the route is not
 * attached through isolates the route from the hosts those are more specific for.
 */
function variantsOf(accepted: ParentResult[]): RuleScope['variants'] {
  const perListener = new Map<string, { protocol: 'http' | 'https'; listener: string; hosts: string[] | null; served: Set<string>; peers: Set<string> }>();
  for (const r of accepted.flatMap((p) => p.reach)) {
    const key = `${r.protocol}\0${r.listener}`;
    const seen = perListener.get(key);
    const hosts = seen === undefined ? r.hosts : seen.hosts === null || r.hosts === null ? null : [...new Set([...seen.hosts, ...r.hosts])];
    const served = new Set([...(seen?.served ?? []), r.hostname]);
    const peers = new Set([...(seen?.peers ?? []), ...r.peers]);
    perListener.set(key, { protocol: r.protocol, listener: r.listener, hosts: hosts === null ? null : [...hosts].sort(), served, peers });
  }
  const byHosts = new Map<string, { protocols: Set<'http' | 'https'>; hosts: string[] | null; listeners: Set<string>; isolation: ListenerIsolation | null }>();
  for (const v of perListener.values()) {
    const other = sorted([...v.peers].filter((h) => !v.served.has(h) && [...v.served].some((own) => takesFrom(h, own))));
    const isolation = other.length === 0 ? null : { served: sorted(v.served), other };
    const key = `${hostsKey(v.hosts)}\0${isolationKey(isolation)}`;
    const group = byHosts.get(key) ?? { protocols: new Set(), hosts: v.hosts, listeners: new Set(), isolation };
    group.protocols.add(v.protocol);
    group.listeners.add(v.listener);
    byHosts.set(key, group);
  }
  const groups = [...byHosts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
  const protocolsOf = (g: { protocols: Set<'http' | 'https'> }) => (['http', 'https'] as const).filter((p) => g.protocols.has(p));
  // Two variants split by protocol keep the names they had before listener ports mattered.
  const byProtocol = groups.length === 2 && groups.every((g) => g.protocols.size === 1) && protocolsOf(groups[0]!)[0] !== protocolsOf(groups[1]!)[0];
  return groups.map((g, i) => ({
    protocols: protocolsOf(g),
    hosts: g.hosts,
    listeners: [...g.listeners].sort(),
    isolation: g.isolation,
    suffix: groups.length === 1 ? '' : byProtocol ? `.${protocolsOf(g)[0]}` : `.v${i}`,
  }));
}

function scopeOf(route: KubeObject, accepted: ParentResult[], drainSupport: boolean): RuleScope {
  return { route, variants: variantsOf(accepted), drainSupport };
}

/** RuleTranslator: one rule of a route kind to Kong routes and a backend group (HTTPRoute, GRPCRoute). */
export type RuleTranslator = (reader: Reader, scope: RuleScope, index: number, rule: any) => RuleResult;

/** addRules translates the rules and fills `out` with services (routes nested) and upstreams. */
function addRules(reader: Reader, scope: RuleScope, out: UnitOutput, translateRule: RuleTranslator): RulesOutcome {
  const rules: any[] = Array.isArray(scope.route.spec?.rules) ? scope.route.spec.rules : [];
  const outcome: RulesOutcome = { programmed: 0, problems: [], refProblems: [] };
  const services = new Map<string, ServiceConfig>();
  const groups: BackendGroup[] = [];
  const mirrors: BackendGroup[] = [];
  rules.forEach((rule, i) => {
    const r = translateRule(reader, scope, i, rule);
    outcome.refProblems.push(...r.refProblems);
    if (!r.ok) return void outcome.problems.push(r.problem);
    outcome.programmed++;
    let svc = services.get(r.group.name);
    if (svc === undefined) {
      groups.push(r.group);
      svc = { name: r.group.name, host: r.group.name, routes: [] };
      services.set(r.group.name, svc);
    }
    svc.routes!.push(...r.routes);
    mirrors.push(...r.mirrors);
  });
  for (const g of groups) {
    const built = buildGroup(reader, g);
    out.services.push({ ...built.service, routes: services.get(g.name)!.routes!.sort(byName) });
    out.upstreams.push(built.upstream);
    out.policyUses.push(...built.uses);
    out.events.push(...built.events);
  }
  // RequestMirror backends: an upstream each, no service (only the request-mirror plugin names them).
  for (const g of mirrors) {
    const built = buildGroup(reader, g);
    out.upstreams.push(built.upstream);
    out.policyUses.push(...built.uses);
    out.events.push(...built.events);
  }
  return outcome;
}

/** clearStaleParents drops our entries from a route no longer attached to our Gateways. */
function clearStaleParents(route: KubeObject, controllerName: string, out: UnitOutput): UnitOutput {
  const previous: any[] = Array.isArray(route.status?.parents) ? route.status.parents : [];
  if (previous.some((p) => p?.controllerName === controllerName)) {
    out.statuses.push({ ref: refOf(route), status: { parents: previous.filter((p) => p?.controllerName !== controllerName) } });
  }
  return out;
}

/**
 * translateHTTPRoute is the unit of work for one HTTPRoute: its parents among our Gateways, its
 * rules as services/routes/upstreams, its status and its events. A route none of whose parents
 * is ours yields nothing: another controller owns it.
 */
export function translateHTTPRoute(reader: Reader, route: KubeObject, ctx: RouteContext): UnitOutput {
  return translateRoute(reader, route, ctx, 'HTTPRoute', translateRule);
}

/** translateRoute: the unit of work of any route kind whose rules `translateRule` understands. */
export function translateRoute(reader: Reader, route: KubeObject, ctx: RouteContext, kind: 'HTTPRoute' | 'GRPCRoute', translateRule: RuleTranslator): UnitOutput {
  const out = emptyOutput();
  reader.get(kind, route.metadata.namespace, route.metadata.name);
  const resolved = resolveParents(reader, ctx.world, route, kind);
  if (resolved.length === 0) return clearStaleParents(route, ctx.controllerName, out);
  const parents = resolved.some((p) => p.accepted) ? yieldToOtherKind(reader, ctx.claims, route, kind, resolved) : resolved;
  const accepted = parents.filter((p) => p.accepted);
  let rules: RulesOutcome = { programmed: 0, problems: [], refProblems: [] };
  if (accepted.length > 0) rules = addRules(reader, scopeOf(route, accepted, ctx.drainSupport), out, translateRule);
  if (rules.programmed > 0) out.attachments.push(...accepted.flatMap((p) => p.attachments));
  for (const p of parents) if (!p.accepted) out.events.push(warning(route, TRANSLATION_FAILED, `parent ${String(p.parentRef.name)}: ${p.reason}: ${p.message}`));
  for (const problem of rules.problems) out.events.push(warning(route, TRANSLATION_FAILED, problem));
  for (const r of rules.refProblems) out.events.push(warning(route, TRANSLATION_FAILED, `${r.reason}: ${r.message}`));
  out.statuses.push({ ref: refOf(route), status: routeStatus(route, parents, rules, ctx) });
  return out;
}
