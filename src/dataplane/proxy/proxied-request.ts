import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { PickRequest, StickyOutcome } from '../balancers/balancer.js';
import type { RouteRuntime } from '../runtime.js';
import type { TargetState } from '../targets/target.js';
import type { ProxyContext } from './context.js';
import { hostWithoutPort } from './headers.js';
import { normalizePath } from './normalize-path.js';

/**
 * ProxiedRequest: what a plain request (Exchange) and an upgrade (Upgrade) both read from the
 * client's request line, parsed once in one place: routing, balancing and the upstream head all
 * see the same normalized path and host. Subclassing keeps it one allocation per request.
 */
export abstract class ProxiedRequest implements PickRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  readonly host: string;
  tls: boolean;
  readonly clientIp: string;
  uriCaptures: Readonly<Record<string, string>> | undefined = undefined;
  setCookie: string | undefined = undefined;
  setHeader: [string, string] | undefined = undefined;
  stickyOutcome: StickyOutcome | undefined = undefined;
  route: RouteRuntime | null = null;
  target: TargetState | null = null;
  upstreamPath = '';
  /** Request headers after a request-transformer plugin ran; null = the client's raw headers. */
  requestHeaders: string[] | null = null;

  constructor(
    readonly ctx: ProxyContext,
    readonly req: IncomingMessage,
  ) {
    let url = req.url ?? '/';
    let host = req.headers.host;
    if (url.charCodeAt(0) !== 47 /* / */) [url, host] = absoluteForm(url, host);
    const q = url.indexOf('?');
    this.path = normalizePath(q < 0 ? url : url.slice(0, q));
    this.query = q < 0 ? '' : url.slice(q + 1);
    this.method = req.method ?? 'GET';
    this.headers = req.headers;
    this.host = hostWithoutPort(host);
    this.tls = (req.socket as { encrypted?: boolean }).encrypted === true;
    this.clientIp = req.socket.remoteAddress ?? '';
  }
}

/** absoluteForm: "http://host:8080/p?q" -> ["/p?q", "host:8080"] (RFC 9112 s3.2.2: its host wins). */
export function absoluteForm(url: string, host: string | undefined): [string, string | undefined] {
  const m = /^https?:\/\/([^/?#]*)([^#]*)/i.exec(url);
  if (m === null) return [url, host];
  const rest = m[2]!;
  return [rest === '' || rest.charCodeAt(0) === 63 /* ? */ ? '/' + rest : rest, m[1]];
}
