import { X509Certificate, createPrivateKey } from 'node:crypto';
import { ANY_LISTENER_HOSTNAME } from '../../config/types.js';
import type { KubeObject, TranslateOptions, TranslationEvent } from '../types.js';
import type { Snapshot } from '../snapshot.js';
import { readGatewayAddresses, type GatewayAddresses } from './gateway-addresses.js';
import { Reader } from './reader.js';
import { referenceAllowed } from './refgrant.js';
import { isHostname } from './syntax.js';
import { TRANSLATION_FAILED, warning, type CertificateEntry } from './status.js';

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/** ListenerModel: one Gateway listener as routes and status see it. */
export interface ListenerModel {
  name: string;
  protocol: string;
  port: number;
  hostname: string | undefined;
  from: 'Same' | 'All' | 'Selector';
  /** allowedRoutes.namespaces.selector (a LabelSelector) when `from: Selector`. */
  selector: unknown;
  /** HTTP, or HTTPS terminated here. */
  supported: boolean;
  /** The hostname is not a valid (wildcard) DNS name: the listener admits nothing. */
  badHostname: boolean;
  /** The route kinds allowedRoutes.kinds admits among those berth serves (an empty list: all of them). */
  kindsAllowed: ReadonlySet<string>;
  invalidKinds: string[];
  /** Why the certificate could not be used, with the Gateway API reason. */
  certProblem: { reason: 'InvalidCertificateRef' | 'RefNotPermitted'; message: string } | undefined;
  conflicted: boolean;
}

/**
 * isValidListener: accepted and in no conflict, so its port is configured and routes attach
 * through it (apis/v1/gateway_types.go: Accepted, Conflicted); its hostname is its own.
 */
export function isValidListener(l: ListenerModel): boolean {
  return l.supported && !l.badHostname && !l.conflicted;
}

/** listenerHostname: a listener's hostname as the config names it, `*` for one without. */
export function listenerHostname(l: ListenerModel): string {
  return l.hostname?.toLowerCase() ?? ANY_LISTENER_HOSTNAME;
}

export interface GatewayModel {
  obj: KubeObject;
  key: string;
  listeners: ListenerModel[];
  /** Why the Gateway is not accepted as a whole (its listeners are then not served); undefined when it is. */
  rejected?: { reason: 'InvalidParameters' | 'UnsupportedAddress'; message: string };
  /** Its spec.addresses (gateway-addresses.ts). */
  addresses: GatewayAddresses;
}

/** GatewayWorld: the managed GatewayClasses and Gateways of one snapshot, with their certificates. */
export interface GatewayWorld {
  classes: Map<string, KubeObject>;
  gateways: Map<string, GatewayModel>;
  certificates: CertificateEntry[];
  events: TranslationEvent[];
}

export function gatewayKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function decode(b64: unknown): string | undefined {
  if (typeof b64 !== 'string' || b64 === '') return undefined;
  return Buffer.from(b64, 'base64').toString('utf8');
}

const pairs = new WeakMap<KubeObject, { cert: string; key: string } | null>();

function parsePair(secret: KubeObject): { cert: string; key: string } | null {
  if (secret.type !== 'kubernetes.io/tls') return null;
  const cert = decode(secret.data?.['tls.crt']) ?? secret.stringData?.['tls.crt'];
  const key = decode(secret.data?.['tls.key']) ?? secret.stringData?.['tls.key'];
  if (cert === undefined || key === undefined) return null;
  try {
    // A pair the gateway would reject must not reach the config: it would reject all of it.
    new X509Certificate(cert);
    createPrivateKey(key);
  } catch {
    return null;
  }
  return { cert, key };
}

/**
 * tlsPair reads a kubernetes.io/tls Secret's PEM pair (data is base64, stringData plain), or
 * undefined when it is not one or does not parse. Parsed once per Secret object.
 */
export function tlsPair(secret: KubeObject): { cert: string; key: string } | undefined {
  let pair = pairs.get(secret);
  if (pair === undefined) {
    pair = parsePair(secret);
    pairs.set(secret, pair);
  }
  return pair ?? undefined;
}

/** ROUTE_KINDS: the route kinds an HTTP or HTTPS listener of ours serves, in supportedKinds order. */
export const ROUTE_KINDS: readonly string[] = ['HTTPRoute', 'GRPCRoute'];

function listenerKinds(l: any): { allowed: ReadonlySet<string>; invalid: string[] } {
  const kinds: any[] = Array.isArray(l?.allowedRoutes?.kinds) ? l.allowedRoutes.kinds : [];
  if (kinds.length === 0) return { allowed: new Set(ROUTE_KINDS), invalid: [] };
  const ok = (k: any) => (k?.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && ROUTE_KINDS.includes(k?.kind);
  return { allowed: new Set(kinds.filter(ok).map((k) => String(k.kind))), invalid: kinds.filter((k) => !ok(k)).map((k) => String(k?.kind)) };
}

function listenerCertificate(
  reader: Reader, gw: KubeObject, l: any, certs: CertificateEntry[],
): ListenerModel['certProblem'] {
  const ref = l?.tls?.certificateRefs?.[0];
  if (ref === undefined) return { reason: 'InvalidCertificateRef', message: 'HTTPS listener has no certificateRefs' };
  if ((ref.group ?? '') !== '' || (ref.kind ?? 'Secret') !== 'Secret') {
    return { reason: 'InvalidCertificateRef', message: `unsupported certificateRef kind ${ref.group ?? ''}/${ref.kind}` };
  }
  const gwNs = gw.metadata.namespace ?? '';
  const ns: string = ref.namespace ?? gwNs;
  const allowed = referenceAllowed(reader, {
    fromGroup: GATEWAY_GROUP, fromKind: 'Gateway', fromNamespace: gwNs, toGroup: '', toKind: 'Secret', toNamespace: ns, toName: ref.name,
  });
  if (!allowed) return { reason: 'RefNotPermitted', message: `Secret ${ns}/${ref.name} is not granted to this Gateway by a ReferenceGrant` };
  const secret = reader.get('Secret', ns, ref.name);
  const pair = secret === undefined ? undefined : tlsPair(secret);
  if (pair === undefined) return { reason: 'InvalidCertificateRef', message: `Secret ${ns}/${ref.name} is missing or not a valid kubernetes.io/tls Secret` };
  const snis = isHostname(l.hostname) ? [l.hostname] : [];
  certs.push({ key: `${ns}/${ref.name}`, certificate: { ...pair, snis } });
  return undefined;
}

function buildListener(reader: Reader, gw: KubeObject, l: any, certs: CertificateEntry[]): ListenerModel {
  const protocol = String(l?.protocol ?? '');
  const https = protocol === 'HTTPS' && (l?.tls?.mode ?? 'Terminate') === 'Terminate';
  const kinds = listenerKinds(l);
  const from = l?.allowedRoutes?.namespaces?.from;
  return {
    name: String(l?.name ?? ''),
    protocol,
    port: Number(l?.port),
    hostname: typeof l?.hostname === 'string' ? l.hostname : undefined,
    badHostname: l?.hostname !== undefined && !isHostname(l.hostname),
    from: from === 'All' || from === 'Selector' ? from : 'Same',
    selector: l?.allowedRoutes?.namespaces?.selector,
    supported: protocol === 'HTTP' || https,
    kindsAllowed: kinds.allowed,
    invalidKinds: kinds.invalid,
    certProblem: https ? listenerCertificate(reader, gw, l, certs) : undefined,
    conflicted: false,
  };
}

/** markConflicts flags listeners sharing a port and hostname (Gateway API HostnameConflict). */
function markConflicts(listeners: ListenerModel[]): void {
  const seen = new Map<string, ListenerModel>();
  for (const l of listeners) {
    const key = `${l.port}/${l.hostname ?? '*'}`;
    const other = seen.get(key);
    if (other !== undefined) {
      other.conflicted = true;
      l.conflicted = true;
    } else seen.set(key, l);
  }
}

/**
 * buildGatewayWorld finds the GatewayClasses whose controllerName is ours and their Gateways,
 * and models each listener (protocol support, allowed routes, certificate, conflicts).
 */
export function buildGatewayWorld(snapshot: Snapshot, opts: TranslateOptions): GatewayWorld {
  const reader = new Reader(snapshot);
  const classes = new Map<string, KubeObject>();
  for (const gc of snapshot.list('GatewayClass')) {
    if (gc.spec?.controllerName === opts.controllerName) classes.set(gc.metadata.name, gc);
  }
  const world: GatewayWorld = { classes, gateways: new Map(), certificates: [], events: [] };
  for (const gw of snapshot.list('Gateway')) {
    if (!classes.has(gw.spec?.gatewayClassName)) continue;
    try {
      addGateway(reader, gw, world, opts);
    } catch (err) {
      // A Gateway we cannot read costs itself only: its routes then find no parent.
      world.events.push(warning(gw, TRANSLATION_FAILED, `internal error translating this object: ${err instanceof Error ? err.message : String(err)}`));
    }
  }
  return world;
}

function addGateway(reader: Reader, gw: KubeObject, world: GatewayWorld, opts: TranslateOptions): void {
  const raw: any[] = Array.isArray(gw.spec?.listeners) ? gw.spec.listeners : [];
  const certificates: CertificateEntry[] = [];
  const listeners = raw.map((l) => buildListener(reader, gw, l, certificates));
  markConflicts(listeners);
  for (const l of listeners) {
    if (l.certProblem !== undefined) world.events.push(warning(gw, TRANSLATION_FAILED, `listener ${l.name}: ${l.certProblem.message}`));
  }
  const key = gatewayKey(gw.metadata.namespace ?? '', gw.metadata.name);
  const addresses = readGatewayAddresses(gw, opts.bindableAddresses);
  const rejected = parametersProblem(gw) ?? (addresses.unsupported === undefined ? undefined : { reason: 'UnsupportedAddress', message: addresses.unsupported });
  if (rejected !== undefined) {
    world.gateways.set(key, { obj: gw, key, listeners, rejected, addresses });
    world.events.push(warning(gw, TRANSLATION_FAILED, rejected.message));
    return;
  }
  if (addresses.unusable.length > 0) {
    world.events.push(warning(gw, TRANSLATION_FAILED, `addresses ${addresses.unusable.join(', ')}: no interface of this host has them; its listeners cannot be served there`));
  }
  world.gateways.set(key, { obj: gw, key, listeners, addresses });
  world.certificates.push(...certificates);
}

/**
 * parametersProblem: berth takes no infrastructure parameters, so a Gateway that names some
 * (spec.infrastructure.parametersRef) asks for what berth cannot give; apis/v1/gateway_types.go
 * says such a Gateway SHOULD be rejected with Accepted=False/InvalidParameters, and it is not
 * served rather than served without them.
 */
function parametersProblem(gw: KubeObject): GatewayModel['rejected'] {
  const ref = gw.spec?.infrastructure?.parametersRef;
  if (ref === undefined || ref === null) return undefined;
  const kind = `${typeof ref.group === 'string' ? ref.group : ''}/${typeof ref.kind === 'string' ? ref.kind : ''}`;
  return { reason: 'InvalidParameters', message: `infrastructure.parametersRef ${kind} ${String(ref.name)} is not supported: berth takes no Gateway parameters` };
}
