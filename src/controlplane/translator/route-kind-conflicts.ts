import { listAllKey, type Snapshot } from '../snapshot.js';
import type { KubeObject } from '../types.js';
import type { GatewayWorld } from './gateway.js';
import { translateGRPCRule } from './grpcroute-rules.js';
import { intersect, resolveParents, type ParentResult } from './httproute-parents.js';
import { translateRule, type RuleResult, type RuleScope } from './httproute-rules.js';
import { Reader } from './reader.js';

export type RouteKind = 'HTTPRoute' | 'GRPCRoute';

/** A route's listener attachment: its hostnames there (null: any) and whose it is. */
interface Claim {
  hosts: string[] | null;
  age: Age;
  route: KubeObject;
  /** Accepted on this listener (decided oldest first; false until then). */
  kept: boolean;
}

/** What orders two routes of the two kinds (olderThan), computed once per route. */
interface Age {
  created: number;
  name: string;
  kind: RouteKind;
}

/** Where routes of both kinds meet on a listener, decided once per translation (RouteClaims.decided). */
export interface Decisions {
  /** By claimKey: the accepted route of the other kind a claim yields to. */
  lostTo: Map<string, Age>;
  /** claimKeys of the claims that meet one of the other kind with an intersecting hostname, won or lost. */
  contested: Set<string>;
  /** What resolving every route's parents read (each unit that asks depends on it). */
  deps: ReadonlySet<string>;
  /** deps, and every route of both kinds: what, when none of it changed, leaves the decisions as they are. */
  inputs: ReadonlySet<string>;
}

/**
 * RouteClaims: for one translation, which HTTPRoutes and GRPCRoutes yield to one another on a
 * listener (yieldToOtherKind), decided once over every route of both kinds, oldest first: each
 * route's unit asks about its own attachments. The last translation's decisions are taken again
 * when none of their inputs changed: a status write redoes its route's unit, and deciding anew
 * would resolve every route's parents for it.
 */
export class RouteClaims {
  private decisions: Decisions | undefined;

  constructor(
    private readonly snapshot: Snapshot,
    private readonly world: GatewayWorld,
    /** The last translation's decisions and the keys changed since (IncrementalTranslator). */
    private readonly previous?: Decisions,
    private readonly changed?: readonly string[],
  ) {}

  decided(): Decisions {
    return (this.decisions ??= this.unchanged() ?? this.decide());
  }

  /** What the next translation may take again: this one's decisions, or the last ones if still good. */
  carried(): Decisions | undefined {
    return this.decisions ?? this.unchanged();
  }

  private unchanged(): Decisions | undefined {
    const { previous, changed } = this;
    if (previous === undefined || changed === undefined || changed.some((key) => previous.inputs.has(key))) return undefined;
    return previous;
  }

  private decide(): Decisions {
    const reader = new Reader(this.snapshot);
    const byAttachment = new Map<string, Claim[]>();
    for (const kind of ['HTTPRoute', 'GRPCRoute'] as const) {
      for (const route of this.snapshot.list(kind)) {
        const age = ageOf(route, kind);
        for (const p of resolveParents(reader, this.world, route, kind)) {
          if (!p.accepted) continue;
          p.attachments.forEach((attachment, i) => {
            const list = byAttachment.get(attachment) ?? [];
            list.push({ hosts: p.reach[i]!.hosts, age, route, kept: false });
            byAttachment.set(attachment, list);
          });
        }
      }
    }
    const lostTo = new Map<string, Age>();
    const contested = new Set<string>();
    const servesSomething = new RuleValidity(this.snapshot);
    for (const [attachment, claims] of byAttachment) {
      const grpc = claims.filter((c) => c.age.kind === 'GRPCRoute');
      if (grpc.length === 0 || grpc.length === claims.length) continue;
      const http = claims.filter((c) => c.age.kind === 'HTTPRoute');
      // Oldest first, so a claim's `kept` is settled before any younger claim looks at it.
      for (const claim of claims.sort((a, b) => (olderThan(a.age, b.age) ? -1 : olderThan(b.age, a.age) ? 1 : 0))) {
        const key = claimKey(claim.age, attachment);
        let holder: Claim | undefined;
        for (const other of claim.age.kind === 'HTTPRoute' ? grpc : http) {
          if (!hostsIntersect(other.hosts, claim.hosts)) continue;
          contested.add(key);
          if (other.kept) holder ??= other;
        }
        if (holder !== undefined) lostTo.set(key, holder.age);
        // A route none of whose rules berth can serve is not accepted (UnsupportedValue): it holds nothing.
        else claim.kept = servesSomething.of(claim.route, claim.age.kind);
      }
    }
    const deps = reader.dependencies();
    return { lostTo, contested, deps, inputs: new Set([...deps, listAllKey('HTTPRoute'), listAllKey('GRPCRoute')]) };
  }
}

/**
 * yieldToOtherKind: when an HTTPRoute and a GRPCRoute attach to one listener with intersecting
 * hostnames, only one of them is accepted there (apis/v1/grpcroute_types.go,
 * GRPCRouteSpec.Hostnames: the two kinds are never merged): routes are taken oldest first, then by
 * "namespace/name", then the GRPCRoute first, and a route yields to a route of the other kind
 * already accepted there; one that yielded takes nothing from a younger route. Returns `parents`
 * (this route's) without the listener attachments it yields; a parent left with none is not
 * accepted. The unit depends on every route of the other kind (a change to one's spec redoes it)
 * and on what resolving their parents read; a route that meets the other kind somewhere depends
 * on every route of its own kind too (an older one may take the attachment this route yielded to).
 */
export function yieldToOtherKind(reader: Reader, claims: RouteClaims, route: KubeObject, kind: RouteKind, parents: ParentResult[]): ParentResult[] {
  const other: RouteKind = kind === 'HTTPRoute' ? 'GRPCRoute' : 'HTTPRoute';
  if (reader.listAll(other).length === 0) return parents;
  const { lostTo, contested, deps } = claims.decided();
  reader.adopt(deps);
  const age = ageOf(route, kind);
  if (parents.some((p) => p.attachments.some((attachment) => contested.has(claimKey(age, attachment))))) reader.listAll(kind);
  return parents.map((p) => {
    if (!p.accepted) return p;
    let reason: string | undefined;
    const keep: number[] = [];
    p.attachments.forEach((attachment, i) => {
      const holder = lostTo.get(claimKey(age, attachment));
      if (holder === undefined) keep.push(i);
      else reason ??= `listener ${attachment.split('\0')[1]} already has ${other} ${holder.name} with an intersecting hostname (the older route is accepted)`;
    });
    if (reason === undefined) return p;
    if (keep.length === 0) return { ...p, accepted: false, reason: 'NotAllowedByListeners', message: reason, reach: [], attachments: [] };
    return { ...p, reach: keep.map((i) => p.reach[i]!), attachments: keep.map((i) => p.attachments[i]!) };
  });
}

/**
 * RuleValidity: whether a route has a rule berth can serve (the unit's `programmed` count above
 * zero), asked only of routes that meet the other kind, once each. A rule's validity follows from
 * the route's spec alone (its backends only add ResolvedRefs problems), which the decisions'
 * inputs cover.
 */
class RuleValidity {
  private readonly known = new Map<KubeObject, boolean>();
  private readonly reader: Reader;

  constructor(snapshot: Snapshot) {
    this.reader = new Reader(snapshot);
  }

  of(route: KubeObject, kind: RouteKind): boolean {
    let valid = this.known.get(route);
    if (valid === undefined) {
      const translate: (reader: Reader, scope: RuleScope, index: number, rule: any) => RuleResult = kind === 'HTTPRoute' ? translateRule : translateGRPCRule;
      const rules: unknown[] = Array.isArray(route.spec?.rules) ? route.spec.rules : [];
      const scope: RuleScope = { route, variants: [], drainSupport: false };
      try {
        valid = rules.some((rule, i) => translate(this.reader, scope, i, rule).ok);
      } catch {
        valid = false; // its own unit reports the internal error
      }
      this.known.set(route, valid);
    }
    return valid;
  }
}

function claimKey(age: Age, attachment: string): string {
  return `${age.kind}\0${age.name}\0${attachment}`;
}

/** A route without a creationTimestamp (a manifest in folder mode) counts as the oldest, as in route precedence. */
function ageOf(r: KubeObject, kind: RouteKind): Age {
  const t = Date.parse(String(r.metadata.creationTimestamp ?? ''));
  return { created: Number.isNaN(t) ? 0 : t, name: `${r.metadata.namespace ?? ''}/${r.metadata.name}`, kind };
}

/** olderThan: `a` goes first; creationTimestamp has second resolution, so ties go by name, then kind. */
function olderThan(a: Age, b: Age): boolean {
  if (a.created !== b.created) return a.created < b.created;
  return a.name !== b.name ? a.name < b.name : a.kind < b.kind;
}

/** hostsIntersect: two routes' hostnames through one listener (null: any) share a name. */
function hostsIntersect(a: string[] | null, b: string[] | null): boolean {
  if (a === null || b === null) return true;
  return a.some((x) => b.some((y) => intersect(x, y) !== undefined));
}
