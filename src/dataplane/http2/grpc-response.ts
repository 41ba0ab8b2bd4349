import type { DownstreamResponse } from '../proxy/downstream.js';
import { sendError } from '../proxy/respond.js';
import { H2Downstream } from './downstream-stream.js';
import { grpcErrorHeaders } from './grpc-status.js';

/**
 * sendGrpcError answers a gRPC call the proxy could not forward with a Trailers-Only response
 * (grpc-status in one HEADERS frame with END_STREAM), the way gRPC clients expect a failure before
 * any message. Returns the HTTP status sent (200). When the head already left, it falls back to
 * the engine's behaviour (cut the stream).
 */
export function sendGrpcError(res: DownstreamResponse, err: unknown): number {
  if (res.headersSent || res.destroyed) return sendError(res, err);
  const headers = grpcErrorHeaders(err);
  if (res instanceof H2Downstream) {
    res.stream.respond(headers, { endStream: true });
    res.headersSent = true;
    res.writableFinished = true;
    return 200;
  }
  // gRPC over HTTP/1.1 is no real client; answer with the same fields as a plain response.
  const flat: string[] = [];
  for (const [name, value] of Object.entries(headers)) if (name !== ':status') flat.push(name, String(value));
  res.writeHead(200, flat.concat('Content-Length', '0'));
  res.end();
  return 200;
}
