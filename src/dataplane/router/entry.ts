import type { IncomingHttpHeaders } from 'node:http';
import type { RouteConfig, ServiceConfig } from '../../config/types.js';
import { servesAny } from './entry-point.js';
import { ListenerIsolation } from './listener-hostnames.js';
import { joinPath, literalPrefix, pathSegmentKey } from './paths.js';
import type { RouteMatch, RouteRequest } from './types.js';

interface HeaderRule {
  name: string;
  /** Lowercased exact values. */
  exact: string[];
  regexes: RegExp[];
}

/** Named groups of the last successful regex path match; read right after it (single-threaded). */
let lastGroups: Record<string, string | undefined> | undefined;

/**
 * RouteEntry: one (route, path) pair compiled for matching. Kong splits a route with several
 * paths into one matcher per path so each path gets its own priority; `rank` is the position in
 * the global priority order (lower wins).
 */
export class RouteEntry {
  rank = 0;
  /** Position in Kong's priority order over all entries (chooses between route families). */
  kongRank = 0;
  readonly methods: readonly string[] | null;
  /** Exact hosts, port stripped (the router buckets by these). */
  readonly exactHosts: string[] = [];
  /** `*.example.com` as ".example.com". */
  readonly hostSuffixes: string[] = [];
  /** `example.*` as "example.". */
  readonly hostPrefixes: string[] = [];
  readonly prefix: string | null = null;
  readonly regex: RegExp | null = null;
  /** Literal text every regex match starts with, checked before running the regex. */
  readonly literal: string = '';
  /** The first path segment this entry's path fixes, or null (see pathSegmentKey). */
  readonly segmentKey: string | null;
  readonly headers: HeaderRule[] | null;
  readonly query: Array<[string, string[]]> | null;
  readonly http: boolean;
  readonly https: boolean;
  /** Gateway listeners this route is served through; null = every socket. */
  readonly listeners: readonly string[] | null;
  /** Hosts that select another listener of the route's Gateway port are not its own; null = none. */
  readonly isolation: ListenerIsolation | null;

  constructor(
    readonly route: RouteConfig,
    readonly service: ServiceConfig,
    path: string | undefined,
    /** Config order, the last tie-breaker. */
    readonly order: number,
  ) {
    this.methods = route.methods?.length ? route.methods : null;
    for (const raw of route.hosts ?? []) this.addHost(raw.toLowerCase());
    if (path !== undefined && path.startsWith('~')) {
      this.regex = new RegExp(`^(?:${path.slice(1)})`);
      this.literal = literalPrefix(path.slice(1));
    } else if (path !== undefined) {
      this.prefix = path;
    }
    this.segmentKey = path === undefined ? null : pathSegmentKey(path);
    this.headers = compileHeaders(route.headers);
    const q = Object.entries(route.query_params ?? {});
    this.query = q.length ? q : null;
    const protocols = route.protocols ?? ['http', 'https'];
    this.http = protocols.includes('http') || protocols.includes('grpc');
    this.https = protocols.includes('https') || protocols.includes('grpcs');
    this.listeners = route.listeners?.length ? route.listeners : null;
    this.isolation = route.listener_isolation === undefined ? null : new ListenerIsolation(route.listener_isolation);
  }

  private addHost(host: string): void {
    const bare = host.replace(/:\d+$/, '');
    if (bare.startsWith('*.')) this.hostSuffixes.push(bare.slice(1));
    else if (bare.endsWith('.*')) this.hostPrefixes.push(bare.slice(0, -1));
    else this.exactHosts.push(bare);
  }

  get hasWildcardHost(): boolean {
    return this.hostSuffixes.length > 0 || this.hostPrefixes.length > 0;
  }

  /** match: hot path. `hostOk` is true when the router's host index already matched the host. */
  match(req: RouteRequest, hostOk: boolean): RouteMatch | null {
    if (req.tls ? !this.https : !this.http) return null;
    if (this.listeners !== null && req.entryPoint != null && !servesAny(req.entryPoint, this.listeners)) return null;
    if (this.methods !== null && !this.methods.includes(req.method)) return null;
    if (!hostOk && !this.wildcardMatches(req.host)) return null;
    const consumed = this.matchPath(req.path);
    if (consumed < 0) return null;
    if (this.headers !== null && !headersMatch(this.headers, req.headers)) return null;
    if (this.query !== null && !queryMatches(this.query, req.query)) return null;
    // Last: the candidates that get here are few, and the check compares hostnames.
    if (this.isolation !== null && !this.isolation.serves(req.host)) return null;
    const rest = this.route.strip_path === false ? req.path : req.path.slice(consumed);
    return {
      route: this.route,
      service: this.service,
      upstreamPath: joinPath(this.service.path, rest),
      captures: this.regex !== null ? capturesOf() : undefined,
      kongRank: this.kongRank,
    };
  }

  /** matchPath returns how many characters of the path the route's path matched, or -1. */
  private matchPath(path: string): number {
    if (this.prefix !== null) return path.startsWith(this.prefix) ? this.prefix.length : -1;
    if (this.regex === null) return 0;
    if (!path.startsWith(this.literal)) return -1;
    const m = this.regex.exec(path);
    if (m === null) return -1;
    lastGroups = m.groups;
    return m[0].length;
  }

  private wildcardMatches(host: string): boolean {
    for (const s of this.hostSuffixes) if (host.length > s.length && host.endsWith(s)) return true;
    for (const p of this.hostPrefixes) if (host.length > p.length && host.startsWith(p)) return true;
    return false;
  }
}

function capturesOf(): Record<string, string> | undefined {
  const groups = lastGroups;
  lastGroups = undefined;
  if (groups === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const name in groups) if (groups[name] !== undefined) out[name] = groups[name]!;
  return out;
}

function compileHeaders(headers: Record<string, string[]> | undefined): HeaderRule[] | null {
  const names = Object.keys(headers ?? {});
  if (names.length === 0) return null;
  return names.map((name) => {
    const values = headers![name]!;
    return {
      name: name.toLowerCase(),
      exact: values.filter((v) => !v.startsWith('~*')).map((v) => v.toLowerCase()),
      regexes: values.filter((v) => v.startsWith('~*')).map((v) => new RegExp(v.slice(2), 'i')),
    };
  });
}

function headersMatch(rules: HeaderRule[], headers: IncomingHttpHeaders): boolean {
  for (const rule of rules) {
    const value = headers[rule.name];
    if (value === undefined) return false;
    if (typeof value === 'string' ? !listMatches(rule, value) : !value.some((v) => listMatches(rule, v))) return false;
  }
  return true;
}

/** listMatches: Node joins repeated headers with ", "; Kong matches any one of the values. */
function listMatches(rule: HeaderRule, value: string): boolean {
  if (valueMatches(rule, value)) return true;
  if (!value.includes(',')) return false;
  return value.split(',').some((v) => valueMatches(rule, v.trim()));
}

function valueMatches(rule: HeaderRule, value: string): boolean {
  if (rule.exact.length > 0 && rule.exact.includes(value.toLowerCase())) return true;
  for (const re of rule.regexes) if (re.test(value)) return true;
  return false;
}

function queryMatches(rules: Array<[string, string[]]>, query: string): boolean {
  if (query === '') return false;
  const params = new URLSearchParams(query);
  for (const [name, values] of rules) {
    const got = params.getAll(name);
    if (!got.some((v) => values.includes(v))) return false;
  }
  return true;
}
