import type { PluginConfig, Protocol, ServiceConfig, UpstreamConfig } from '../../config/types.js';
import type { KubeObject, TranslationEvent } from '../types.js';
import { appProtocolService } from './app-protocol.js';
import { mergeTargets, serviceTargets, type ServicePort } from './endpoints.js';
import type { Reader } from './reader.js';
import type { RuleFields } from './rule-fields.js';
import { sharedEndpoints, tagBackend } from './backend-filters.js';
import { TRANSLATION_FAILED, warning, type PolicyUse } from './status.js';
import { groupPolicy } from './upstream-policy.js';

/** SERVICE_DEFAULTS: Kong's service defaults that KIC writes explicitly (semantics.md s7). */
export const SERVICE_DEFAULTS = { retries: 5, connect_timeout: 60000, read_timeout: 60000, write_timeout: 60000 } as const;

/** ResolvedBackend: a Service port a route sends to, with the backendRef weight if any. */
export interface ResolvedBackend {
  service: KubeObject;
  port: ServicePort;
  weight?: number;
  /** The backend whose own plugins apply to these targets (HTTPRoute backendRef filters). */
  backend?: string;
}

/** BackendGroup: the backends of one route rule (or Ingress path), which share one service. */
export interface BackendGroup {
  name: string;
  backends: ResolvedBackend[];
  drainSupport: boolean;
  /** The upstream protocol when the route kind decides it (GRPCRoute: grpc); annotations still win. */
  protocol?: Protocol;
  /** Upstream fields that win over the policy's (HTTPRoute sessionPersistence). */
  overrides?: Partial<UpstreamConfig>;
  /** Service fields that win over the Service annotations (HTTPRoute rule timeouts and retry). */
  ruleFields?: RuleFields;
  /** Weight of the backendRefs that did not resolve (HTTPRoute): answered 500. */
  unresolvedWeight?: number;
  /** Plugins per backend (HTTPRoute backendRef filters that differ between backendRefs). */
  backendPlugins?: Record<string, PluginConfig[]>;
}

export interface BuiltGroup {
  service: ServiceConfig;
  upstream: UpstreamConfig;
  uses: PolicyUse[];
  events: TranslationEvent[];
}

/** findServicePort picks a Service port by number or name. */
export function findServicePort(service: KubeObject, ref: { number?: number; name?: string }): ServicePort | undefined {
  const ports: unknown = service.spec?.ports;
  if (!Array.isArray(ports)) return undefined;
  return ports.find((p: ServicePort) =>
    p !== null && typeof p === 'object' && (ref.number !== undefined ? p.port === ref.number : p.name === ref.name),
  );
}

const INT_ANNOTATIONS: Array<[string, 'connect_timeout' | 'read_timeout' | 'write_timeout' | 'retries']> = [
  ['konghq.com/connect-timeout', 'connect_timeout'],
  ['konghq.com/read-timeout', 'read_timeout'],
  ['konghq.com/write-timeout', 'write_timeout'],
  ['konghq.com/retries', 'retries'],
];

/** serviceAnnotations applies the Kong service annotations KIC reads from the Kubernetes Service. */
function serviceAnnotations(svc: KubeObject, out: ServiceConfig, upstream: UpstreamConfig, events: TranslationEvent[]): void {
  const a = svc.metadata.annotations ?? {};
  for (const [key, field] of INT_ANNOTATIONS) {
    const v = a[key];
    if (v === undefined) continue;
    if (/^\d{1,9}$/.test(v.trim())) out[field] = Number(v.trim());
    else events.push(warning(svc, TRANSLATION_FAILED, `${key}: "${v}" is not a non-negative integer; ignored`));
  }
  const path = a['konghq.com/path'];
  if (path !== undefined) {
    if (path.startsWith('/')) out.path = path;
    else events.push(warning(svc, TRANSLATION_FAILED, `konghq.com/path: "${path}" must start with /; ignored`));
  }
  const protocol = a['konghq.com/protocol'];
  if (protocol === 'http' || protocol === 'https' || protocol === 'grpc' || protocol === 'grpcs') out.protocol = protocol as Protocol;
  else if (protocol !== undefined) events.push(warning(svc, TRANSLATION_FAILED, `konghq.com/protocol: "${protocol}" is not http, https, grpc or grpcs; ignored`));
  const hostHeader = a['konghq.com/host-header'];
  if (hostHeader !== undefined && hostHeader !== '') upstream.host_header = hostHeader;
}

/**
 * buildGroup turns a backend group into one Kong service and its upstream (same name): targets
 * from every backend merged, the group's KongUpstreamPolicy applied, then the overrides.
 * Service-level annotations come from the first backend's Service.
 */
export function buildGroup(reader: Reader, group: BackendGroup): BuiltGroup {
  const targets = group.backends.flatMap((b) => tagBackend(serviceTargets(reader, b.service, b.port, b.weight, group.drainSupport), b.backend));
  const policy = groupPolicy(reader, uniqueServices(group.backends));
  const fields = group.overrides === undefined ? policy.fields : withoutSessionFields(policy.fields);
  const upstream: UpstreamConfig = { name: group.name, ...fields, ...group.overrides };
  const first = group.backends[0];
  // GRPCRoute backends and appProtocol kubernetes.io/h2c ports speak HTTP/2 cleartext (Kong's grpc).
  const protocol = group.protocol ?? (first === undefined ? undefined : appProtocolService(first.port)) ?? 'http';
  const service: ServiceConfig = { name: group.name, protocol, host: group.name, port: 80, ...SERVICE_DEFAULTS };
  const events = [...policy.events];
  if (first !== undefined) serviceAnnotations(first.service, service, upstream, events);
  Object.assign(service, group.ruleFields);
  upstream.targets = mergeTargets(targets);
  if (group.backendPlugins !== undefined) {
    service.backend_plugins = group.backendPlugins;
    const shared = sharedEndpoints(targets);
    if (shared.length > 0) events.push(warning(first!.service, TRANSLATION_FAILED, `endpoints ${shared.join(', ')} are reached through backendRefs with different filters; the first backendRef's filters apply`));
  }
  if (group.unresolvedWeight !== undefined) upstream.unresolved_weight = group.unresolvedWeight;
  return { service, upstream, uses: policy.uses, events };
}

function uniqueServices(backends: ResolvedBackend[]): KubeObject[] {
  return [...new Set(backends.map((b) => b.service))];
}

/** withoutSessionFields drops a policy's hashing and sticky fields: session persistence replaces them. */
function withoutSessionFields(fields: Partial<UpstreamConfig>): Partial<UpstreamConfig> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (!key.startsWith('hash_') && !key.startsWith('sticky_sessions_')) out[key] = value;
  }
  return out as Partial<UpstreamConfig>;
}
