import type { CorsConfig, MirrorDestination, PluginConfig, RequestRedirectConfig, RequestTransformerConfig, ResponseTransformerConfig } from '../../config/types.js';
import { isHostname, isPath, isToken } from './syntax.js';

/** FilterContext: what a filter needs from the match it applies to. */
export interface FilterContext {
  /** The PathPrefix of the match, when it is one (URLRewrite ReplacePrefixMatch needs it). */
  prefix: string | undefined;
  /**
   * mirrorUpstream resolves a RequestMirror backendRef to the upstream the copy goes to, or null
   * when the ref does not resolve (it reports that itself; the spec drops such a mirror).
   */
  mirrorUpstream?: (backendRef: unknown) => string | null;
}

export type FilterResult = { ok: true; plugins: PluginConfig[] } | { ok: false; problem: string };

type Transformer = RequestTransformerConfig & ResponseTransformerConfig;

const REDIRECT_CODES = [301, 302, 303, 307, 308];

/** push appends header entries to a transformer section, keeping its other fields (replace.uri). */
function push<T extends { headers?: string[] }>(section: T | undefined, entries: string[]): T {
  return { ...section, headers: [...(section?.headers ?? []), ...entries] } as T;
}

/**
 * headerModifier maps RequestHeaderModifier / ResponseHeaderModifier onto Kong's transformer:
 * `set` must overwrite or create, and Kong's `replace` only overwrites, so it goes to both
 * `replace` and `add`; `add` appends a value (`append`); `remove` removes.
 */
function headerModifier(cfg: Transformer, m: any): string | undefined {
  const listOf = (list: unknown): any[] => (Array.isArray(list) ? list : []);
  const names = [...listOf(m?.set), ...listOf(m?.add)].map((h) => h?.name).concat(listOf(m?.remove));
  const bad = names.find((n) => !isToken(n));
  if (bad !== undefined) return `header name ${JSON.stringify(bad)} is not valid`;
  if ([...listOf(m?.set), ...listOf(m?.add)].some((h) => typeof h?.value !== 'string' || /[\r\n\0]/.test(h.value))) return 'header values must be strings without line breaks';
  const pairs = (list: unknown) => listOf(list).map((h: any) => `${h.name}:${h.value}`);
  const set = pairs(m?.set);
  if (set.length > 0) {
    cfg.replace = push(cfg.replace, set);
    cfg.add = push(cfg.add, set);
  }
  const add = pairs(m?.add);
  if (add.length > 0) cfg.append = push(cfg.append, add);
  const remove = listOf(m?.remove).map(String);
  if (remove.length > 0) cfg.remove = push(cfg.remove, remove);
  return undefined;
}

function rewrite(cfg: RequestTransformerConfig, f: any, ctx: FilterContext): string | undefined {
  if (f?.hostname !== undefined && !isHostname(f.hostname, false)) return `URLRewrite hostname ${JSON.stringify(f.hostname)} is not valid`;
  if (typeof f?.hostname === 'string') cfg.replace = { ...cfg.replace, headers: [...(cfg.replace?.headers ?? []), `Host:${f.hostname}`] };
  const path = f?.path;
  if (path === undefined) return undefined;
  const target = path.type === 'ReplaceFullPath' ? path.replaceFullPath : path.replacePrefixMatch;
  if (!isPath(target)) return `URLRewrite path ${JSON.stringify(target)} is not a valid absolute path`;
  if (path.type === 'ReplaceFullPath' && typeof path.replaceFullPath === 'string') {
    cfg.replace = { ...cfg.replace, uri: path.replaceFullPath };
    return undefined;
  }
  if (path.type === 'ReplacePrefixMatch' && typeof path.replacePrefixMatch === 'string') {
    if (ctx.prefix === undefined) return 'URLRewrite ReplacePrefixMatch needs a PathPrefix match';
    cfg.replace_prefix = { prefix: ctx.prefix.replace(/\/+$/, '') || '/', replacement: path.replacePrefixMatch };
    return undefined;
  }
  return `URLRewrite path type ${path.type} is not supported`;
}

function redirect(f: any, ctx: FilterContext): RequestRedirectConfig | string {
  const out: RequestRedirectConfig = {};
  if (f?.statusCode !== undefined) {
    if (!REDIRECT_CODES.includes(f.statusCode)) return `RequestRedirect statusCode ${f.statusCode} is not supported`;
    out.status_code = f.statusCode;
  }
  if (f?.scheme !== undefined) {
    if (f.scheme !== 'http' && f.scheme !== 'https') return `RequestRedirect scheme ${JSON.stringify(f.scheme)} is not supported`;
    out.scheme = f.scheme;
  }
  if (f?.hostname !== undefined) {
    if (!isHostname(f.hostname, false)) return `RequestRedirect hostname ${JSON.stringify(f.hostname)} is not valid`;
    out.hostname = f.hostname;
  }
  if (f?.port !== undefined) {
    if (!(Number.isInteger(f.port) && f.port >= 1 && f.port <= 65535)) return `RequestRedirect port ${f.port} is not valid`;
    out.port = f.port;
  }
  const path = f?.path;
  if (path === undefined || path === null) return out;
  if (path.type === 'ReplaceFullPath' && isPath(path.replaceFullPath)) return { ...out, replace_full_path: path.replaceFullPath };
  if (path.type === 'ReplacePrefixMatch' && isPath(path.replacePrefixMatch)) {
    if (ctx.prefix === undefined) return 'RequestRedirect ReplacePrefixMatch needs a PathPrefix match';
    return { ...out, replace_prefix_match: { prefix: ctx.prefix.replace(/\/+$/, '') || '/', replacement: path.replacePrefixMatch } };
  }
  return `RequestRedirect path ${JSON.stringify(path)} is not supported`;
}

/** An origin as HTTPCORSFilter.AllowOrigins allows it: scheme, host (may start with `*.`), optional port. */
const CORS_ORIGIN = /^(https?):\/\/(\*\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$/;

/**
 * cors maps the CORS filter (apis/v1/httproute_types.go HTTPCORSFilter) onto Kong's `cors`
 * plugin. Lists the filter leaves out are empty (nothing beyond the safelisted), not Kong's
 * defaults, and maxAge defaults to the spec's 5 seconds.
 */
function cors(c: any): CorsConfig | string {
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
  const origins = list(c?.allowOrigins);
  const badOrigin = origins.find((o) => o !== '*' && !CORS_ORIGIN.test(o));
  if (badOrigin !== undefined) return `CORS allowOrigins ${JSON.stringify(badOrigin)} is not an origin`;
  const methods = list(c?.allowMethods);
  const headers = list(c?.allowHeaders);
  const exposed = list(c?.exposeHeaders);
  const badToken = [...methods, ...headers, ...exposed].find((t) => t !== '*' && !isToken(t));
  if (badToken !== undefined) return `CORS value ${JSON.stringify(badToken)} is not a method or header name`;
  if (c?.maxAge !== undefined && !(Number.isInteger(c.maxAge) && c.maxAge >= 1)) return `CORS maxAge ${JSON.stringify(c.maxAge)} must be a positive integer`;
  return { origins, methods, headers, exposed_headers: exposed, credentials: c?.allowCredentials === true, max_age: c?.maxAge ?? 5 };
}

/** mirror maps RequestMirror (HTTPRequestMirrorFilter): percent, or fraction as a percentage. */
function mirror(m: any, ctx: FilterContext): MirrorDestination | string | null {
  if (ctx.mirrorUpstream === undefined) return 'RequestMirror is not supported here';
  if (m?.percent !== undefined && m?.fraction !== undefined) return 'RequestMirror takes percent or fraction, not both';
  let percent = 100;
  if (m?.percent !== undefined) {
    if (!(Number.isInteger(m.percent) && m.percent >= 0 && m.percent <= 100)) return `RequestMirror percent ${JSON.stringify(m.percent)} must be 0..100`;
    percent = m.percent;
  } else if (m?.fraction !== undefined) {
    const { numerator, denominator = 100 } = m.fraction ?? {};
    if (!(Number.isInteger(numerator) && Number.isInteger(denominator) && numerator >= 0 && denominator > 0 && numerator <= denominator)) {
      return `RequestMirror fraction ${JSON.stringify(m.fraction)} must have 0 <= numerator <= denominator, denominator > 0`;
    }
    percent = (numerator / denominator) * 100;
  }
  const upstream = ctx.mirrorUpstream(m?.backendRef);
  if (upstream === null) return null;
  return percent === 100 ? { upstream } : { upstream, percent };
}

/**
 * translateFilters turns a rule's filters into route plugins (one per plugin name, as Kong
 * allows); an unsupported filter or value makes the whole rule fail with the reason.
 */
export function translateFilters(filters: unknown, ctx: FilterContext): FilterResult {
  const list: any[] = Array.isArray(filters) ? filters : [];
  const req: RequestTransformerConfig = {};
  const res: ResponseTransformerConfig = {};
  let redirectCfg: RequestRedirectConfig | undefined;
  let corsCfg: CorsConfig | undefined;
  const mirrors: MirrorDestination[] = [];
  for (const f of list) {
    let problem: string | undefined;
    if (f?.type === 'RequestHeaderModifier') problem = headerModifier(req, f.requestHeaderModifier);
    else if (f?.type === 'ResponseHeaderModifier') problem = headerModifier(res, f.responseHeaderModifier);
    else if (f?.type === 'URLRewrite') problem = rewrite(req, f.urlRewrite, ctx);
    else if (f?.type === 'RequestRedirect') {
      const r = redirect(f.requestRedirect, ctx);
      if (typeof r === 'string') problem = r;
      else redirectCfg = r;
    } else if (f?.type === 'CORS') {
      const c = cors(f.cors);
      if (typeof c === 'string') problem = c;
      else corsCfg = c;
    } else if (f?.type === 'RequestMirror') {
      const m = mirror(f.requestMirror, ctx);
      if (typeof m === 'string') problem = m;
      else if (m !== null) mirrors.push(m);
    } else problem = `filter type ${String(f?.type)} is not supported`;
    if (problem !== undefined) return { ok: false, problem };
  }
  const plugins: PluginConfig[] = [];
  if (Object.keys(req).length > 0) plugins.push({ name: 'request-transformer', config: req });
  if (Object.keys(res).length > 0) plugins.push({ name: 'response-transformer', config: res });
  if (redirectCfg !== undefined) plugins.push({ name: 'request-redirect', config: redirectCfg });
  if (corsCfg !== undefined) plugins.push({ name: 'cors', config: corsCfg });
  if (mirrors.length > 0) plugins.push({ name: 'request-mirror', config: { mirrors } });
  return { ok: true, plugins };
}
