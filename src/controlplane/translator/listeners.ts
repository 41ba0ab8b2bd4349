import type { ListenerConfig } from '../../config/types.js';
import { isValidListener, listenerHostname, type GatewayWorld } from './gateway.js';

/** listenerName: how a Gateway listener port is named in the config ("<ns>/<gateway>:<port>"). */
export function listenerName(gatewayKey: string, port: number): string {
  return `${gatewayKey}:${port}`;
}

/**
 * gatewayListeners: one ListenerConfig per distinct supported listener port of each managed
 * Gateway (a conflicted listener's port is not configured: gateway_types.go, Conflicted); an
 * HTTPS one lists the hostnames of the port's HTTPS listeners that are served (`*` for one
 * without), so that the proxy can tell which listener a request's SNI and Host select.
 */
export function gatewayListeners(world: GatewayWorld): ListenerConfig[] {
  const out = new Map<string, ListenerConfig>();
  for (const gw of world.gateways.values()) {
    if (gw.rejected !== undefined) continue;
    // The usable addresses; with none, those asked for (their bind fails, logged; the status says AddressNotUsable).
    const { static: asked, usable } = gw.addresses;
    const addresses = usable.length > 0 ? usable : asked;
    for (const l of gw.listeners) {
      if (!l.supported || l.conflicted || !Number.isInteger(l.port) || l.port < 1 || l.port > 65535) continue;
      const name = listenerName(gw.key, l.port);
      const https = l.protocol === 'HTTPS';
      let listener = out.get(name);
      if (listener === undefined) {
        listener = { name, port: l.port, protocol: https ? 'https' : 'http' };
        if (addresses.length > 0) listener.addresses = addresses;
        out.set(name, listener);
      }
      if (https && listener.protocol === 'https' && isValidListener(l) && l.certProblem === undefined) {
        const hostname = listenerHostname(l);
        const hostnames = (listener.hostnames ??= []);
        if (!hostnames.includes(hostname)) hostnames.push(hostname);
      }
    }
  }
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
