import type { ListenerIsolation, RouteConfig, RouteProtocol } from '../types.js';
import type { Issues, PathSeg } from './issues.js';
import { validatePrecedence } from './gateway-api.js';
import { checkListenerHostname } from './listeners.js';
import { validatePlugins } from './plugins.js';
import { Scope, isObj, own } from './scope.js';

const FIELDS = ['name', 'service', 'protocols', 'methods', 'hosts', 'paths', 'headers', 'query_params',
  'strip_path', 'preserve_host', 'regex_priority', 'https_redirect_status_code', 'plugins', 'path_handling',
  'request_buffering', 'response_buffering', 'snis', 'sources', 'destinations', 'gateway_api_precedence', 'listeners',
  'listener_isolation'];
const MATCHERS = ['methods', 'hosts', 'paths', 'headers', 'query_params', 'snis'];
const REDIRECT_CODES = [426, 301, 302, 307, 308];
const METHOD = /^[A-Z]+$/;
const LABEL = '[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?';
/** A route host: a name with at most one `*` as its whole first or last label, optional port. */
const ROUTE_HOST = new RegExp(`^(\\*\\.)?${LABEL}(\\.${LABEL})*(\\.\\*)?(:\\d{1,5})?$`, 'i');

/**
 * validateRoute checks one route and returns it with Kong's defaults filled in. `topLevel`
 * routes must name their service; nested ones must not (the nesting names it).
 */
export function validateRoute(issues: Issues, raw: unknown, path: PathSeg[], topLevel: boolean): RouteConfig | undefined {
  const name = isObj(raw) && typeof raw.name === 'string' ? raw.name : undefined;
  const s = new Scope(issues, { type: 'route', name, path }, isObj(raw) ? raw : {});
  if (!isObj(raw)) return void s.err(null, 'expected a record');
  s.unknown(FIELDS);
  s.str('name', true);
  const out: RouteConfig = {
    name: name ?? '',
    protocols: (s.list('protocols', checkProtocol) as RouteProtocol[] | undefined) ?? ['http', 'https'],
    strip_path: s.bool('strip_path') ?? true,
    preserve_host: s.bool('preserve_host') ?? false,
    regex_priority: s.int('regex_priority', -2147483648, 2147483647) ?? 0,
  };
  if (out.protocols!.length === 0) s.err('protocols', 'length must be at least 1');
  fillMatchers(s, out);
  const precedence = validatePrecedence(s);
  if (precedence) out.gateway_api_precedence = precedence;
  const listeners = s.list('listeners');
  if (listeners?.length) out.listeners = listeners;
  const isolation = validateIsolation(s);
  if (isolation) out.listener_isolation = isolation;
  if (topLevel) out.service = serviceRef(s);
  else if (own(raw, 'service') !== undefined) s.err('service', 'a nested route must not name a service');
  const tags = s.tags();
  if (tags) out.tags = tags;
  const plugins = validatePlugins(issues, own(raw, 'plugins'), path);
  if (plugins) out.plugins = plugins;
  return out;
}

function validateIsolation(route: Scope): ListenerIsolation | undefined {
  const s = route.child('listener_isolation');
  if (s === undefined) return undefined;
  s.unknown(['served', 'other']);
  const served = s.list('served', checkListenerHostname);
  const other = s.list('other', checkListenerHostname);
  for (const key of ['served', 'other']) if (!s.has(key)) s.err(key, 'required field missing');
  if (served?.length === 0) s.err('served', 'expected a non-empty array');
  if (served === undefined || other === undefined || served.length === 0) return undefined;
  return { served: served.map((h) => h.toLowerCase()), other: other.map((h) => h.toLowerCase()) };
}

function fillMatchers(s: Scope, out: RouteConfig): void {
  const methods = s.list('methods', (m) => (METHOD.test(m) ? undefined : 'invalid method (uppercase letters only)'));
  const hosts = s.list('hosts', (h) => (h.length <= 253 && ROUTE_HOST.test(h) && !(h.startsWith('*.') && h.endsWith('.*')) ? undefined : 'invalid wildcard or hostname'));
  const paths = s.list('paths', checkPath);
  const headers = headerMap(s, 'headers', true);
  const query = headerMap(s, 'query_params', false);
  if (methods?.length) out.methods = methods;
  if (hosts?.length) out.hosts = hosts.map((h) => h.toLowerCase());
  if (paths?.length) out.paths = paths;
  if (headers && Object.keys(headers).length) out.headers = headers;
  if (query && Object.keys(query).length) out.query_params = query;
  const redirect = s.int('https_redirect_status_code', 0, 999);
  if (redirect !== undefined && !REDIRECT_CODES.includes(redirect)) {
    s.err('https_redirect_status_code', `expected one of: ${REDIRECT_CODES.join(', ')}`);
  }
  out.https_redirect_status_code = redirect ?? 426;
  s.oneOf('path_handling', ['v0', 'v1']);
  s.bool('request_buffering');
  s.bool('response_buffering');
  if (!MATCHERS.some((k) => nonEmpty(own(s.obj, k)))) {
    s.err(null, "must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http' or 'https'");
  }
}

function checkProtocol(p: string): string | undefined {
  return p === 'http' || p === 'https' || p === 'grpc' || p === 'grpcs' ? undefined : 'expected one of: http, https, grpc, grpcs';
}

/** checkPath: Kong paths are prefixes starting with '/' or regexes starting with '~' that compile. */
function checkPath(p: string): string | undefined {
  if (p.startsWith('~')) {
    try {
      new RegExp(p.slice(1));
      return undefined;
    } catch (err) {
      return `invalid regex: '${p.slice(1)}' (${(err as Error).message})`;
    }
  }
  if (!p.startsWith('/')) return 'should start with: / (fixed path) or ~/ (regex path)';
  if (/[\s?#]/.test(p)) return 'must not contain whitespace, ? or #';
  return undefined;
}

function headerMap(s: Scope, key: string, isHeader: boolean): Record<string, string[]> | undefined {
  const sub = s.child(key);
  if (!sub) return undefined;
  const out: Record<string, string[]> = {};
  for (const name of Object.keys(sub.obj)) {
    if (isHeader && name.toLowerCase() === 'host') {
      sub.err(name, "cannot contain 'host' header, which must be specified in the 'hosts' attribute");
      continue;
    }
    const values = sub.list(name, (v) => (v.startsWith('~*') ? regexError(v.slice(2)) : undefined));
    if (values && values.length === 0) sub.err(name, 'length must be at least 1');
    else if (values) define(out, isHeader ? name.toLowerCase() : name, values);
  }
  return out;
}

function regexError(src: string): string | undefined {
  try {
    new RegExp(src, 'i');
    return undefined;
  } catch (err) {
    return `invalid regex: '${src}' (${(err as Error).message})`;
  }
}

function serviceRef(s: Scope): string | undefined {
  const ref = own(s.obj, 'service');
  if (typeof ref === 'string' && ref.length > 0) return ref;
  if (isObj(ref) && typeof ref.name === 'string' && ref.name.length > 0) return ref.name;
  if (isObj(ref) && typeof ref.id === 'string' && ref.id.length > 0) return ref.id;
  s.err('service', ref === undefined ? 'required field missing' : 'expected a service name or {name}');
  return undefined;
}

/** define sets a key taken from input without letting "__proto__" reach the prototype. */
function define(obj: Record<string, string[]>, key: string, value: string[]): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function nonEmpty(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return isObj(v) && Object.keys(v).length > 0;
}
