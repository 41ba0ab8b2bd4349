import { isIP } from 'node:net';
import { CidrSet } from '../../lib/cidr-set.js';
import type { KubeObject } from '../types.js';

/**
 * GatewayAddresses: what a Gateway's spec.addresses ask of berth (apis/v1/gateway_types.go,
 * GatewaySpecAddress). berth binds IP addresses only; an address of type IPAddress without a value
 * asks for one to be assigned, and gets the published addresses (addresses.ts).
 */
export interface GatewayAddresses {
  /** The static IP addresses the Gateway's listeners are served on. */
  static: string[];
  /** Those of `static` this host has no interface for (only judged when the host's addresses are known). */
  unusable: string[];
  /** `static` without `unusable`: where the Gateway can be reached. */
  usable: string[];
  /** Why the Gateway cannot be accepted (UnsupportedAddress); undefined when it can. */
  unsupported?: string;
}

/**
 * gatewayAddresses reads spec.addresses. `bindable`: the CIDRs of this host's interfaces when the
 * proxy serves Gateways here (berth run on one machine); undefined where berth cannot tell (a
 * cluster, where a load balancer may own the address), and then every IP address counts as usable.
 */
export function readGatewayAddresses(gw: KubeObject, bindable: readonly string[] | undefined): GatewayAddresses {
  const raw: unknown[] = Array.isArray(gw.spec?.addresses) ? gw.spec.addresses : [];
  const out: GatewayAddresses = { static: [], unusable: [], usable: [] };
  for (const entry of raw) {
    const a = (entry ?? {}) as { type?: unknown; value?: unknown };
    const type = a.type ?? 'IPAddress';
    if (type !== 'IPAddress') {
      out.unsupported ??= `address type ${String(type)} is not supported: berth is served on IP addresses only`;
      continue;
    }
    if (a.value === undefined || a.value === null || a.value === '') continue;
    if (typeof a.value !== 'string' || isIP(a.value) === 0) {
      out.unsupported ??= `address ${JSON.stringify(a.value)} is not an IP address`;
      continue;
    }
    out.static.push(a.value);
  }
  if (bindable !== undefined && out.static.length > 0) {
    const local = new CidrSet(bindable);
    out.unusable = out.static.filter((ip) => !WILDCARDS.has(ip) && !local.has(ip));
  }
  out.usable = out.unusable.length === 0 ? out.static : out.static.filter((ip) => !out.unusable.includes(ip));
  return out;
}

/** Every interface: bindable wherever berth runs, however it is written (`::0`, `::ffff:0.0.0.0`). */
const WILDCARDS = new CidrSet(['0.0.0.0/32', '::/128']);
