import type { IncomingHttpHeaders } from 'node:http';
import type { RouteConfig, ServiceConfig } from '../../config/types.js';
import type { EntryPoint } from './entry-point.js';

/** RouteRequest: what the router reads from a request. */
export interface RouteRequest {
  method: string;
  /** Lowercased, without the port. */
  host: string;
  /** Without the query string. */
  path: string;
  /** Raw query string without '?', or ''. */
  query: string;
  headers: IncomingHttpHeaders;
  tls: boolean;
  /** The Gateway listener(s) the request's socket stands for; null/absent = every route. */
  entryPoint?: EntryPoint | null;
}

/** RouteMatch: the route a request matched and where to send it. */
export interface RouteMatch {
  route: RouteConfig;
  service: ServiceConfig;
  /** Path to send upstream: strip_path applied and service.path prepended. */
  upstreamPath: string;
  /** Named groups of the matched regex path. */
  captures: Record<string, string> | undefined;
  /** The matched entry's position in Kong's priority order (compile.ts FamilyRouter). */
  kongRank: number;
}

/** Router: a config's routes compiled once; `match` is a pure lookup. */
export interface Router {
  match(req: RouteRequest): RouteMatch | null;
}
