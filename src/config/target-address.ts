import { IDENTITY_TAG_PREFIX, type TargetConfig } from './types.js';

/** DEFAULT_TARGET_PORT: Kong's port for a target written without one. */
export const DEFAULT_TARGET_PORT = 8000;

/**
 * parseTargetAddress splits a Kong target ("host", "host:port", "[v6]", "[v6]:port") into host
 * (without brackets) and port. A bare IPv6 address without brackets is accepted as a host, since
 * its colons cannot be a port separator. Throws on anything else so validation can report it.
 */
export function parseTargetAddress(target: string): { host: string; port: number } {
  const text = target.trim();
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 2) throw new Error(`invalid target address "${target}"`);
    const host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (!host.includes(':')) throw new Error(`invalid IPv6 address in "${target}"`);
    if (rest === '') return { host: host.toLowerCase(), port: DEFAULT_TARGET_PORT };
    if (!rest.startsWith(':')) throw new Error(`invalid target address "${target}"`);
    return { host: host.toLowerCase(), port: parsePort(rest.slice(1), target) };
  }
  const colons = text.split(':').length - 1;
  if (colons > 1) return { host: checkHost(text, target), port: DEFAULT_TARGET_PORT };
  if (colons === 0) return { host: checkHost(text, target), port: DEFAULT_TARGET_PORT };
  const at = text.indexOf(':');
  return { host: checkHost(text.slice(0, at), target), port: parsePort(text.slice(at + 1), target) };
}

/** targetIdentity: the `berth.identity=` tag value (a pod UID), else the normalized address. */
export function targetIdentity(t: TargetConfig): string {
  for (const tag of t.tags ?? []) {
    if (typeof tag === 'string' && tag.startsWith(IDENTITY_TAG_PREFIX) && tag.length > IDENTITY_TAG_PREFIX.length) {
      return tag.slice(IDENTITY_TAG_PREFIX.length);
    }
  }
  const { host, port } = parseTargetAddress(t.target);
  return formatAddress(host, port);
}

/** formatAddress prints "host:port" as Kong does, IPv6 in brackets. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function parsePort(text: string, target: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new Error(`invalid port in target "${target}"`);
  const port = Number(text);
  if (port > 65535) throw new Error(`port out of range in target "${target}"`);
  return port;
}

const HOSTNAME = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/i;

function checkHost(host: string, target: string): string {
  if (host.includes(':')) {
    if (!/^[0-9a-f:.]+$/i.test(host)) throw new Error(`invalid IPv6 address in "${target}"`);
    return host.toLowerCase();
  }
  if (host.length === 0 || host.length > 253 || !HOSTNAME.test(host)) {
    throw new Error(`invalid hostname in target "${target}"`);
  }
  return host.toLowerCase();
}
