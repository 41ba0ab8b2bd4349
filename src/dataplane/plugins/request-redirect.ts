import type { RequestRedirectConfig } from '../../config/types.js';
import type { PluginAnswer, PluginRequest } from './index.js';
import { replacePrefix } from './request-transformer.js';

const DEFAULT_PORT = { http: 80, https: 443 } as const;

/**
 * RequestRedirect: Gateway API's HTTPRoute RequestRedirect filter (apis/v1/httproute_types.go,
 * HTTPRequestRedirectFilter). Unset scheme = the request's; unset hostname = the request's Host;
 * unset port = the scheme's well-known port when a scheme is set, else the Gateway listener port
 * the request came in on; the port is left out of Location when it is the scheme's default.
 */
export class RequestRedirect {
  private readonly status: number;

  constructor(private readonly config: RequestRedirectConfig) {
    this.status = config.status_code ?? 302;
  }

  answer(req: PluginRequest): PluginAnswer {
    const scheme = this.config.scheme ?? (req.tls ? 'https' : 'http');
    const port = this.config.port ?? (this.config.scheme !== undefined ? DEFAULT_PORT[scheme] : listenerPort(req, scheme));
    const host = this.config.hostname ?? req.host;
    const authority = port === DEFAULT_PORT[scheme] ? host : `${host}:${port}`;
    const target = this.pathOf(req.path) + (req.query === '' ? '' : '?' + req.query);
    // No host to name (HTTP/1.0 without Host): a relative reference (RFC 9110 s10.2.2).
    const location = host === '' && this.config.scheme === undefined && this.config.port === undefined ? target : `${scheme}://${authority}${target}`;
    return { status: this.status, headers: ['Location', location], body: '' };
  }

  private pathOf(path: string): string {
    if (this.config.replace_full_path !== undefined) return this.config.replace_full_path;
    const p = this.config.replace_prefix_match;
    return p === undefined ? path : replacePrefix(path, p.prefix, p.replacement);
  }
}

/**
 * listenerPort: the Gateway listener port of the request's socket; on the catch-all
 * --proxy-listen socket, the port the client put in Host, else the scheme's default.
 */
function listenerPort(req: PluginRequest, scheme: 'http' | 'https'): number {
  if (req.entryPoint !== null) return req.entryPoint.port;
  const m = /:(\d{1,5})$/.exec(req.headers.host ?? '');
  return m === null ? DEFAULT_PORT[scheme] : Number(m[1]);
}
