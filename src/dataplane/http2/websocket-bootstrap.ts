import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** What an HTTP/2 request stream asks for: a plain request, a WebSocket, or another tunnel protocol. */
export type StreamKind = 'request' | 'websocket' | 'unsupported';

/**
 * bootstrapWebSocket reads an extended CONNECT (RFC 8441 s4: CONNECT with :protocol, allowed by
 * our SETTINGS_ENABLE_CONNECT_PROTOCOL) and rewrites a WebSocket one in place as the HTTP/1.1
 * upgrade it stands for (RFC 8441 s5, RFC 6455 s4.1): GET, Upgrade: websocket, a fresh
 * Sec-WebSocket-Key and a Sec-WebSocket-Version, as HAProxy's and Envoy's HTTP/2 codecs convert
 * it. Routing, plugins, balancing, the sticky cookie and the upstream's HTTP/1.1 handshake then run
 * as for a WebSocket over HTTP/1.1; proxy/stream-tunnel.ts answers the client 200 and carries the
 * frames in DATA. Any other :protocol is 'unsupported' (501, RFC 9220 s3).
 * `raw` is the stream's flat field list, which the upstream head copies (pseudo-headers dropped).
 */
export function bootstrapWebSocket(headers: IncomingHttpHeaders, raw: string[]): StreamKind {
  const protocol = headers[':protocol'];
  if (protocol === undefined) return 'request';
  if (String(protocol).toLowerCase() !== 'websocket') return 'unsupported';
  headers[':method'] = 'GET';
  headers.upgrade = 'websocket';
  headers.connection = 'upgrade';
  // RFC 8441 s5: an HTTP/2 client sends no key (the stream needs no handshake proof); a key it
  // sent anyway must not reach the upstream beside ours, whose answer the tunnel checks.
  for (let i = raw.length - 2; i >= 0; i -= 2) if (raw[i]!.toLowerCase() === 'sec-websocket-key') raw.splice(i, 2);
  const key = randomBytes(16).toString('base64');
  headers['sec-websocket-key'] = key;
  raw.push('sec-websocket-key', key);
  if (headers['sec-websocket-version'] === undefined) {
    headers['sec-websocket-version'] = '13';
    raw.push('sec-websocket-version', '13');
  }
  return 'websocket';
}
