// The plugin part of GatewayConfig (config/types.ts re-exports it): Kong's plugins berth
// implements and berth's own for Gateway API filters, field names as Kong writes them.

/**
 * Plugins berth implements (the ones KIC emits for HTTPRoute filters). Anything else is a
 * validation error rather than being silently ignored.
 */
export type PluginConfig =
  | { name: 'request-transformer'; enabled?: boolean; config: RequestTransformerConfig; tags?: string[] }
  | { name: 'response-transformer'; enabled?: boolean; config: ResponseTransformerConfig; tags?: string[] }
  | { name: 'redirect'; enabled?: boolean; config: RedirectConfig; tags?: string[] }
  | { name: 'cors'; enabled?: boolean; config: CorsConfig; tags?: string[] }
  | { name: 'request-mirror'; enabled?: boolean; config: RequestMirrorConfig; tags?: string[] }
  | { name: 'request-redirect'; enabled?: boolean; config: RequestRedirectConfig; tags?: string[] };

/**
 * Kong's `cors` plugin (HTTPRoute CORS filter). `origins` entries are exact origins, `*`, or
 * (berth, Gateway API) `scheme://*.suffix` wildcards; Kong's regex origins are not supported.
 * With `preflight_continue: false` (the default) berth answers preflights itself.
 */
export interface CorsConfig {
  origins?: string[];
  methods?: string[];
  headers?: string[];
  exposed_headers?: string[];
  credentials?: boolean;
  max_age?: number; // seconds
  preflight_continue?: boolean;
}

/**
 * berth: `request-mirror` (HTTPRoute RequestMirror; Kong has no equivalent). For each entry of
 * `mirrors`, a copy of `percent` (0..100, default 100) of the requests goes to one target of
 * `upstream`; its answer is ignored and it can never slow or fail the request itself.
 */
export interface RequestMirrorConfig {
  mirrors: MirrorDestination[];
}

export interface MirrorDestination {
  upstream: string;
  percent?: number;
}

/** Header entries are "Name:value" strings, as Kong writes them. */
export interface RequestTransformerConfig {
  remove?: { headers?: string[] };
  rename?: { headers?: string[] };
  replace?: { headers?: string[]; uri?: string };
  add?: { headers?: string[] };
  append?: { headers?: string[] };
  /** berth: replace the matched path prefix with this value (HTTPRoute URLRewrite ReplacePrefixMatch). */
  replace_prefix?: { prefix: string; replacement: string };
}

export interface ResponseTransformerConfig {
  remove?: { headers?: string[] };
  rename?: { headers?: string[] };
  replace?: { headers?: string[] };
  add?: { headers?: string[] };
  append?: { headers?: string[] };
}

/** Kong's `redirect` plugin (3.9+): answer with a redirect instead of proxying. */
export interface RedirectConfig {
  status_code?: number; // default 301
  location: string;
  keep_incoming_path?: boolean;
}

/**
 * berth: Gateway API HTTPRoute RequestRedirect (plugins/request-redirect.ts). Every part left
 * out comes from the request: scheme from the connection, hostname from Host, port from the
 * listener (or the scheme's default when `scheme` is set), path and query as they were.
 */
export interface RequestRedirectConfig {
  status_code?: 301 | 302 | 303 | 307 | 308; // default 302
  scheme?: 'http' | 'https';
  hostname?: string;
  port?: number;
  replace_full_path?: string;
  /** Replace the matched PathPrefix `prefix` with `replacement`. */
  replace_prefix_match?: { prefix: string; replacement: string };
}
