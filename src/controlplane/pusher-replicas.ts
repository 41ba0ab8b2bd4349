import { DiscoveryV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Permission } from './sources/kube-kinds.js';

/** DISCOVERY_PERMISSIONS: the admin Service's EndpointSlices are listed to find the replicas. */
export const DISCOVERY_PERMISSIONS: readonly Permission[] = [
  { group: 'discovery.k8s.io', resource: 'endpointslices', verbs: ['list'] },
];

/** AdminService names the Service in front of the gateways' admin ports (`--gateway-admin-service ns/name`). */
export interface AdminService {
  namespace: string;
  name: string;
  /** EndpointSlice port name (default "admin"). */
  portName?: string;
}

/** parseAdminService reads "namespace/name" (the namespace defaults to `fallbackNamespace`). */
export function parseAdminService(value: string, fallbackNamespace = 'default'): AdminService {
  const parts = value.split('/');
  if (parts.length > 2 || parts.some((p) => !p)) throw new Error(`expected namespace/name, got "${value}"`);
  return parts.length === 2 ? { namespace: parts[0]!, name: parts[1]! } : { namespace: fallbackNamespace, name: parts[0]! };
}

/**
 * discoverReplicas lists the Service's EndpointSlices and returns one admin URL per endpoint that
 * is ready or still serving (a draining gateway still proxies pinned sessions, so it keeps getting config).
 */
export async function discoverReplicas(kc: KubeConfig, svc: AdminService): Promise<string[]> {
  const api = kc.makeApiClient(DiscoveryV1Api);
  const list = await api.listNamespacedEndpointSlice({
    namespace: svc.namespace, labelSelector: `kubernetes.io/service-name=${svc.name}`,
  });
  const urls = new Set<string>();
  for (const slice of list.items) {
    const port = slice.ports?.find((p) => (p.name ?? '') === (svc.portName ?? 'admin'))?.port;
    if (port === undefined) continue;
    for (const ep of slice.endpoints ?? []) {
      const address = ep.addresses[0];
      const usable = ep.conditions?.ready !== false || ep.conditions?.serving === true;
      if (address && usable) urls.add(`http://${address.includes(':') ? `[${address}]` : address}:${port}`);
    }
  }
  return [...urls].sort();
}
