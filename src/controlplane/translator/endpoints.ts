import { IDENTITY_TAG_PREFIX, type TargetConfig } from '../../config/types.js';
import type { KubeObject } from '../types.js';
import type { Reader } from './reader.js';

export const DEFAULT_TARGET_WEIGHT = 100;
const MAX_WEIGHT = 65535;

/** ServicePort: a `spec.ports[]` entry of a core Service. */
export interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
  targetPort?: number | string;
}

/** Candidate: an endpoint address that passed the drain rules, before weights are given out. */
interface Candidate {
  target: string;
  identity: string | undefined;
  draining: boolean;
}

type EndpointState = 'normal' | 'draining' | 'skip';

/**
 * endpointState applies semantics.md s2's truth table. Flag off is KIC's default (readiness only,
 * terminating ignored). Flag on keeps terminating endpoints at weight 0 so pinned sessions still
 * reach them; berth removes one whose `serving` is explicitly false, as it can no longer answer.
 */
export function endpointState(conditions: unknown, drainSupport: boolean): EndpointState {
  const c = (conditions ?? {}) as { ready?: boolean | null; serving?: boolean | null; terminating?: boolean | null };
  const ready = c.ready !== false;
  const terminating = c.terminating === true;
  if (!drainSupport) return ready ? 'normal' : 'skip';
  if (!terminating) return ready ? 'normal' : 'skip';
  return c.serving === false ? 'skip' : 'draining';
}

/** formatTarget writes `host:port`, bracketing IPv6 addresses. */
export function formatTarget(address: string, port: number): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]:${port}` : `${address}:${port}`;
}

function slicePortFor(slice: KubeObject, port: ServicePort): number | undefined {
  const wantName = port.name ?? '';
  const wantProtocol = port.protocol ?? 'TCP';
  for (const p of slice.ports ?? []) {
    if (p === null || typeof p !== 'object') continue;
    if ((p.name ?? '') === wantName && (p.protocol ?? 'TCP') === wantProtocol && Number.isInteger(p.port)) return p.port;
  }
  return undefined;
}

function sliceCandidates(slice: KubeObject, port: ServicePort, drain: boolean, out: Candidate[]): void {
  const targetPort = slicePortFor(slice, port);
  if (targetPort === undefined || !Array.isArray(slice.endpoints)) return;
  for (const ep of slice.endpoints) {
    const address = ep?.addresses?.[0];
    if (typeof address !== 'string' || address === '') continue;
    const state = endpointState(ep.conditions, drain);
    if (state === 'skip') continue;
    const uid = ep.targetRef?.uid;
    out.push({
      target: formatTarget(address, targetPort),
      identity: typeof uid === 'string' && uid !== '' ? uid : undefined,
      draining: state === 'draining',
    });
  }
}

/**
 * spreadWeights gives out a backendRef weight: without one every target gets the default 100;
 * with `w` each non-draining target gets max(1, floor(w / count)), draining ones 0, and w == 0
 * gives everyone 0 (semantics.md s2).
 */
function spreadWeights(candidates: Candidate[], weight: number | undefined): TargetConfig[] {
  const active = candidates.filter((c) => !c.draining).length;
  const share = weight === undefined ? DEFAULT_TARGET_WEIGHT : weight === 0 ? 0 : Math.max(1, Math.floor(weight / Math.max(active, 1)));
  return candidates.map((c) => {
    const t: TargetConfig = { target: c.target, weight: c.draining ? 0 : Math.min(share, MAX_WEIGHT) };
    if (c.identity !== undefined) t.tags = [`${IDENTITY_TAG_PREFIX}${c.identity}`];
    return t;
  });
}

/**
 * serviceTargets lists the targets of one Service port: EndpointSlices labelled with the
 * Service's name whose port matches by name and protocol (only `addresses[0]` of an endpoint), or
 * the ExternalName host. Slices are read in name order so the output is stable.
 */
export function serviceTargets(
  reader: Reader,
  service: KubeObject,
  port: ServicePort,
  weight: number | undefined,
  drain: boolean,
): TargetConfig[] {
  if (service.spec?.type === 'ExternalName' && typeof service.spec.externalName === 'string') {
    return spreadWeights([{ target: formatTarget(service.spec.externalName, port.port), identity: undefined, draining: false }], weight);
  }
  const slices = [...reader.slicesFor(service.metadata.namespace ?? '', service.metadata.name)];
  slices.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  const candidates: Candidate[] = [];
  for (const slice of slices) sliceCandidates(slice, port, drain, candidates);
  return spreadWeights(candidates, weight);
}

/**
 * mergeTargets folds duplicate `ip:port` targets into one with the weights summed, sorted by
 * address. One pod on two ports (two Services of a backend group selecting the same pods with
 * different target ports) would be two targets with one identity, and the session cookie, bound to
 * the identity, would take both ports' sessions to one of them: such targets are told apart by
 * port (`<uid>:<port>`).
 */
export function mergeTargets(targets: TargetConfig[]): TargetConfig[] {
  const byTarget = new Map<string, TargetConfig>();
  for (const t of targets) {
    const seen = byTarget.get(t.target);
    if (seen === undefined) byTarget.set(t.target, { ...t });
    else seen.weight = Math.min((seen.weight ?? DEFAULT_TARGET_WEIGHT) + (t.weight ?? DEFAULT_TARGET_WEIGHT), MAX_WEIGHT);
  }
  const merged = [...byTarget.values()].sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
  const tagCount = new Map<string, number>();
  for (const t of merged) for (const tag of t.tags ?? []) tagCount.set(tag, (tagCount.get(tag) ?? 0) + 1);
  for (const t of merged) {
    if (t.tags?.some((tag) => tag.startsWith(IDENTITY_TAG_PREFIX) && tagCount.get(tag)! > 1)) {
      const port = t.target.slice(t.target.lastIndexOf(':') + 1);
      t.tags = t.tags.map((tag) => (tag.startsWith(IDENTITY_TAG_PREFIX) ? `${tag}:${port}` : tag));
    }
  }
  return merged;
}
