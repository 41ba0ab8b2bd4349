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

/** addEvent drops repeats: a shared Service's problem is found by every unit that uses it. */
function addEvent(events: TranslationEvent[], seen: Set<string>, e: TranslationEvent): void {
  const o = e.involvedObject;
  const key = `${e.type}\0${e.reason}\0${e.message}\0${o.kind}\0${o.namespace ?? ''}\0${o.name}`;
  if (seen.has(key)) return;
  seen.add(key);
  events.push(e);
}

/**
 * assemble merges unit outputs: services of the same name (shared backend groups) get the
 * routes of every unit, upstreams and certificates are taken once. Units never see each other,
 * so each can be reused on its own; sorting makes the result independent of unit order.
 */
export function assemble(units: UnitOutput[], extraCertificates: CertificateEntry[]): Assembled {
  const services = new Map<string, ServiceConfig>();
  const upstreams = new Map<string, UpstreamConfig>();
  const certs: CertificateEntry[] = [...extraCertificates];
  const seenEvents = new Set<string>();
  const out: Assembled = { config: { _format_version: FORMAT_VERSION }, statuses: [], events: [], attached: new Map(), policyUses: [] };
  for (const u of units) {
    for (const s of u.services) {
      const seen = services.get(s.name);
      if (seen === undefined) services.set(s.name, { ...s, routes: [...(s.routes ?? [])] });
      else seen.routes!.push(...(s.routes ?? []));
    }
    for (const up of u.upstreams) if (!upstreams.has(up.name)) upstreams.set(up.name, up);
    certs.push(...u.certificates);
    out.statuses.push(...u.statuses);
    for (const e of u.events) addEvent(out.events, seenEvents, e);
    out.policyUses.push(...u.policyUses);
    for (const a of u.attachments) out.attached.set(a, (out.attached.get(a) ?? 0) + 1);
  }
  const serviceList = [...services.values()].sort(byName);
  for (const s of serviceList) s.routes!.sort(byName);
  out.config.services = serviceList;
  out.config.upstreams = [...upstreams.values()].sort(byName);
  const certificates = mergeCertificates(certs);
  if (certificates.length > 0) out.config.certificates = certificates;
  return out;
}
