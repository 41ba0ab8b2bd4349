import type { RouteConfig } from '../../config/types.js';
import type { KubeObject, TranslateOptions } from '../types.js';
import { buildGroup, findServicePort, type ResolvedBackend } from './backends.js';
import { tlsPair } from './gateway.js';
import { routeAnnotations } from './ingress-annotations.js';
import { exactPaths, prefixPaths } from './paths.js';
import { isHostname, isPath, regexProblem } from './syntax.js';
import { ingressLoadBalancer, publishedAddresses } from './addresses.js';
import type { Reader } from './reader.js';
import { TRANSLATION_FAILED, emptyOutput, refOf, warning, type UnitOutput } from './status.js';

export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

/**
 * isOurIngress: spec.ingressClassName, or the legacy annotation, names our class; an Ingress
 * naming no class is ours when our IngressClass is marked the cluster default.
 */
export function isOurIngress(reader: Reader, ing: KubeObject, ingressClass: string): boolean {
  const cls = ing.spec?.ingressClassName ?? ing.metadata.annotations?.[LEGACY_CLASS_ANNOTATION];
  if (cls !== undefined) return cls === ingressClass;
  return reader.get('IngressClass', undefined, ingressClass)?.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true';
}

/** ingressPaths encodes an Ingress path by pathType as KIC does (`/~` starts a regex), or says why not. */
export function ingressPaths(path: string, pathType: string): string[] | string {
  if (pathType === 'ImplementationSpecific' && path.startsWith('/~')) return regexProblem(path.slice(2)) ?? [path.slice(1)];
  const p = pathType === 'ImplementationSpecific' && path === '' ? '/' : path;
  if (!isPath(p)) return `path ${JSON.stringify(path)} is not a valid absolute path`;
  if (pathType === 'Exact') return exactPaths(p);
  if (pathType === 'Prefix') return prefixPaths(p);
  if (pathType === 'ImplementationSpecific') return [p];
  return `pathType ${pathType} is not supported`;
}

interface PathEntry {
  host: string | undefined;
  backend: ResolvedBackend;
  paths: string[];
}

function resolve(reader: Reader, ing: KubeObject, backend: any): ResolvedBackend | string {
  const svcRef = backend?.service;
  if (svcRef === undefined) return 'only service backends are supported';
  const ns = ing.metadata.namespace ?? '';
  const service = reader.get('Service', ns, String(svcRef.name));
  if (service === undefined) return `Service ${ns}/${svcRef.name} not found`;
  const port = findServicePort(service, svcRef.port ?? {});
  if (port === undefined) return `Service ${ns}/${svcRef.name} has no port ${svcRef.port?.number ?? svcRef.port?.name}`;
  return { service, port };
}

function collectPaths(reader: Reader, ing: KubeObject, problems: string[]): PathEntry[] {
  const entries: PathEntry[] = [];
  const rules: any[] = Array.isArray(ing.spec?.rules) ? ing.spec.rules : [];
  for (const rule of rules) {
    const host = typeof rule?.host === 'string' ? rule.host : undefined;
    if (host !== undefined && !isHostname(host)) {
      problems.push(`host ${JSON.stringify(host)} is not a valid hostname`);
      continue;
    }
    for (const p of Array.isArray(rule?.http?.paths) ? rule.http.paths : []) {
      const paths = ingressPaths(typeof p?.path === 'string' ? p.path : '/', p?.pathType ?? 'ImplementationSpecific');
      const backend = resolve(reader, ing, p?.backend);
      if (typeof paths === 'string') problems.push(`path ${JSON.stringify(p?.path)}: ${paths}`);
      else if (typeof backend === 'string') problems.push(`path ${JSON.stringify(p?.path)}: ${backend}`);
      else entries.push({ host, backend, paths });
    }
  }
  if (ing.spec?.defaultBackend !== undefined) {
    const backend = resolve(reader, ing, ing.spec.defaultBackend);
    if (typeof backend === 'string') problems.push(`defaultBackend: ${backend}`);
    else entries.push({ host: undefined, backend, paths: ['/'] });
  }
  return entries;
}

function addCertificates(reader: Reader, ing: KubeObject, out: UnitOutput, problems: string[]): void {
  const ns = ing.metadata.namespace ?? '';
  for (const tls of Array.isArray(ing.spec?.tls) ? ing.spec.tls : []) {
    if (typeof tls?.secretName !== 'string') continue;
    const secret = reader.get('Secret', ns, tls.secretName);
    const pair = secret === undefined ? undefined : tlsPair(secret);
    if (pair === undefined) problems.push(`tls: Secret ${ns}/${tls.secretName} is missing or not a valid kubernetes.io/tls Secret`);
    else out.certificates.push({ key: `${ns}/${tls.secretName}`, certificate: { ...pair, snis: Array.isArray(tls.hosts) ? tls.hosts : [] } });
  }
}

/**
 * translateIngress is the unit of work for one Ingress (nothing unless of our class): one Kong route per
 * (host, Service port) with its paths, one service + upstream per Service port (shared with other
 * Ingresses, named `<ns>.<service>.<port>` like KIC), TLS certificates, and events for whatever
 * could not be used.
 */
export function translateIngress(reader: Reader, ing: KubeObject, opts: TranslateOptions): UnitOutput {
  const out = emptyOutput();
  reader.get('Ingress', ing.metadata.namespace, ing.metadata.name);
  if (!isOurIngress(reader, ing, opts.ingressClass)) return out;
  const drainSupport = opts.enableDrainSupport;
  const problems: string[] = [];
  const ann = routeAnnotations(ing.metadata.annotations);
  problems.push(...ann.problems);
  const grouped = new Map<string, { entry: PathEntry; paths: string[] }>();
  for (const e of collectPaths(reader, ing, problems)) {
    const key = `${e.backend.service.metadata.name}.${e.host ?? '_'}.${e.backend.port.port}`;
    const g = grouped.get(key) ?? { entry: e, paths: [] };
    g.paths.push(...e.paths.filter((p) => !g.paths.includes(p)));
    grouped.set(key, g);
  }
  const services = new Map<string, RouteConfig[]>();
  for (const [key, { entry, paths }] of grouped) {
    const svcName = `${ing.metadata.namespace}.${entry.backend.service.metadata.name}.${entry.backend.port.port}`;
    const route: RouteConfig = { name: `${ing.metadata.namespace}.${ing.metadata.name}.${key}`, protocols: ['http', 'https'] };
    if (entry.host !== undefined) route.hosts = [entry.host];
    Object.assign(route, { paths, strip_path: false, preserve_host: true }, ann.fields, { tags: ingressTags(ing) });
    if (!services.has(svcName)) addService(reader, svcName, entry.backend, drainSupport, out);
    services.set(svcName, [...(services.get(svcName) ?? []), route]);
  }
  for (const svc of out.services) svc.routes = (services.get(svc.name) ?? []).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  addCertificates(reader, ing, out, problems);
  for (const p of problems) out.events.push(warning(ing, TRANSLATION_FAILED, p));
  out.statuses.push({ ref: refOf(ing), status: { loadBalancer: ingressLoadBalancer(publishedAddresses(reader, opts)) } });
  return out;
}

function addService(reader: Reader, name: string, backend: ResolvedBackend, drainSupport: boolean, out: UnitOutput): void {
  const built = buildGroup(reader, { name, backends: [backend], drainSupport });
  out.services.push(built.service);
  out.upstreams.push(built.upstream);
  out.policyUses.push(...built.uses);
  out.events.push(...built.events);
}

function ingressTags(ing: KubeObject): string[] {
  return [`k8s-namespace:${ing.metadata.namespace ?? ''}`, `k8s-name:${ing.metadata.name}`, 'k8s-kind:Ingress'];
}

