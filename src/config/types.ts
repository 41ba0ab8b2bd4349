/**
 * GatewayConfig: Kong's declarative configuration (`_format_version: "3.0"`), the part berth
 * proxies with. The data plane imports only this module's types, never Kubernetes types; the
 * control plane's translator produces exactly this shape, and `POST /config` accepts it.
 *
 * Field names are Kong's (snake_case) so a file written for Kong loads here unchanged. The few
 * berth extensions are marked `berth:`; each is optional and documented in README.
 */

export const FORMAT_VERSION = '3.0';

/** `grpc` / `grpcs`: the upstream speaks HTTP/2 (h2c / h2 over TLS), as in Kong. */
export type Protocol = 'http' | 'https' | 'grpc' | 'grpcs';
/** Kong's route protocols; `grpc` matches like `http` (plain listener), `grpcs` like `https`. */
export type RouteProtocol = 'http' | 'https' | 'grpc' | 'grpcs';

export interface GatewayConfig {
  _format_version: string;
  services?: ServiceConfig[];
  /** Top-level routes name their service with `service: <name>` (Kong allows both forms). */
  routes?: RouteConfig[];
  upstreams?: UpstreamConfig[];
  certificates?: CertificateConfig[];
  /** Global plugins are not supported; route- and service-scoped plugins live on those entities. */
  plugins?: PluginConfig[];
  /** berth: the Gateway API listeners routes are attached through (see ListenerConfig). */
  listeners?: ListenerConfig[];
}

/**
 * berth: one Gateway API listener port of one Gateway, `name` "<namespace>/<gateway>:<port>".
 * A route that lists listeners is served only on proxy sockets standing for one of them
 * (dataplane/entry-points.ts); the `--proxy-listen` socket still serves every route.
 */
export interface ListenerConfig {
  name: string;
  port: number;
  /** http (default): served on its own sockets; https: by the --proxy-listen-tls socket. */
  protocol?: 'http' | 'https';
  /** The Gateway's spec.addresses (IP addresses) it is served on; none = the proxy's host. */
  addresses?: string[];
  /**
   * https: the hostname of each of the Gateway's HTTPS listeners on this port, `*` for one
   * without. A request whose Host selects another of them (over all https entries) than its
   * connection's SNI did is answered 421 (Gateway API HTTPS listener misdirected requests).
   */
  hostnames?: string[];
}

export interface ListenerIsolation {
  served: string[];
  other: string[];
}

/** ListenerConfig `hostnames` entry of an HTTPS listener without hostname: it takes any name no other takes. */
export const ANY_LISTENER_HOSTNAME = '*';

export interface ServiceConfig {
  name: string;
  protocol?: Protocol; // default http
  host: string; // an upstream's name, or a hostname/IP
  port?: number; // default 80 (443 for https)
  path?: string; // prefix prepended to the upstream request path
  retries?: number; // default 5
  connect_timeout?: number; // ms, default 60000
  read_timeout?: number; // ms, default 60000
  write_timeout?: number; // ms, default 60000
  /** Kong: a disabled service's routes do not match (default true). */
  enabled?: boolean;
  /**
   * berth: Gateway API rule timeouts and retry (HTTPRoute `timeouts`, `retry`). `request_timeout`
   * bounds the whole exchange including retries (answered 504), `backend_request_timeout` each
   * try from its first byte sent to the last byte received (ms; absent = none).
   * `retry_statuses` are response codes that count as failures to retry (bodiless requests only,
   * since berth streams bodies and cannot replay them); with it set, a bodiless request that
   * failed after being sent (reset, timeout) is retried too. `retry_backoff`: ms between tries.
   */
  request_timeout?: number;
  backend_request_timeout?: number;
  retry_statuses?: number[];
  retry_backoff?: number;
  /**
   * berth: plugins that apply only when the picked target belongs to a backend (HTTPRoute
   * backendRef filters): backend name -> request-/response-transformer plugins, run after the
   * route's own. Targets name their backend with a `berth.backend=<name>` tag.
   */
  backend_plugins?: Record<string, PluginConfig[]>;
  tags?: string[];
  routes?: RouteConfig[];
  plugins?: PluginConfig[];
}

export interface RouteConfig {
  name: string;
  /** Only on top-level routes: the service's name. */
  service?: string | { name: string };
  protocols?: RouteProtocol[]; // default ["http","https"]
  methods?: string[];
  hosts?: string[];
  /** Prefix paths, or regexes when they start with `~`. */
  paths?: string[];
  /** Header name -> accepted values; a value starting with `~*` is a case-insensitive regex. */
  headers?: Record<string, string[]>;
  /** berth: query parameter name -> accepted exact values (Gateway API HTTPRoute query matches). */
  query_params?: Record<string, string[]>;
  strip_path?: boolean; // default true (Kong)
  preserve_host?: boolean; // default false
  regex_priority?: number; // default 0
  https_redirect_status_code?: number;
  /**
   * berth: this route came from an HTTPRoute match and is ordered by Gateway API precedence
   * among such routes (router/gateway-api-order.ts) instead of by Kong's rules.
   */
  gateway_api_precedence?: GatewayApiPrecedence;
  /** berth: names of top-level `listeners` this route is served through; absent = all sockets. */
  listeners?: string[];
  /**
   * berth (Gateway API listener isolation): the hostnames of the listeners of the route's Gateway
   * port it is attached through (`served`) and of the others there (`other`; `*` for a listener
   * without hostname). A request is matched only when the most specific of them that takes its
   * Host is served: a host another listener is more specific for belongs to that listener's routes.
   */
  listener_isolation?: ListenerIsolation;
  tags?: string[];
  plugins?: PluginConfig[];
}

/**
 * berth: what Gateway API's route precedence needs beyond the route's matchers: an HTTPRoute
 * match's path, or a GRPCRoute match's service and method, then the ties.
 */
export type GatewayApiPrecedence = HttpRoutePrecedence | GrpcRoutePrecedence;

export interface PrecedenceTies {
  /** The route's metadata.creationTimestamp (RFC 3339); older wins. */
  creation_timestamp: string;
  /** "namespace/name" of the route; alphabetical order breaks the next tie. */
  route: string;
  /** Rule and match index within the route: the last tie-breakers. */
  rule: number;
  match: number;
}

export interface HttpRoutePrecedence extends PrecedenceTies {
  path_type: 'Exact' | 'PathPrefix' | 'RegularExpression';
  /** The match's path value as written in the HTTPRoute. */
  path: string;
}

/** GRPCRoute: more characters of a matching service, then of a method, win (grpcroute_types.go). */
export interface GrpcRoutePrecedence extends PrecedenceTies {
  /** The method match's service and method as written ('' when the match leaves one out). */
  grpc_service: string;
  grpc_method: string;
}

export type {
  CorsConfig, MirrorDestination, PluginConfig, RedirectConfig, RequestMirrorConfig, RequestRedirectConfig,
  RequestTransformerConfig, ResponseTransformerConfig,
} from './plugin-types.js';
import type { PluginConfig } from './plugin-types.js';

export type Algorithm =
  | 'round-robin'
  | 'consistent-hashing'
  | 'least-connections'
  | 'latency'
  | 'sticky-sessions';

export type HashOn = 'none' | 'consumer' | 'ip' | 'header' | 'cookie' | 'path' | 'query_arg' | 'uri_capture';

export interface UpstreamConfig {
  name: string;
  algorithm?: Algorithm; // default round-robin
  slots?: number; // 10..65536, default 10000
  hash_on?: HashOn; // default none
  hash_fallback?: HashOn; // default none
  hash_on_header?: string;
  hash_fallback_header?: string;
  hash_on_cookie?: string;
  hash_on_cookie_path?: string; // default "/"
  hash_on_query_arg?: string;
  hash_fallback_query_arg?: string;
  hash_on_uri_capture?: string;
  hash_fallback_uri_capture?: string;
  host_header?: string;
  sticky_sessions_cookie?: string;
  sticky_sessions_cookie_path?: string; // default "/"
  /**
   * berth: Gateway API session persistence. `header` carries the session in a request/response
   * header instead of a cookie; `absolute_timeout` (seconds) is signed into the value;
   * `lifetime: permanent` adds Max-Age/Expires.
   */
  sticky_sessions_header?: string;
  sticky_sessions_absolute_timeout?: number;
  sticky_sessions_lifetime?: 'session' | 'permanent';
  /**
   * berth: this much target weight is answered 500 instead of proxied (Gateway API backendRefs
   * that did not resolve keep their share of the traffic; a rule with none resolved answers 500).
   */
  unresolved_weight?: number;
  healthchecks?: HealthchecksConfig;
  tags?: string[];
  targets?: TargetConfig[];
}

export interface TargetConfig {
  /** "host:port"; IPv6 in brackets: "[fd00::1]:8080". */
  target: string;
  weight?: number; // 0..65535, default 100
  /**
   * Identity travels in tags as `berth.identity=<id>` (e.g. a pod UID), so the config stays valid
   * Kong declarative config. Without it the target's identity is its address.
   */
  tags?: string[];
}

export const IDENTITY_TAG_PREFIX = 'berth.identity=';
/** A target's backend (see ServiceConfig.backend_plugins) travels as a `berth.backend=<name>` tag. */
export const BACKEND_TAG_PREFIX = 'berth.backend=';

export interface HealthchecksConfig {
  threshold?: number; // 0..100, default 0
  active?: ActiveHealthcheckConfig;
  passive?: PassiveHealthcheckConfig;
}

export interface ActiveHealthcheckConfig {
  type?: 'http' | 'https' | 'tcp' | 'grpc' | 'grpcs';
  timeout?: number; // seconds, default 1
  concurrency?: number; // default 10
  http_path?: string; // default "/"
  https_sni?: string;
  https_verify_certificate?: boolean;
  headers?: Record<string, string[]>;
  healthy?: { interval?: number; http_statuses?: number[]; successes?: number };
  unhealthy?: {
    interval?: number;
    http_statuses?: number[];
    tcp_failures?: number;
    timeouts?: number;
    http_failures?: number;
  };
}

export interface PassiveHealthcheckConfig {
  type?: 'http' | 'https' | 'tcp' | 'grpc' | 'grpcs';
  healthy?: { http_statuses?: number[]; successes?: number };
  unhealthy?: { http_statuses?: number[]; tcp_failures?: number; timeouts?: number; http_failures?: number };
}

export interface CertificateConfig {
  id?: string;
  cert: string; // PEM
  key: string; // PEM
  snis?: Array<string | { name: string }>;
  tags?: string[];
}

/** The error body of an invalid declarative config (Kong's `POST /config` 400). */
export interface ConfigErrorBody {
  code: 14;
  name: 'invalid declarative configuration';
  message: string;
  fields: Record<string, unknown>;
}

/** With `flatten_errors=1`, Kong lists errors per entity instead. */
export interface FlatConfigError {
  entity_type: string;
  entity_name?: string;
  errors: Array<{ type: 'field' | 'entity'; field?: string; message: string }>;
}
