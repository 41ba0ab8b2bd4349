import type { KubeObject } from '../types.js';
import { GATEWAY_GROUP, gatewayKey, isValidListener, listenerHostname, type GatewayModel, type GatewayWorld, type ListenerModel } from './gateway.js';
import { listenerName } from './listeners.js';
import type { Reader } from './reader.js';
import { isHostname } from './syntax.js';

/** ParentResult: how one HTTPRoute parentRef to a managed Gateway resolved. */
export interface ParentResult {
  /** The parentRef as written to status, defaults filled in. */
  parentRef: Record<string, unknown>;
  accepted: boolean;
  reason: 'Accepted' | 'NotAllowedByListeners' | 'NoMatchingListenerHostname' | 'NoMatchingParent' | 'UnsupportedValue';
  message: string;
  /** What the route answers through each attached listener: protocol, hostnames (null = any), listener port name. */
  reach: Reach[];
  /** `<gateway key>\0<listener>` of each listener the route attached to. */
  attachments: string[];
}

export interface Reach {
  protocol: 'http' | 'https';
  hosts: string[] | null;
  /** The listener port's name ("<ns>/<gateway>:<port>"). */
  listener: string;
  /** The attached listener's hostname (`*` for none) and those of the port's other served listeners. */
  hostname: string;
  peers: string[];
}

/** intersect: the hostname a (possibly wildcard) route hostname and listener hostname share, if any. */
export function intersect(listener: string | undefined, route: string): string | undefined {
  if (listener === undefined || listener === route) return route;
  if (listener.startsWith('*.') && !route.startsWith('*.')) return route.endsWith(listener.slice(1)) ? route : undefined;
  if (route.startsWith('*.') && !listener.startsWith('*.')) return listener.endsWith(route.slice(1)) ? listener : undefined;
  if (route.startsWith('*.') && listener.startsWith('*.')) {
    if (route.endsWith(listener.slice(1))) return route;
    if (listener.endsWith(route.slice(1))) return listener;
  }
  return undefined;
}

/** listenerHosts: the hostnames a route gets through one listener; null = any, [] = none. */
function listenerHosts(l: ListenerModel, routeHosts: string[]): string[] | null {
  if (routeHosts.length === 0) return l.hostname === undefined ? null : [l.hostname];
  return routeHosts.map((h) => intersect(l.hostname, h)).filter((h): h is string => h !== undefined);
}

/** selectorMatches evaluates a Kubernetes LabelSelector (matchLabels and matchExpressions). */
export function selectorMatches(selector: any, labels: Record<string, string>): boolean {
  if (selector === null || typeof selector !== 'object') return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    const has = Object.hasOwn(labels, e?.key);
    const values: unknown[] = Array.isArray(e?.values) ? e.values : [];
    const ok = e?.operator === 'In' ? has && values.includes(labels[e.key])
      : e?.operator === 'NotIn' ? !has || !values.includes(labels[e.key])
        : e?.operator === 'Exists' ? has
          : e?.operator === 'DoesNotExist' ? !has : false;
    if (!ok) return false;
  }
  return true;
}

/**
 * The label the Kubernetes control plane sets on every Namespace, to its name, and keeps there
 * (the API server's automatic labelling, immutable since 1.22): a selector may rely on it even
 * where the object, as in manifests mode, was written without it.
 */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

function namespaceAllowed(reader: Reader, l: ListenerModel, gwNs: string, routeNs: string): boolean {
  if (l.from === 'All') return true;
  if (l.from === 'Same') return gwNs === routeNs;
  const ns = reader.get('Namespace', undefined, routeNs);
  return ns !== undefined && selectorMatches(l.selector, { ...ns.metadata.labels, [NAMESPACE_NAME_LABEL]: ns.metadata.name });
}

function echoRef(ref: any, routeNs: string): Record<string, unknown> {
  const out: Record<string, unknown> = { group: ref.group ?? GATEWAY_GROUP, kind: ref.kind ?? 'Gateway', namespace: ref.namespace ?? routeNs, name: ref.name };
  if (ref.sectionName !== undefined) out.sectionName = ref.sectionName;
  if (ref.port !== undefined) out.port = ref.port;
  return out;
}

function reject(parentRef: Record<string, unknown>, reason: ParentResult['reason'], message: string): ParentResult {
  return { parentRef, accepted: false, reason, message, reach: [], attachments: [] };
}

/** resolveParents: the route's parentRefs that name one of our Gateways, resolved (resolveParent). */
export function resolveParents(reader: Reader, world: GatewayWorld, route: KubeObject, kind: 'HTTPRoute' | 'GRPCRoute'): ParentResult[] {
  const refs: any[] = Array.isArray(route.spec?.parentRefs) ? route.spec.parentRefs : [];
  return refs.map((ref) => resolveParent(reader, world, route, ref, kind)).filter((p): p is ParentResult => p !== undefined);
}

/**
 * resolveParent attaches a route to the listeners of one managed Gateway that admit it
 * (sectionName/port, protocol, allowed kinds and namespaces, hostname intersection). Returns
 * undefined when the parent is not a Gateway we manage: another controller reports on it.
 */
function resolveParent(reader: Reader, world: GatewayWorld, route: KubeObject, ref: any, kind: 'HTTPRoute' | 'GRPCRoute'): ParentResult | undefined {
  const routeNs = route.metadata.namespace ?? '';
  if ((ref?.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (ref?.kind ?? 'Gateway') !== 'Gateway' || typeof ref?.name !== 'string') return undefined;
  const ns: string = ref.namespace ?? routeNs;
  const gwObj = reader.get('Gateway', ns, ref.name);
  if (gwObj !== undefined) reader.get('GatewayClass', undefined, gwObj.spec?.gatewayClassName ?? '');
  const gw = world.gateways.get(gatewayKey(ns, ref.name));
  if (gw === undefined) return undefined;
  const parentRef = echoRef(ref, routeNs);
  if (gw.rejected !== undefined) return reject(parentRef, 'NoMatchingParent', `Gateway ${gw.key} is not accepted (${gw.rejected.reason})`);
  const named = gw.listeners.filter((l) => (ref.sectionName === undefined || l.name === ref.sectionName) && (ref.port === undefined || l.port === ref.port));
  if (named.length === 0) return reject(parentRef, 'NoMatchingParent', `no listener matches sectionName ${ref.sectionName ?? '*'} port ${ref.port ?? '*'}`);
  const admitting = named.filter((l) => isValidListener(l) && l.kindsAllowed.has(kind) && namespaceAllowed(reader, l, ns, routeNs));
  if (admitting.length === 0) return reject(parentRef, 'NotAllowedByListeners', `no listener admits this ${kind} (protocol, kinds or namespaces)`);
  return attach(parentRef, gw, admitting, route);
}

/**
 * peerHostnames: the hostnames of the Gateway's other valid listeners on `l`'s port (Gateway API
 * listener isolation: a host one of them is more specific for is not `l`'s). A listener whose
 * certificate is missing still owns its hostnames; it also depends only on the Gateway, which
 * the route's unit reads, and not on Secrets it does not.
 */
function peerHostnames(gw: GatewayModel, l: ListenerModel): string[] {
  const own = listenerHostname(l);
  const peers = gw.listeners.filter((p) => p !== l && p.port === l.port && isValidListener(p)).map(listenerHostname);
  return [...new Set(peers)].filter((h) => h !== own);
}

function attach(parentRef: Record<string, unknown>, gw: GatewayModel, listeners: ListenerModel[], route: KubeObject): ParentResult {
  const routeHosts: unknown[] = Array.isArray(route.spec?.hostnames) ? route.spec.hostnames : [];
  const bad = routeHosts.find((h) => !isHostname(h));
  if (bad !== undefined) return reject(parentRef, 'UnsupportedValue', `hostname ${JSON.stringify(bad)} is not a valid hostname`);
  const result: ParentResult = { parentRef, accepted: true, reason: 'Accepted', message: '', reach: [], attachments: [] };
  for (const l of listeners) {
    const hosts = listenerHosts(l, routeHosts as string[]);
    if (hosts !== null && hosts.length === 0) continue;
    result.reach.push({ protocol: l.protocol === 'HTTPS' ? 'https' : 'http', hosts, listener: listenerName(gw.key, l.port), hostname: listenerHostname(l), peers: peerHostnames(gw, l) });
    result.attachments.push(`${gw.key}\0${l.name}`);
  }
  if (result.attachments.length > 0) return result;
  return reject(parentRef, 'NoMatchingListenerHostname', 'no listener hostname intersects the route hostnames');
}
