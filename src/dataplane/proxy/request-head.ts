import type { RouteRuntime } from '../runtime.js';
import type { TargetState } from '../targets/target.js';
import { forwardingHeaders } from './forwarded.js';
import { connectionListed, copyRequestHeaders, headerValue, validHeaderValue } from './headers.js';
import type { ProxiedRequest } from './proxied-request.js';

/**
 * buildUpstreamHead renders the whole upstream request head as one string (one socket write):
 * request line, Host, the client's end-to-end headers, X-Forwarded-*, then `extra` (body framing
 * or the upgrade headers, each ending in CRLF).
 */
export function buildUpstreamHead(src: ProxiedRequest, extra: string): string {
  const raw = src.requestHeaders ?? src.req.rawHeaders;
  let head = src.method + ' ' + (src.query === '' ? src.upstreamPath : src.upstreamPath + '?' + src.query) + ' HTTP/1.1\r\nHost: ';
  head += upstreamHost(src, src.route!, src.target!) + '\r\n';
  head += copyRequestHeaders(raw, connectionListed(src.headers.connection));
  // Body framing comes from what node parsed, never from header lists a plugin may have edited.
  const length = src.headers['content-length'];
  if (length !== undefined && src.headers['transfer-encoding'] === undefined && !src.upgrade) head += 'Content-Length: ' + length + '\r\n';
  head += forwardingHeaders(src.clientIp, src.headers, src.trustedPeer, src.tls, src.host, src.req.socket.localPort ?? 0, src.path);
  head += traceHeaders(src);
  return head + extra + '\r\n';
}

/**
/**
 * traceHeaders: berth's traceparent (its span as the parent) and the caller's normalized
 * tracestate; a request in no trace passes on a tracestate it carries unchanged.
 */
export function traceHeaders(src: ProxiedRequest): string {
  const trace = src.trace;
  if (trace === null) return src.headers.tracestate === undefined ? '' : 'tracestate: ' + src.headers.tracestate + '\r\n';
  const line = 'traceparent: ' + trace.traceparent + '\r\n';
  return trace.tracestate === null ? line : line + 'tracestate: ' + trace.tracestate + '\r\n';
}

/**
 * upstreamHost: a Host a request-transformer set (Kong: `replace.headers: ["Host:..."]`, HTTPRoute
 * URLRewrite hostname), else the client's Host (preserve_host), else the upstream's host_header,
 * else the target.
 */
export function upstreamHost(src: ProxiedRequest, route: RouteRuntime, target: TargetState): string {
  if (src.requestHeaders !== null) {
    const edited = headerValue(src.requestHeaders, 'host');
    if (edited !== undefined && edited !== src.headers.host) return edited;
  }
  if (route.preserveHost && src.headers.host !== undefined) return src.headers.host;
  const fixed = route.service.hostHeader;
  if (fixed !== null) return fixed;
  if (target.port !== route.service.defaultPort) return target.address;
  return target.host.includes(':') ? `[${target.host}]` : target.host;
}

/**
 * upgradeOffer: the protocols an upgrade request offers upstream, '' for none. h2c is never
 * passed on (RFC 9113 s3.1 retired it): a tunnel after "101 h2c" would carry HTTP/2 requests
 * straight to the backend, past routing and plugins ("h2c smuggling"), as Envoy strips it.
 */
export function upgradeOffer(upgrade: string | undefined): string {
  const value = upgrade ?? 'websocket';
  if (!H2C.test(value)) return validHeaderValue(value) ? value : '';
  let kept = '';
  for (const part of value.split(',')) {
    const protocol = part.trim();
    if (protocol === '' || H2C_TOKEN.test(protocol)) continue;
    kept = kept === '' ? protocol : kept + ', ' + protocol;
  }
  return validHeaderValue(kept) ? kept : '';
}

const H2C = /h2c/i;
/** protocol-name h2c, with or without a version (RFC 9110 s7.8 protocol = name ["/" version]). */
const H2C_TOKEN = /^h2c(?:\/|$)/i;

/** upgradeHeaderLines: the hop-by-hop pair an upgrade request carries upstream (RFC 9110 s7.8), for an offer from upgradeOffer. */
export function upgradeHeaderLines(offer: string): string {
  return offer === '' ? '' : 'Connection: Upgrade\r\nUpgrade: ' + offer + '\r\n';
}
