import { Attempt } from '../proxy/attempt.js';
import type { ProxyContext } from '../proxy/context.js';
import { ProxyError } from '../proxy/errors.js';
import { sendError } from '../proxy/respond.js';
import { StreamTunnelClient, type TunnelStream } from '../proxy/stream-tunnel.js';
import { sendGrpcError } from './grpc-response.js';
import { isGrpc } from './grpc-status.js';
import { isMisdirected, MISDIRECTED_BODY } from './misdirected.js';
import { bootstrapWebSocket } from './websocket-bootstrap.js';

/**
 * dispatchStream runs one request stream of either HTTP/2 engine (front-end.ts on node's http2,
 * berth-front-end.ts on berth's) through the engine's Attempt, as HTTP/1.1 requests run: 421 for
 * a host this TLS connection cannot serve, a WebSocket's extended CONNECT as an upgrade (RFC 8441,
 * websocket-bootstrap.ts), 501 for another tunnel protocol. A bug costs the stream, never the process.
 */
export function dispatchStream(ctx: ProxyContext, stream: TunnelStream, encrypted: boolean, servername: string | undefined): void {
  const kind = bootstrapWebSocket(stream.headers, stream.rawHeaders);
  const attempt = new Attempt(ctx, stream, stream, kind === 'websocket' ? new StreamTunnelClient(stream) : null);
  try {
    if (encrypted && isMisdirected(ctx.runtime.tls, ctx.runtime.listenerHostnames, servername, attempt.host)) return misdirected(stream);
    if (kind === 'unsupported') return attempt.fail(new ProxyError('UNSUPPORTED_PROTOCOL'));
    attempt.start();
  } catch (err) {
    ctx.log.error({ err, path: attempt.path }, 'h2 request failed');
    if (isGrpc(stream.headers['content-type'] as string | undefined)) sendGrpcError(stream, err);
    else sendError(stream, err);
  }
}

function misdirected(res: TunnelStream): void {
  res.writeHead(421, ['content-type', 'application/json; charset=utf-8', 'content-length', String(Buffer.byteLength(MISDIRECTED_BODY))]);
  res.end(MISDIRECTED_BODY);
}
