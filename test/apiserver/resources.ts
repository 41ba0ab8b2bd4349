/** Resource describes one REST collection the stand-in serves, as the real API server's discovery would. */
export interface Resource {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  /** Has a /status subresource: main-resource writes keep status, /status writes keep the rest. */
  status: boolean;
}

function r(group: string, version: string, plural: string, kind: string, namespaced = true, status = true): Resource {
  return { group, version, plural, kind, namespaced, status };
}

/** RESOURCES is every kind berth reads or writes, plus namespaces. */
export const RESOURCES: readonly Resource[] = [
  r('', 'v1', 'namespaces', 'Namespace', false),
  r('', 'v1', 'services', 'Service'),
  r('', 'v1', 'secrets', 'Secret', true, false),
  r('', 'v1', 'events', 'Event', true, false),
  r('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true, false),
  r('networking.k8s.io', 'v1', 'ingresses', 'Ingress'),
  r('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false, false),
  r('gateway.networking.k8s.io', 'v1', 'gatewayclasses', 'GatewayClass', false),
  r('gateway.networking.k8s.io', 'v1', 'gateways', 'Gateway'),
  r('gateway.networking.k8s.io', 'v1', 'httproutes', 'HTTPRoute'),
  r('gateway.networking.k8s.io', 'v1', 'grpcroutes', 'GRPCRoute'),
  r('configuration.konghq.com', 'v1beta1', 'kongupstreampolicies', 'KongUpstreamPolicy'),
  r('coordination.k8s.io', 'v1', 'leases', 'Lease', true, false),
  r('events.k8s.io', 'v1', 'events', 'Event', true, false),
];

/** isCustom says whether a resource comes from a CRD (its list items carry apiVersion/kind on the wire). */
export function isCustom(res: Resource): boolean {
  return res.group === 'gateway.networking.k8s.io' || res.group === 'configuration.konghq.com';
}

/** apiVersionOf gives "v1" for the core group, "group/version" otherwise. */
export function apiVersionOf(res: Resource): string {
  return res.group ? `${res.group}/${res.version}` : res.version;
}

/** resourceFor finds a resource by apiVersion + kind (for objects handed to the stand-in directly). */
export function resourceFor(apiVersion: string, kind: string): Resource {
  const found = RESOURCES.find((res) => apiVersionOf(res) === apiVersion && res.kind === kind);
  if (!found) throw new Error(`stand-in does not serve ${apiVersion} ${kind}`);
  return found;
}

/** ParsedPath is one request path split the way the API server routes it. */
export interface ParsedPath {
  resource: Resource;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** parsePath routes /api/v1/... and /apis/g/v/... paths; null when nothing is served there. */
export function parsePath(pathname: string): ParsedPath | null {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group = '';
  let version: string | undefined;
  if (parts[0] === 'api') {
    version = parts[1];
    parts.splice(0, 2);
  } else if (parts[0] === 'apis') {
    group = parts[1] ?? '';
    version = parts[2];
    parts.splice(0, 3);
  } else {
    return null;
  }
  let namespace: string | undefined;
  if ((parts[0] as string) === 'namespaces' && parts.length >= 3) {
    namespace = parts[1];
    parts.splice(0, 2);
  }
  const [plural, name, subresource, ...rest] = parts;
  const resource = RESOURCES.find((res) => res.group === group && res.version === version && res.plural === plural);
  if (!resource || rest.length > 0 || (namespace !== undefined && !resource.namespaced)) return null;
  return { resource, namespace, name, subresource };
}

/** MICRO_TIME_FIELDS: metav1.MicroTime fields, which the API server decodes strictly (see checkMicroTimes). */
const MICRO_TIME_FIELDS: Record<string, string[]> = {
  'coordination.k8s.io/leases': ['spec.acquireTime', 'spec.renewTime'],
  'events.k8s.io/events': ['eventTime', 'series.lastObservedTime'],
  '/events': ['eventTime'],
};

/** RFC3339_MICRO is the only layout MicroTime accepts: exactly six fractional digits (kubernetes#89156). */
const RFC3339_MICRO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;

/** checkMicroTimes returns the decoding error the API server answers a write with, or null. */
export function checkMicroTimes(res: Resource, obj: any): string | null {
  for (const path of MICRO_TIME_FIELDS[`${res.group}/${res.plural}`] ?? []) {
    const value = path.split('.').reduce((cur, key) => (cur == null ? undefined : cur[key]), obj);
    if (value != null && !(typeof value === 'string' && RFC3339_MICRO.test(value))) {
      return `parsing time "${String(value)}" as "2006-01-02T15:04:05.000000Z07:00": cannot parse`;
    }
  }
  return null;
}
