import { isIP } from 'node:net';
import type { TranslateOptions } from '../types.js';
import type { Reader } from './reader.js';

/** StatusAddress: one entry of Gateway status.addresses (GatewayStatusAddress). */
export interface StatusAddress {
  type: 'IPAddress' | 'Hostname';
  value: string;
}

function addressOf(value: string): StatusAddress {
  return { type: isIP(value) !== 0 ? 'IPAddress' : 'Hostname', value };
}

/**
 * serviceAddresses: what KIC's --publish-service reports: the Service's
 * status.loadBalancer.ingress (IPs, then hostnames), else its ClusterIP(s).
 */
function serviceAddresses(reader: Reader, ref: string): StatusAddress[] {
  const slash = ref.indexOf('/');
  if (slash <= 0) return [];
  const svc = reader.get('Service', ref.slice(0, slash), ref.slice(slash + 1));
  if (svc === undefined) return [];
  const ingress: any[] = Array.isArray(svc.status?.loadBalancer?.ingress) ? svc.status.loadBalancer.ingress : [];
  const fromLb = ingress.map((i) => (typeof i?.ip === 'string' ? i.ip : typeof i?.hostname === 'string' ? i.hostname : undefined))
    .filter((v): v is string => v !== undefined && v !== '');
  if (fromLb.length > 0) return fromLb.map(addressOf);
  const ips: unknown[] = Array.isArray(svc.spec?.clusterIPs) ? svc.spec.clusterIPs : [svc.spec?.clusterIP];
  return ips.filter((ip): ip is string => typeof ip === 'string' && ip !== '' && ip !== 'None').map(addressOf);
}

/**
 * publishedAddresses: the addresses Gateways and Ingresses report in status, as KIC picks them:
 * --publish-status-address when set, else --publish-service's, else the default (manifests mode:
 * the proxy's listen host).
 */
export function publishedAddresses(reader: Reader, opts: TranslateOptions): StatusAddress[] {
  if ((opts.publishStatusAddresses ?? []).length > 0) return opts.publishStatusAddresses!.map(addressOf);
  if (opts.publishService !== undefined && opts.publishService !== '') return serviceAddresses(reader, opts.publishService);
  return (opts.defaultStatusAddresses ?? []).map(addressOf);
}

/** ingressLoadBalancer: Ingress status.loadBalancer for the published addresses. */
export function ingressLoadBalancer(addresses: readonly StatusAddress[]): Record<string, unknown> {
  if (addresses.length === 0) return {};
  return { ingress: addresses.map((a) => (a.type === 'IPAddress' ? { ip: a.value } : { hostname: a.value })) };
}
