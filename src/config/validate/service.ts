import type { Protocol, ServiceConfig } from '../types.js';
import type { Issues, PathSeg } from './issues.js';
import { validatePlugins } from './plugins.js';
import { Scope, isObj } from './scope.js';

const FIELDS = ['name', 'protocol', 'host', 'port', 'path', 'retries', 'connect_timeout', 'read_timeout',
  'write_timeout', 'routes', 'plugins', 'enabled', 'tls_verify', 'tls_verify_depth'];
const MAX_TIMEOUT = 2147483646;

/** HOSTNAME_OR_IP: what Kong accepts as a service host (a name, an IPv4 or an IPv6 literal). */
export const HOSTNAME_OR_IP =
  /^(([a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*|\[?[0-9a-f:.]+\]?)$/i;

/**
 * validateService checks one service (without its routes, which the caller handles) and returns
 * it with Kong's defaults filled in; undefined when it is not a record.
 */
export function validateService(issues: Issues, raw: unknown, path: PathSeg[]): ServiceConfig | undefined {
  const name = isObj(raw) && typeof raw.name === 'string' ? raw.name : undefined;
  const s = new Scope(issues, { type: 'service', name, path }, isObj(raw) ? raw : {});
  if (!isObj(raw)) return void s.err(null, 'expected a record');
  s.unknown(FIELDS);
  s.str('name', true);
  const protocol = s.oneOf<Protocol>('protocol', ['http', 'https']) ?? 'http';
  const host = s.str('host', true);
  if (host !== undefined && (host.length > 253 || !HOSTNAME_OR_IP.test(host))) s.err('host', 'invalid hostname or IP');
  const svcPath = s.str('path');
  if (svcPath !== undefined && !svcPath.startsWith('/')) s.err('path', 'should start with: /');
  s.bool('enabled');
  s.bool('tls_verify');
  s.int('tls_verify_depth', 0, 64);
  const out: ServiceConfig = {
    name: name ?? '',
    protocol,
    host: host ?? '',
    port: s.int('port', 0, 65535) ?? (protocol === 'https' ? 443 : 80),
    retries: s.int('retries', 0, 32767) ?? 5,
    connect_timeout: s.int('connect_timeout', 1, MAX_TIMEOUT) ?? 60000,
    read_timeout: s.int('read_timeout', 1, MAX_TIMEOUT) ?? 60000,
    write_timeout: s.int('write_timeout', 1, MAX_TIMEOUT) ?? 60000,
    routes: [],
  };
  if (svcPath !== undefined) out.path = svcPath;
  const tags = s.tags();
  if (tags) out.tags = tags;
  const plugins = validatePlugins(issues, raw.plugins, path);
  if (plugins) out.plugins = plugins;
  return out;
}
