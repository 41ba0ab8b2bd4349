import type { PluginConfig, ServiceConfig, UpstreamConfig } from '../types.js';
import type { Issues, PathSeg } from './issues.js';
import { validatePlugins } from './plugins.js';
import { isObj, Scope } from './scope.js';

/** What a backend's plugins may do: edit headers and path, not answer (the target is picked already). */
const BACKEND_PLUGINS = ['request-transformer', 'response-transformer'];

const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
/** An origin as RFC 6454 s6.2 serializes it, with Gateway API's `*.` host wildcard allowed. */
const ORIGIN = /^(https?):\/\/(\*\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$/;

/** checkCors validates Kong's `cors` plugin config as berth implements it. */
export function checkCors(config: Scope): void {
  config.unknown(['origins', 'methods', 'headers', 'exposed_headers', 'credentials', 'max_age', 'preflight_continue']);
  config.list('origins', (o) => (o === '*' || ORIGIN.test(o) ? undefined : 'expected "*" or an origin "scheme://host[:port]" (host may start with "*.")'));
  config.list('methods', (m) => (m === '*' || TOKEN.test(m) ? undefined : 'invalid method'));
  config.list('headers', (h) => (h === '*' || TOKEN.test(h) ? undefined : 'invalid header name'));
  config.list('exposed_headers', (h) => (h === '*' || TOKEN.test(h) ? undefined : 'invalid header name'));
  config.bool('credentials');
  config.int('max_age', 0, 2147483647);
  config.bool('preflight_continue');
}

/** checkMirror validates berth's `request-mirror` plugin config (upstreams are checked later). */
export function checkMirror(config: Scope): void {
  config.unknown(['mirrors']);
  const list = config.obj.mirrors;
  if (!Array.isArray(list) || list.length === 0) return config.err('mirrors', list === undefined ? 'required field missing' : 'expected a non-empty array');
  list.forEach((raw: unknown, i) => {
    if (!isObj(raw)) return config.err(['mirrors', i], 'expected a record');
    const m = new Scope(config.issues, config.entity, raw, [...config.prefix, 'mirrors', i]);
    m.unknown(['upstream', 'percent']);
    m.str('upstream', true);
    m.num('percent', 0, 100);
  });
}

/**
 * checkMirrorUpstreams: a `request-mirror` must name an upstream of the same config, or the
 * mirror would silently go nowhere.
 */
export function checkMirrorUpstreams(issues: Issues, services: ServiceConfig[], upstreams: UpstreamConfig[]): void {
  const names = new Set(upstreams.map((u) => u.name));
  services.forEach((svc, si) => {
    const check = (plugins: PluginConfig[] | undefined, path: Array<string | number>): void => {
      (plugins ?? []).forEach((p, pi) => {
        if (p.name !== 'request-mirror' || !Array.isArray(p.config?.mirrors)) return;
        p.config.mirrors.forEach((m, mi) => {
          if (typeof m?.upstream !== 'string' || names.has(m.upstream)) return;
          issues.add({ type: 'plugin', name: p.name, path: [...path, 'plugins', pi] }, ['config', 'mirrors', mi, 'upstream'], `unknown upstream '${m.upstream}'`);
        });
      });
    };
    check(svc.plugins, ['services', si]);
    (svc.routes ?? []).forEach((r, ri) => check(r.plugins, ['services', si, 'routes', ri]));
  });
}

/**
 * validateBackendPlugins checks a service's `backend_plugins`: backend name -> plugins, each a
 * request- or response-transformer.
 */
export function validateBackendPlugins(issues: Issues, raw: unknown, service: PathSeg[], name: string | undefined): Record<string, PluginConfig[]> | undefined {
  if (raw === undefined || raw === null) return undefined;
  const entity = { type: 'service', name, path: service };
  if (!isObj(raw)) return void issues.add(entity, ['backend_plugins'], 'expected a record');
  const out: Record<string, PluginConfig[]> = {};
  for (const [backend, list] of Object.entries(raw)) {
    const owner = [...service, 'backend_plugins', backend];
    const plugins = validatePlugins(issues, list, owner) ?? [];
    plugins.forEach((p, i) => {
      if (!BACKEND_PLUGINS.includes(p.name)) issues.add({ type: 'plugin', name: p.name, path: [...owner, 'plugins', i] }, ['name'], `only ${BACKEND_PLUGINS.join(', ')} may apply to a backend`);
    });
    out[backend] = plugins;
  }
  return out;
}
