import type { IncomingHttpHeaders } from 'node:http';

/**
 * forwardingHeaders renders X-Forwarded-*, X-Real-IP, Via and Forwarded for the upstream request.
 * `trusted` says the peer is in --trusted-ips (Kong's trusted_ips): then the client's
 * X-Forwarded-Proto/Host/Port/Path/Prefix and X-Real-IP are kept and its Forwarded list is
 * extended; from any other peer they are replaced by what berth saw itself. That includes
 * X-Forwarded-For: Kong and nginx append to an untrusted chain ($proxy_add_x_forwarded_for), which
 * lets any client put an address of its choice first, where many backends read "the client";
 * berth starts the chain afresh instead. Via (RFC 9110 s7.6.3) is appended either way: it records
 * hops, not identities. A Forwarded header (RFC 7239) is written only when the client sent one, so
 * ordinary requests carry no extra bytes.
 */
export function forwardingHeaders(
  clientIp: string,
  headers: IncomingHttpHeaders,
  trusted: boolean,
  tls: boolean,
  host: string,
  port: number,
  path: string,
): string {
  const priorXff = headers['x-forwarded-for'];
  const priorVia = headers.via;
  const proto = tls ? 'https' : 'http';
  let out =
    'X-Forwarded-For: ' + (priorXff === undefined || !trusted ? clientIp : priorXff + ', ' + clientIp) +
    '\r\nX-Forwarded-Proto: ' + (trusted ? (headers['x-forwarded-proto'] ?? proto) : proto) +
    '\r\nX-Forwarded-Host: ' + (trusted ? (headers['x-forwarded-host'] ?? host) : host) +
    '\r\nX-Forwarded-Port: ' + (trusted ? (headers['x-forwarded-port'] ?? port) : port) +
    '\r\nX-Forwarded-Path: ' + (trusted ? (headers['x-forwarded-path'] ?? path) : path) +
    '\r\nX-Real-IP: ' + (trusted ? (headers['x-real-ip'] ?? clientIp) : clientIp) +
    '\r\nVia: ' + (priorVia === undefined ? '1.1 berth' : priorVia + ', 1.1 berth') + '\r\n';
  if (trusted && headers['x-forwarded-prefix'] !== undefined) out += 'X-Forwarded-Prefix: ' + headers['x-forwarded-prefix'] + '\r\n';
  const forwarded = headers.forwarded;
  if (forwarded !== undefined) {
    const element = forwardedElement(clientIp, headers.host, proto);
    out += 'Forwarded: ' + (trusted ? forwarded + ', ' + element : element) + '\r\n';
  }
  return out;
}

/** forwardedElement: RFC 7239 s4 `for=...;host=...;proto=...`, quoting what is not a token (s6). */
export function forwardedElement(clientIp: string, host: string | undefined, proto: string): string {
  const node = clientIp.includes(':') ? '"[' + clientIp + ']"' : clientIp;
  let out = 'for=' + node;
  if (host !== undefined && host !== '') out += ';host=' + (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(host) ? host : '"' + host.replace(/["\\]/g, '\\$&') + '"');
  return out + ';proto=' + proto;
}
