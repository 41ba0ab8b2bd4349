import type { Snapshot } from '../snapshot.js';
import type { KubeObject } from '../types.js';
import type { GatewayWorld } from './gateway.js';
import { intersect, resolveParent, type ParentResult } from './httproute-parents.js';
import { Reader } from './reader.js';

export type RouteKind = 'HTTPRoute' | 'GRPCRoute';

/** A listener attachment of a route: its hostnames there (null: any) and who it is. */
interface Claim {
  hosts: string[] | null;
  age: Age;
}

/** What orders two routes of the two kinds (olderThan), computed once per route. */
interface Age {
  created: number;
  name: string;
  kind: string;
}

/**
 * RouteClaims: for one translation, the listener attachments of every route of a kind, resolved
 * once (each route's unit asks about the other kind's), with what resolving them read.
 */
export class RouteClaims {
  private readonly byKind = new Map<RouteKind, { held: Map<string, Claim[]>; deps: ReadonlySet<string> }>();

  constructor(private readonly snapshot: Snapshot, private readonly world: GatewayWorld) {}

  of(kind: RouteKind): { held: Map<string, Claim[]>; deps: ReadonlySet<string> } {
    let claims = this.byKind.get(kind);
    if (claims === undefined) {
      const reader = new Reader(this.snapshot);
      const held = new Map<string, Claim[]>();
      for (const route of this.snapshot.list(kind)) {
        const refs: any[] = Array.isArray(route.spec?.parentRefs) ? route.spec.parentRefs : [];
        const age = ageOf(route);
        for (const ref of refs) {
          const p = resolveParent(reader, this.world, route, ref, kind);
          if (p === undefined || !p.accepted) continue;
          p.attachments.forEach((attachment, i) => {
            const list = held.get(attachment) ?? [];
            list.push({ hosts: p.reach[i]!.hosts, age });
            held.set(attachment, list);
          });
        }
      }
      claims = { held, deps: reader.dependencies() };
      this.byKind.set(kind, claims);
    }
    return claims;
  }
}

/**
 * yieldToOtherKind: when an HTTPRoute and a GRPCRoute attach to one listener with intersecting
 * hostnames, exactly one of them is accepted there, the oldest, then the first by
 * "namespace/name", then the GRPCRoute (apis/v1/grpcroute_types.go, GRPCRouteSpec.Hostnames; the
 * two kinds are never merged). Returns `parents` (this route's) without the listener attachments
 * an older route of the other kind holds with an intersecting hostname; a parent left with none is
 * not accepted. The unit depends on every route of the other kind (a change to one's spec redoes
 * it) and on what resolving their parents read. The rule is pairwise: a route yields to an older
 * one of the other kind even when that one itself yielded to a still older route of this route's
 * kind (deciding that would mean resolving every older route of both kinds for each route).
 */
export function yieldToOtherKind(reader: Reader, claims: RouteClaims, route: KubeObject, kind: RouteKind, parents: ParentResult[]): ParentResult[] {
  const other: RouteKind = kind === 'HTTPRoute' ? 'GRPCRoute' : 'HTTPRoute';
  if (reader.listAll(other).length === 0) return parents;
  const { held, deps } = claims.of(other);
  reader.adopt(deps);
  const age = ageOf(route);
  return parents.map((p) => {
    if (!p.accepted) return p;
    let lostTo: string | undefined;
    const keep: number[] = [];
    p.attachments.forEach((attachment, i) => {
      const holder = (held.get(attachment) ?? []).find((h) => olderThan(h.age, age) && hostsIntersect(h.hosts, p.reach[i]!.hosts));
      if (holder === undefined) keep.push(i);
      else lostTo ??= `listener ${attachment.split('\0')[1]} already has ${other} ${holder.age.name} with an intersecting hostname (the older route is accepted)`;
    });
    if (lostTo === undefined) return p;
    if (keep.length === 0) return { ...p, accepted: false, reason: 'NotAllowedByListeners', message: lostTo, reach: [], attachments: [] };
    return { ...p, reach: keep.map((i) => p.reach[i]!), attachments: keep.map((i) => p.attachments[i]!) };
  });
}

/** A route without a creationTimestamp (a manifest in folder mode) counts as the oldest, as in route precedence. */
function ageOf(r: KubeObject): Age {
  const t = Date.parse(String(r.metadata.creationTimestamp ?? ''));
  return { created: Number.isNaN(t) ? 0 : t, name: `${r.metadata.namespace ?? ''}/${r.metadata.name}`, kind: r.kind };
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
