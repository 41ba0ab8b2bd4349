import type { IncomingHttpHeaders } from 'node:http';
import type { CorsConfig } from '../../config/types.js';
import type { PluginAnswer } from './index.js';

/** Kong's `cors` default methods, used when the config lists none. */
const KONG_METHODS = 'GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS, TRACE, CONNECT';
const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443' };
/** The response headers this plugin owns on an allowed cross-origin response. */
const OWN_HEADERS = new Set(['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-expose-headers']);

/** OriginRule: one allowed origin, parsed once; `host` starting with "." is a `*.` wildcard. */
interface OriginRule {
  scheme: string;
  host: string;
  port: string;
}

/**
 * Cors: Kong's `cors` plugin with Gateway API's HTTPCORSFilter rules (apis/v1/httproute_types.go):
 * an allowed origin is echoed (never `*` when credentials are allowed), a `*` method or header
 * list echoes what the preflight asked for, and a disallowed origin gets no CORS headers at all.
 * Preflights are answered here unless `preflight_continue` is set.
 */
export class Cors {
  private readonly anyOrigin: boolean;
  private readonly origins: OriginRule[];
  private readonly credentials: boolean;
  /** null: echo the request's Access-Control-Request-Method. */
  private readonly methods: string | null;
  /** null: echo Access-Control-Request-Headers; '' = send none. */
  private readonly allowHeaders: string | null;
  private readonly exposeHeaders: string;
  private readonly maxAge: string | null;
  private readonly preflightContinue: boolean;

  constructor(config: CorsConfig) {
    const origins = config.origins ?? ['*'];
    this.anyOrigin = origins.includes('*');
    this.origins = origins.filter((o) => o !== '*').map(parseRule).filter((r): r is OriginRule => r !== null);
    this.credentials = config.credentials === true;
    const methods = config.methods;
    this.methods = methods === undefined ? KONG_METHODS : methods.includes('*') ? null : methods.join(', ');
    const headers = config.headers;
    this.allowHeaders = headers === undefined || headers.includes('*') ? null : headers.join(', ');
    const exposed = config.exposed_headers ?? [];
    // Fetch treats `*` literally on credentialed requests, so it is only sent without them.
    this.exposeHeaders = exposed.includes('*') && this.credentials ? '' : exposed.join(', ');
    this.maxAge = config.max_age === undefined ? null : String(config.max_age);
    this.preflightContinue = config.preflight_continue === true;
  }

  /**
   * answersPreflight: the request is a preflight (an OPTIONS request carrying Origin and
   * Access-Control-Request-Method, Fetch s3.2.2) that this plugin answers itself.
   */
  answersPreflight(req: { readonly method: string; readonly headers: IncomingHttpHeaders }): boolean {
    const h = req.headers;
    return !this.preflightContinue && req.method === 'OPTIONS' && h.origin !== undefined && h['access-control-request-method'] !== undefined;
  }

  /** preflight answers a preflight request: 200, with CORS headers only for an allowed origin. */
  preflight(headers: IncomingHttpHeaders): PluginAnswer {
    const out: string[] = [];
    const origin = this.allowedOrigin(headers.origin);
    if (origin !== null) {
      this.originHeaders(out, origin);
      const requested = headers['access-control-request-method'];
      const methods = this.methods ?? (typeof requested === 'string' ? requested : null);
      if (methods !== null && methods !== '') out.push('Access-Control-Allow-Methods', methods);
      const requestedHeaders = headers['access-control-request-headers'];
      const allow = this.allowHeaders ?? (typeof requestedHeaders === 'string' ? requestedHeaders : '');
      if (allow !== '') out.push('Access-Control-Allow-Headers', allow);
      if (this.maxAge !== null) out.push('Access-Control-Max-Age', this.maxAge);
    }
    return { status: 200, headers: out, body: '' };
  }

  /**
   * response adds the CORS headers of an actual (non-preflight) response for an allowed origin,
   * replacing any the upstream sent (two Access-Control-Allow-Origin values fail in browsers).
   */
  response(headers: string[], requestHeaders: IncomingHttpHeaders): void {
    const origin = this.allowedOrigin(requestHeaders.origin);
    if (origin === null) return;
    for (let i = headers.length - 2; i >= 0; i -= 2) {
      if (OWN_HEADERS.has(headers[i]!.toLowerCase())) headers.splice(i, 2);
    }
    this.originHeaders(headers, origin);
  }

  private originHeaders(out: string[], origin: string): void {
    if (this.anyOrigin && !this.credentials) out.push('Access-Control-Allow-Origin', '*');
    else out.push('Access-Control-Allow-Origin', origin, 'Vary', 'Origin');
    if (this.credentials) out.push('Access-Control-Allow-Credentials', 'true');
    if (this.exposeHeaders !== '') out.push('Access-Control-Expose-Headers', this.exposeHeaders);
  }

  /** allowedOrigin returns the request's Origin when it is allowed, else null. */
  allowedOrigin(origin: string | undefined): string | null {
    if (origin === undefined || origin === '' || /[\r\n]/.test(origin)) return null;
    if (this.anyOrigin) return origin;
    const parsed = parseOrigin(origin);
    if (parsed === null) return null;
    for (const rule of this.origins) {
      if (rule.scheme !== parsed.scheme || rule.port !== parsed.port) continue;
      if (rule.host.startsWith('.') ? parsed.host.endsWith(rule.host) : parsed.host === rule.host) return origin;
    }
    return null;
  }
}

/** parseOrigin splits "scheme://host[:port]" (RFC 6454 s6.2), filling the scheme's default port. */
export function parseOrigin(origin: string): OriginRule | null {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(\[[0-9a-f:.]+\]|[^/:?#\s]+)(?::([0-9]{1,5}))?$/i.exec(origin);
  if (m === null) return null;
  const scheme = m[1]!.toLowerCase();
  return { scheme, host: m[2]!.toLowerCase(), port: m[3] ?? DEFAULT_PORTS[scheme] ?? '' };
}

function parseRule(origin: string): OriginRule | null {
  const parsed = parseOrigin(origin);
  if (parsed === null) return null;
  // "*.bar.com" matches any number of labels left of ".bar.com" (HTTPCORSFilter.AllowOrigins).
  return parsed.host.startsWith('*.') ? { ...parsed, host: parsed.host.slice(1) } : parsed;
}
