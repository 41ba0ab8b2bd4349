import { FORMAT_VERSION, type CertificateConfig, type GatewayConfig, type ServiceConfig, type UpstreamConfig } from '../../config/types.js';
import type { ObjectStatus, TranslationEvent } from '../types.js';
import type { CertificateEntry, PolicyUse, UnitOutput } from './status.js';

/** Assembled: the units' outputs merged into one config plus what status and events need. */
export interface Assembled {
  config: GatewayConfig;
  statuses: ObjectStatus[];
  events: TranslationEvent[];
  attached: Map<string, number>;
  policyUses: PolicyUse[];
}

/** Layout: where each entity of the last full merge sits, so a few changed units can be patched in. */
interface Layout {
  keys: string[];
  services: ServiceConfig[];
  upstreams: UpstreamConfig[];
  serviceAt: Map<string, number>;
  upstreamAt: Map<string, number>;
  /** Unit positions contributing routes to each service, in unit order. */
  serviceOwners: Map<string, number[]>;
  /** The unit position whose upstream is used (the first one to name it). */
  upstreamOwner: Map<string, number>;
  outputs: UnitOutput[];
}

const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function mergeCertificates(entries: CertificateEntry[]): CertificateConfig[] {
  const byKey = new Map<string, CertificateConfig>();
  const claimed = new Set<string>();
  for (const { key, certificate } of entries) {
    // Kong rejects one SNI on two certificates: the first claim wins.
    const snis = (certificate.snis ?? []).map(String).filter((s) => !claimed.has(s));
    snis.forEach((s) => claimed.add(s));
    const seen = byKey.get(key);
    if (seen === undefined) byKey.set(key, { ...certificate, snis });
    else seen.snis = [...(seen.snis ?? []), ...snis];
  }
  return [...byKey.values()];
}

/** mergeService combines the same service from several units (a shared backend group). */
function mergeService(parts: ServiceConfig[]): ServiceConfig {
  if (parts.length === 1) return parts[0]!;
  return { ...parts[0]!, routes: parts.flatMap((p) => p.routes ?? []).sort(byName) };
}

function sameNames(a: Array<{ name: string }>, b: Array<{ name: string }>): boolean {
  return a.length === b.length && a.every((x, i) => x.name === b[i]!.name);
}

function sameKeys(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** addEvent drops repeats: a shared Service's problem is found by every unit that uses it. */
function addEvent(events: TranslationEvent[], seen: Set<string>, e: TranslationEvent): void {
  const o = e.involvedObject;
  const key = `${e.type}\0${e.reason}\0${e.message}\0${o.kind}\0${o.namespace ?? ''}\0${o.name}`;
  if (seen.has(key)) return;
  seen.add(key);
  events.push(e);
}

/**
 * Assembler merges unit outputs into one config: services of the same name (shared backend
 * groups) get the routes of every unit, upstreams and certificates are taken once, all sorted by
 * name. When the same units produced the same entity names as last time, only the changed units'
 * entities are swapped into copies of the last arrays. Entities are shared between results:
 * callers treat the config as immutable.
 */
export class Assembler {
  private layout: Layout | undefined;

  assemble(keys: string[], outputs: UnitOutput[], dirty: ReadonlySet<number> | undefined, extra: CertificateEntry[]): Assembled {
    const layout = this.patch(keys, outputs, dirty) ?? this.full(keys, outputs);
    this.layout = layout;
    const out = common(outputs, extra);
    out.config.services = layout.services;
    out.config.upstreams = layout.upstreams;
    return moveCertificates(out);
  }

  private patch(keys: string[], outputs: UnitOutput[], dirty: ReadonlySet<number> | undefined): Layout | undefined {
    const last = this.layout;
    if (last === undefined || dirty === undefined || !sameKeys(keys, last.keys)) return undefined;
    for (const pos of dirty) {
      const before = last.outputs[pos]!;
      const now = outputs[pos]!;
      if (!sameNames(before.services, now.services) || !sameNames(before.upstreams, now.upstreams)) return undefined;
    }
    const services = last.services.slice();
    const upstreams = last.upstreams.slice();
    // Each touched service merged once: many changed units may share one (a backend all routes use).
    const touched = new Set<string>();
    for (const pos of dirty) {
      for (const s of outputs[pos]!.services) touched.add(s.name);
      for (const u of outputs[pos]!.upstreams) if (last.upstreamOwner.get(u.name) === pos) upstreams[last.upstreamAt.get(u.name)!] = u;
    }
    for (const name of touched) {
      const owners = last.serviceOwners.get(name)!;
      services[last.serviceAt.get(name)!] = mergeService(owners.map((p) => outputs[p]!.services.find((x) => x.name === name)!));
    }
    return { ...last, services, upstreams, outputs };
  }

  private full(keys: string[], outputs: UnitOutput[]): Layout {
    const serviceOwners = new Map<string, number[]>();
    const upstreamOwner = new Map<string, number>();
    const parts = new Map<string, ServiceConfig[]>();
    const upstreamByName = new Map<string, UpstreamConfig>();
    outputs.forEach((u, pos) => {
      for (const s of u.services) {
        const known = parts.get(s.name);
        if (known === undefined) {
          parts.set(s.name, [s]);
          serviceOwners.set(s.name, [pos]);
        } else {
          known.push(s);
          serviceOwners.get(s.name)!.push(pos);
        }
      }
      for (const up of u.upstreams) {
        if (upstreamOwner.has(up.name)) continue;
        upstreamOwner.set(up.name, pos);
        upstreamByName.set(up.name, up);
      }
    });
    const services = [...parts.values()].map(mergeService).sort(byName);
    const upstreams = [...upstreamByName.values()].sort(byName);
    const serviceAt = new Map(services.map((s, i) => [s.name, i]));
    const upstreamAt = new Map(upstreams.map((u, i) => [u.name, i]));
    return { keys, services, upstreams, serviceAt, upstreamAt, serviceOwners, upstreamOwner, outputs };
  }
}

interface WithCerts extends Assembled {
  certs: CertificateEntry[];
}

/** common gathers what is redone from every unit each time: statuses, events, attachments, certificates. */
function common(outputs: UnitOutput[], extra: CertificateEntry[]): WithCerts {
  const out: WithCerts = { config: { _format_version: FORMAT_VERSION }, statuses: [], events: [], attached: new Map(), policyUses: [], certs: [...extra] };
  const seenEvents = new Set<string>();
  for (const u of outputs) {
    for (const s of u.statuses) out.statuses.push(s);
    for (const e of u.events) addEvent(out.events, seenEvents, e);
    for (const p of u.policyUses) out.policyUses.push(p);
    for (const c of u.certificates) out.certs.push(c);
    for (const a of u.attachments) out.attached.set(a, (out.attached.get(a) ?? 0) + 1);
  }
  return out;
}

function moveCertificates(out: WithCerts): Assembled {
  const { certs, ...rest } = out;
  const certificates = mergeCertificates(certs);
  if (certificates.length > 0) rest.config.certificates = certificates;
  return rest;
}
