import { isIP } from 'node:net';
import type { GatewayConfig, ListenerConfig } from '../types.js';
import type { Issues, PathSeg } from './issues.js';
import { Scope, isObj } from './scope.js';

const NAME = /^[^\s:]+\/[^\s:]+:\d{1,5}$/;
/** Gateway API's Hostname pattern (apis/v1/shared_types.go, no per-label length), or `*`: what the translator emits. */
const LISTENER_HOSTNAME = /^(\*|(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/i;

/** checkListenerHostname: a Gateway listener hostname (a DNS name, or a `*.` wildcard), or `*` for a listener without one. */
export function checkListenerHostname(h: string): string | undefined {
  return h.length <= 253 && LISTENER_HOSTNAME.test(h) ? undefined : 'expected a hostname, a *. wildcard or *';
}

/** validateListener checks one top-level `listeners` entry (berth; config/types.ts ListenerConfig). */
export function validateListener(issues: Issues, raw: unknown, path: PathSeg[]): ListenerConfig | undefined {
  const name = isObj(raw) && typeof raw.name === 'string' ? raw.name : undefined;
  const s = new Scope(issues, { type: 'listener', name, path }, isObj(raw) ? raw : {});
  if (!isObj(raw)) return void s.err(null, 'expected a record');
  s.unknown(['name', 'port', 'protocol', 'addresses', 'hostnames']);
  const protocol = s.oneOf('protocol', ['http', 'https'] as const) ?? 'http';
  const port = s.int('port', 1, 65535);
  if (port === undefined && !s.has('port')) s.err('port', 'required field missing');
  if (s.str('name', true) !== undefined && (!NAME.test(name!) || (port !== undefined && !name!.endsWith(`:${port}`)))) {
    s.err('name', 'expected "<namespace>/<gateway>:<port>" with the listener port');
  }
  const addresses = s.list('addresses', (a) => (isIP(a) !== 0 ? undefined : 'expected an IP address'));
  const hostnames = s.list('hostnames', checkListenerHostname);
  if (hostnames !== undefined && protocol !== 'https') s.err('hostnames', 'only https listeners select by hostname');
  if (name === undefined || port === undefined) return undefined;
  const listener: ListenerConfig = { name, port, protocol };
  if (addresses !== undefined && addresses.length > 0) listener.addresses = addresses;
  if (hostnames !== undefined && hostnames.length > 0 && protocol === 'https') listener.hostnames = hostnames;
  return listener;
}

/** checkRouteListeners: every listener a route names is declared, and names are unique. */
export function checkRouteListeners(issues: Issues, config: GatewayConfig): void {
  const declared = new Set<string>();
  for (const [i, l] of (config.listeners ?? []).entries()) {
    if (declared.has(l.name)) issues.add({ type: 'listener', name: l.name, path: ['listeners', i] }, ['name'], `duplicate listener name '${l.name}'`);
    declared.add(l.name);
  }
  for (const [i, svc] of (config.services ?? []).entries()) {
    for (const [j, route] of (svc.routes ?? []).entries()) {
      for (const [k, name] of (route.listeners ?? []).entries()) {
        if (!declared.has(name)) issues.add({ type: 'route', name: route.name, path: ['services', i, 'routes', j] }, ['listeners', k], `unknown listener '${name}'`);
      }
    }
  }
}
