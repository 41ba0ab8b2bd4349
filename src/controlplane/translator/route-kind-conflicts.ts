import type { KubeObject } from '../types.js';
import type { GatewayWorld } from './gateway.js';
import { intersect, resolveParent, type ParentResult } from './httproute-parents.js';
import type { Reader } from './reader.js';

type RouteKind = 'HTTPRoute' | 'GRPCRoute';

/**
 * yieldToOtherKind: when an HTTPRoute and a GRPCRoute attach to one listener with intersecting
 * hostnames, exactly one of them is accepted there, the oldest, then the first by
 * "namespace/name" (apis/v1/grpcroute_types.go, GRPCRouteSpec.Hostnames; the two kinds are never
 * merged). Returns `parents` (this route's) without the listener attachments an older route of the
 * other kind holds with an intersecting hostname; a parent left with none is not accepted. Every
 * route of the other kind is read, so any change to one translates this route again. The rule is
 * pairwise: a route yields to an older one of the other kind even when that one itself yielded to
 * a still older route of this route's kind (deciding that would mean resolving every older route
 * of both kinds for each route).
 */
export function yieldToOtherKind(reader: Reader, world: GatewayWorld, route: KubeObject, kind: RouteKind, parents: ParentResult[]): ParentResult[] {
  const other: RouteKind = kind === 'HTTPRoute' ? 'GRPCRoute' : 'HTTPRoute';
  const held = heldByOlder(reader, world, route, other);
  if (held.size === 0) return parents;
  return parents.map((p) => {
    if (!p.accepted) return p;
    let lostTo: string | undefined;
    const keep: number[] = [];
    p.attachments.forEach((attachment, i) => {
      const holder = (held.get(attachment) ?? []).find((h) => hostsIntersect(h.hosts, p.reach[i]!.hosts));
      if (holder === undefined) keep.push(i);
      else lostTo ??= `listener ${attachment.split('\0')[1]} already has ${other} ${holder.route} with an intersecting hostname (the older route is accepted)`;
    });
    if (lostTo === undefined) return p;
    if (keep.length === 0) return { ...p, accepted: false, reason: 'NotAllowedByListeners', message: lostTo, reach: [], attachments: [] };
    return { ...p, reach: keep.map((i) => p.reach[i]!), attachments: keep.map((i) => p.attachments[i]!) };
  });
}

/** heldByOlder: the listener attachments of the routes of `kind` older than `route`, with their hostnames there. */
function heldByOlder(reader: Reader, world: GatewayWorld, route: KubeObject, kind: RouteKind): Map<string, Array<{ hosts: string[] | null; route: string }>> {
  const held = new Map<string, Array<{ hosts: string[] | null; route: string }>>();
  for (const o of reader.listAll(kind)) {
    if (!olderThan(o, route)) continue;
    const refs: any[] = Array.isArray(o.spec?.parentRefs) ? o.spec.parentRefs : [];
    for (const ref of refs) {
      const p = resolveParent(reader, world, o, ref, kind);
      if (p === undefined || !p.accepted) continue;
      p.attachments.forEach((attachment, i) => {
        const list = held.get(attachment) ?? [];
        list.push({ hosts: p.reach[i]!.hosts, route: nameOf(o) });
        held.set(attachment, list);
      });
    }
  }
  return held;
}

const nameOf = (r: KubeObject): string => `${r.metadata.namespace ?? ''}/${r.metadata.name}`;

/** A route without a creationTimestamp (a manifest in folder mode) counts as the oldest, as in route precedence. */
function createdAt(r: KubeObject): number {
  const t = Date.parse(String(r.metadata.creationTimestamp ?? ''));
  return Number.isNaN(t) ? 0 : t;
}

function olderThan(a: KubeObject, b: KubeObject): boolean {
  const d = createdAt(a) - createdAt(b);
  return d !== 0 ? d < 0 : nameOf(a) < nameOf(b);
}

/** hostsIntersect: two routes' hostnames through one listener (null: any) share a name. */
function hostsIntersect(a: string[] | null, b: string[] | null): boolean {
  if (a === null || b === null) return true;
  return a.some((x) => b.some((y) => intersect(x, y) !== undefined));
}
