import type { OutgoingHttpHeaders } from 'node:http';
import type { DownstreamResponse } from '../proxy/downstream.js';
import { sendError } from '../proxy/respond.js';
import { grpcErrorHeaders } from './grpc-status.js';

/** An HTTP/2 response of either engine (downstream-stream.ts, server-stream.ts). */
interface TrailersOnly {
  respondTrailersOnly(headers: OutgoingHttpHeaders): void;
}

/**
 * sendGrpcError answers a gRPC call the proxy could not forward with a Trailers-Only response
 * (grpc-status in one HEADERS frame with END_STREAM), the way gRPC clients expect a failure before
 * any message. Returns the HTTP status sent (200). When the head already left, it falls back to
 * the engine's behaviour (cut the stream).
 */
export function sendGrpcError(res: DownstreamResponse, err: unknown): number {
  if (res.headersSent || res.destroyed) return sendError(res, err);
  const headers = grpcErrorHeaders(err);
  if (typeof (res as Partial<TrailersOnly>).respondTrailersOnly === 'function') {
    (res as DownstreamResponse & TrailersOnly).respondTrailersOnly(headers);
    return 200;
  }
  // gRPC over HTTP/1.1 is no real client; answer with the same fields as a plain response.
  const flat: string[] = [];
  for (const [name, value] of Object.entries(headers)) if (name !== ':status') flat.push(name, String(value));
  res.writeHead(200, flat.concat('Content-Length', '0'));
  res.end();
  return 200;
}
