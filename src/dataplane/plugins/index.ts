import type { PluginConfig, RouteConfig, ServiceConfig } from '../../config/types.js';
import type { Exchange } from '../proxy/exchange.js';
import { Redirect } from './redirect.js';
import { RequestTransformer, type RewriteTarget } from './request-transformer.js';
import { ResponseTransformer } from './response-transformer.js';

/**
 * RoutePlugins: the plugins that apply to one route, compiled once per config. A route-level
 * plugin replaces the service-level one of the same name (Kong's precedence).
 */
export class RoutePlugins {
  constructor(
    private readonly redirect: Redirect | null,
    private readonly request: RequestTransformer | null,
    private readonly responseTransformer: ResponseTransformer | null,
  ) {}

  /** intercept runs before proxying; true when the plugin already answered the request. */
  intercept(ex: Exchange): boolean {
    if (this.redirect !== null) {
      const status = this.redirect.respond(ex.res, ex.req.url ?? '/');
      ex.ctx.metrics.request(ex.route!.service.upstream.name, '', status, 0);
      return true;
    }
    this.request?.apply(ex);
    return false;
  }

  /** rewrite applies the request transformer only (upgrades, which have no response to redirect with). */
  rewrite(target: RewriteTarget): void {
    this.request?.apply(target);
  }

  response(headers: string[]): void {
    this.responseTransformer?.apply(headers);
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
  const redirect = byName.get('redirect');
  const request = byName.get('request-transformer');
  const response = byName.get('response-transformer');
  return new RoutePlugins(
    redirect?.name === 'redirect' ? new Redirect(redirect.config) : null,
    request?.name === 'request-transformer' ? new RequestTransformer(request.config) : null,
    response?.name === 'response-transformer' ? new ResponseTransformer(response.config) : null,
  );
}
