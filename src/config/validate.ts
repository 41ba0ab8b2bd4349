import type { CertificateConfig, ConfigErrorBody, FlatConfigError, GatewayConfig, RouteConfig, ServiceConfig, UpstreamConfig } from './types.js';
import { FORMAT_VERSION } from './types.js';
import { validateCertificate } from './validate/certificate.js';
import { checkMirrorUpstreams } from './validate/plugin-configs.js';
import { Issues, type PathSeg } from './validate/issues.js';
import { checkRouteListeners, validateListener } from './validate/listeners.js';
import { validateRoute } from './validate/route.js';
import { isObj, own } from './validate/scope.js';
import { validateService } from './validate/service.js';
import { validateUpstream } from './validate/upstream.js';

export type ValidationResult =
  | { ok: true; config: GatewayConfig }
  | { ok: false; error: ConfigErrorBody; flat: FlatConfigError[] };

const FORMATS = ['1.1', '2.1', '3.0'];
const ENTITIES = ['services', 'routes', 'upstreams', 'certificates', 'plugins', 'listeners'];
const ROOT = { type: 'config', name: undefined, path: [] as PathSeg[] };

/**
 * validateConfig checks a declarative config by Kong's rules and returns it normalized (defaults
 * filled in, top-level routes moved under their service), or every error in Kong's two shapes.
 * It never throws, whatever the input.
 */
export function validateConfig(input: unknown): ValidationResult {
  const issues = new Issues();
  let config: GatewayConfig | undefined;
  try {
    config = check(issues, input);
  } catch (err) {
    issues.add(ROOT, [], `internal validation error: ${(err as Error)?.message ?? String(err)}`);
  }
  if (issues.count > 0 || !config) return { ok: false, error: issues.body(), flat: issues.flat() };
  return { ok: true, config };
}

function check(issues: Issues, input: unknown): GatewayConfig | undefined {
  if (!isObj(input)) {
    issues.add(ROOT, [], 'expected a record (the declarative config object)');
    return undefined;
  }
  const version = own(input, '_format_version');
  if (version === undefined) issues.add(ROOT, ['_format_version'], 'required field missing');
  else if (typeof version !== 'string' || !FORMATS.includes(version)) {
    issues.add(ROOT, ['_format_version'], `expected one of: ${FORMATS.join(', ')}`);
  }
  for (const key of Object.keys(input)) {
    if (!key.startsWith('_') && !ENTITIES.includes(key)) issues.add(ROOT, [key], `unsupported entity '${key}'`);
  }
  const services = each(issues, input, 'services', (raw, path) => serviceWithRoutes(issues, raw, path));
  const upstreams = each(issues, input, 'upstreams', (raw, path) => validateUpstream(issues, raw, path));
  const certificates = each(issues, input, 'certificates', (raw, path) => validateCertificate(issues, raw, path));
  const topRoutes = each(issues, input, 'routes', (raw, path) => validateRoute(issues, raw, path, true));
  if (Array.isArray(own(input, 'plugins')) && (own(input, 'plugins') as unknown[]).length > 0) {
    issues.add(ROOT, ['plugins'], 'global plugins are not supported; attach plugins to a service or a route');
  }
  const listeners = each(issues, input, 'listeners', (raw, path) => validateListener(issues, raw, path));
  attachTopRoutes(issues, services, topRoutes);
  checkMirrorUpstreams(issues, services, upstreams);
  checkUnique(issues, services, upstreams, certificates);
  const config: GatewayConfig = { _format_version: FORMAT_VERSION, services, upstreams, certificates };
  if (listeners.length > 0) config.listeners = listeners;
  checkRouteListeners(issues, config);
  return config;
}

function each<T>(issues: Issues, input: Record<string, unknown>, key: string, fn: (raw: unknown, path: PathSeg[]) => T | undefined): T[] {
  const raw = own(input, key);
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    issues.add(ROOT, [key], 'expected an array');
    return [];
  }
  const out: T[] = [];
  raw.forEach((item, i) => {
    const v = fn(item, [key, i]);
    if (v !== undefined) out.push(v);
  });
  return out;
}

function serviceWithRoutes(issues: Issues, raw: unknown, path: PathSeg[]): ServiceConfig | undefined {
  const service = validateService(issues, raw, path);
  if (!service || !isObj(raw)) return service;
  service.routes = each(issues, raw, 'routes', (r, rp) => validateRoute(issues, r, [...path, ...rp], false));
  return service;
}

type Located<T> = { value: T; path: PathSeg[] };

/** attachTopRoutes moves top-level routes under the service they name. */
function attachTopRoutes(issues: Issues, services: ServiceConfig[], routes: RouteConfig[]): void {
  const byName = new Map(services.map((s) => [s.name, s]));
  routes.forEach((route, i) => {
    const ref = route.service as string | undefined;
    delete route.service;
    if (ref === undefined) return;
    const svc = byName.get(ref);
    if (!svc) issues.add({ type: 'route', name: route.name, path: ['routes', i] }, ['service'], `unknown service '${ref}'`);
    else svc.routes!.push(route);
  });
}

function checkUnique(issues: Issues, services: ServiceConfig[], upstreams: UpstreamConfig[], certs: CertificateConfig[]): void {
  const located = <T>(list: T[], key: string): Located<T>[] => list.map((value, i) => ({ value, path: [key, i] }));
  dupes(issues, 'service', located(services, 'services'), (s) => s.name);
  dupes(issues, 'upstream', located(upstreams, 'upstreams'), (u) => u.name);
  const routes = services.flatMap((s, si) => (s.routes ?? []).map((value, ri) => ({ value, path: ['services', si, 'routes', ri] as PathSeg[] })));
  dupes(issues, 'route', routes, (r) => r.name);
  const snis = certs.flatMap((c, ci) => (c.snis ?? []).map((value) => ({ value: String(value), path: ['certificates', ci] as PathSeg[] })));
  dupes(issues, 'certificate', snis, (s) => s, 'snis');
}

/** dupes reports every entity whose name an earlier entity of the same type already used. */
function dupes<T>(issues: Issues, type: string, list: Located<T>[], nameOf: (v: T) => string, field = 'name'): void {
  const seen = new Set<string>();
  for (const { value, path } of list) {
    const name = nameOf(value);
    if (name === '') continue;
    if (seen.has(name)) issues.add({ type, name, path }, [field], `uniqueness violation: ${type} '${name}' is defined more than once`);
    seen.add(name);
  }
}
