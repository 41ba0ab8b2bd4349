/**
 * Permission is one (API group, resource, verb) the controller uses against the API server. Every
 * module that talks to the cluster exports the table it builds its calls from, and test/rbac.test.ts
 * checks deploy/'s ClusterRole against the union of those tables.
 */
export interface Permission {
  group: string;
  resource: string;
  verbs: readonly string[];
}

/** WatchedKind is one kind the translator reads, with where the informer lists and watches it. */
export interface WatchedKind {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  /** Narrows what is listed/watched (only TLS Secrets: the rest are none of our business). */
  fieldSelector?: string;
}

/** WATCHED_KINDS is every kind the translator reads; the informers are built from this table. */
export const WATCHED_KINDS: readonly WatchedKind[] = [
  { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'gatewayclasses', kind: 'GatewayClass', namespaced: false },
  { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'gateways', kind: 'Gateway', namespaced: true },
  { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes', kind: 'HTTPRoute', namespaced: true },
  { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'grpcroutes', kind: 'GRPCRoute', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', kind: 'Ingress', namespaced: true },
  { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true },
  { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', kind: 'EndpointSlice', namespaced: true },
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true, fieldSelector: 'type=kubernetes.io/tls' },
  { group: 'configuration.konghq.com', version: 'v1beta1', plural: 'kongupstreampolicies', kind: 'KongUpstreamPolicy', namespaced: true },
];

/** SOURCE_PERMISSIONS: informers list then watch each watched kind. */
export const SOURCE_PERMISSIONS: readonly Permission[] = WATCHED_KINDS.map((k) => ({
  group: k.group,
  resource: k.plural,
  verbs: ['list', 'watch'],
}));

/** apiVersionOf gives "v1" for the core group, "group/version" otherwise. */
export function apiVersionOf(k: { group: string; version: string }): string {
  return k.group ? `${k.group}/${k.version}` : k.version;
}

/** collectionPath is the REST path of a kind's collection, cluster-wide or in one namespace. */
export function collectionPath(k: WatchedKind, namespace?: string): string {
  const prefix = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
  return namespace && k.namespaced ? `${prefix}/namespaces/${encodeURIComponent(namespace)}/${k.plural}` : `${prefix}/${k.plural}`;
}
