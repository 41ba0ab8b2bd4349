import type { IncomingHttpHeaders } from 'node:http';
import type { PluginConfig, RouteConfig, ServiceConfig } from '../../config/types.js';
import type { EntryPoint } from '../router/entry-point.js';
import { Cors } from './cors.js';
import { Redirect } from './redirect.js';
import { RequestRedirect } from './request-redirect.js';
import { RequestTransformer } from './request-transformer.js';
import { ResponseTransformer } from './response-transformer.js';

/**
 * PluginRequest: the small view of a request that plugins read, plus the two things a
 * request-changing plugin may rewrite (the upstream headers and path). Plugins never see the
 * engine or the client's connection.
 */
export interface PluginRequest {
  readonly method: string;
  /** The request target as the client sent it (path and query). */
  readonly url: string;
  /** Normalized path without the query string. */
  readonly path: string;
  readonly query: string;
  /** Lowercased Host without the port. */
  readonly host: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly tls: boolean;
  readonly clientIp: string;
  /** The Gateway listener(s) the client's socket stands for; null on the catch-all socket. */
  readonly entryPoint: EntryPoint | null;
  /** Headers to send upstream; null = the client's raw headers unchanged. */
  requestHeaders: string[] | null;
  upstreamPath: string;
}

/** PluginAnswer: a complete response a plugin gives instead of proxying (the engine writes it). */
export interface PluginAnswer {
  readonly status: number;
  /** Flat [name, value, ...] list; the engine adds Content-Length. */
  readonly headers: string[];
  readonly body: string;
}

/**
 * RoutePlugins: the plugins that apply to one route, compiled once per config. A route-level
 * plugin replaces the service-level one of the same name (Kong's precedence).
 */
export class RoutePlugins {
  constructor(
    private readonly redirect: Redirect | RequestRedirect | null,
    private readonly requestTransformer: RequestTransformer | null,
    private readonly responseTransformer: ResponseTransformer | null,
    private readonly cors: Cors | null = null,
  ) {}

  /**
   * request runs before proxying (plain requests and upgrades alike): an answer to send instead,
   * or null after applying the request rewrites.
   */
  request(req: PluginRequest): PluginAnswer | null {
    if (this.cors !== null && this.cors.answersPreflight(req)) return this.cors.preflight(req.headers);
    if (this.redirect !== null) return this.redirect.answer(req);
    this.requestTransformer?.apply(req);
    return null;
  }

  /** response edits the upstream's response headers before they go to the client. */
  response(req: PluginRequest, headers: string[]): void {
    this.responseTransformer?.apply(headers);
    this.cors?.response(headers, req.headers);
  }
}

/** compilePlugins returns null when no enabled plugin applies, so the hot path skips the step. */
export function compilePlugins(route: RouteConfig, service: ServiceConfig): RoutePlugins | null {
  const byName = new Map<string, PluginConfig>();
  for (const p of [...(service.plugins ?? []), ...(route.plugins ?? [])]) {
    if (p.enabled !== false) byName.set(p.name, p);
    else byName.delete(p.name);
  }
  if (byName.size === 0) return null;
  const redirect = byName.get('redirect') ?? byName.get('request-redirect');
  const request = byName.get('request-transformer');
  const response = byName.get('response-transformer');
  const cors = byName.get('cors');
  // request-mirror is not a RoutePlugins step: the engine runs it (compileMirror, mirror.ts).
  if (byName.size === 1 && byName.has('request-mirror')) return null;
  return new RoutePlugins(
    redirect?.name === 'redirect' ? new Redirect(redirect.config) : redirect?.name === 'request-redirect' ? new RequestRedirect(redirect.config) : null,
    request?.name === 'request-transformer' ? new RequestTransformer(request.config) : null,
    response?.name === 'response-transformer' ? new ResponseTransformer(response.config) : null,
    cors?.name === 'cors' ? new Cors(cors.config) : null,
  );
}
