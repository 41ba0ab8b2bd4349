import type { Protocol, ServiceConfig } from '../types.js';
import type { Issues, PathSeg } from './issues.js';
import { validateBackendPlugins } from './plugin-configs.js';
import { validatePlugins } from './plugins.js';
import { Scope, isObj } from './scope.js';

const FIELDS = ['name', 'url', 'protocol', 'host', 'port', 'path', 'retries', 'connect_timeout', 'read_timeout',
  'write_timeout', 'routes', 'plugins', 'enabled', 'tls_verify', 'tls_verify_depth',
  // berth extensions (Gateway API rule timeouts and retry)
  'request_timeout', 'backend_request_timeout', 'retry_statuses', 'retry_backoff', 'backend_plugins'];
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
  const entity = { type: 'service', name, path };
  if (!isObj(raw)) return void issues.add(entity, [], 'expected a record');
  const first = new Scope(issues, entity, raw);
  first.unknown(FIELDS);
  const s = first.has('url') ? new Scope(issues, entity, expandUrl(first, raw)) : first;
  s.str('name', true);
  const protocol = s.oneOf<Protocol>('protocol', ['http', 'https', 'grpc', 'grpcs']) ?? 'http';
  const host = s.str('host', true);
  if (host !== undefined && (host.length > 253 || !HOSTNAME_OR_IP.test(host))) s.err('host', 'invalid hostname or IP');
  const svcPath = s.str('path');
  if (svcPath !== undefined && !svcPath.startsWith('/')) s.err('path', 'should start with: /');
  const enabled = s.bool('enabled');
  s.bool('tls_verify');
  s.int('tls_verify_depth', 0, 64);
  const out: ServiceConfig = {
    name: name ?? '',
    protocol,
    host: host ?? '',
    port: s.int('port', 0, 65535) ?? (protocol === 'https' || protocol === 'grpcs' ? 443 : 80),
    retries: s.int('retries', 0, 32767) ?? 5,
    connect_timeout: s.int('connect_timeout', 1, MAX_TIMEOUT) ?? 60000,
    read_timeout: s.int('read_timeout', 1, MAX_TIMEOUT) ?? 60000,
    write_timeout: s.int('write_timeout', 1, MAX_TIMEOUT) ?? 60000,
    routes: [],
  };
  if (svcPath !== undefined) out.path = svcPath;
  if (enabled === false) out.enabled = false;
  gatewayApiExtensions(s, out);
  const tags = s.tags();
  if (tags) out.tags = tags;
  const plugins = validatePlugins(issues, s.obj.plugins, path);
  if (plugins) out.plugins = plugins;
  const backendPlugins = validateBackendPlugins(issues, s.obj.backend_plugins, path, name);
  if (backendPlugins) out.backend_plugins = backendPlugins;
  return out;
}

/** gatewayApiExtensions reads berth's timeout and retry fields; each is kept only when set. */
function gatewayApiExtensions(s: Scope, out: ServiceConfig): void {
  const request = s.int('request_timeout', 1, MAX_TIMEOUT);
  if (request !== undefined) out.request_timeout = request;
  const backend = s.int('backend_request_timeout', 1, MAX_TIMEOUT);
  if (backend !== undefined) out.backend_request_timeout = backend;
  // Gateway API allows 400..599 (HTTPRouteRetryStatusCode); a 1xx-3xx is not a failure to retry.
  const statuses = s.intList('retry_statuses', 400, 599);
  if (statuses !== undefined) out.retry_statuses = [...new Set(statuses)];
  const backoff = s.int('retry_backoff', 0, MAX_TIMEOUT);
  if (backoff !== undefined) out.retry_backoff = backoff;
}

/**
 * expandUrl: Kong's `url` shorthand sets protocol, host, port and path at once; setting any of
 * them as well is an error, as in Kong.
 */
function expandUrl(s: Scope, raw: Record<string, unknown>): Record<string, unknown> {
  const text = s.str('url');
  if (text === undefined) return raw;
  const clash = ['protocol', 'host', 'port', 'path'].filter((k) => s.has(k));
  if (clash.length > 0) {
    s.err('url', `cannot be set with: ${clash.join(', ')}`);
    return raw;
  }
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (!url) {
    s.err('url', 'invalid url');
    return raw;
  }
  const protocol = url.protocol.slice(0, -1);
  const out: Record<string, unknown> = { ...raw, protocol, host: url.hostname.replace(/^\[|\]$/g, '') };
  delete out.url;
  if (url.port !== '') out.port = Number(url.port);
  if (url.pathname !== '/' || text.endsWith('/')) out.path = decodeURIComponent(url.pathname);
  return out;
}
