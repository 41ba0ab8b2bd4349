import type { ProxyErrorCode } from '../proxy/errors.js';
import { ProxyError } from '../proxy/errors.js';

/** gRPC status codes berth produces itself (grpc/grpc doc/statuscodes.md). */
export const GRPC_DEADLINE_EXCEEDED = 4;
export const GRPC_UNIMPLEMENTED = 12;
export const GRPC_INTERNAL = 13;
export const GRPC_UNAVAILABLE = 14;

/**
 * What a gRPC client gets for a proxy failure that happened before the upstream answered.
 * Timeouts are DEADLINE_EXCEEDED; anything that means "no usable backend" is UNAVAILABLE, which
 * gRPC clients retry by policy; no route is UNIMPLEMENTED (as Envoy answers an unknown method).
 */
const GRPC_ERRORS: Record<ProxyErrorCode, { status: number; message: string }> = {
  NO_ROUTE: { status: GRPC_UNIMPLEMENTED, message: 'no Route matched with those values' },
  BACKEND_UNRESOLVED: { status: GRPC_UNAVAILABLE, message: 'the backend of this route could not be resolved' },
  NO_PEER: { status: GRPC_UNAVAILABLE, message: 'failure to get a peer from the ring-balancer' },
  CONNECT_FAILED: { status: GRPC_UNAVAILABLE, message: 'upstream connect failed' },
  UPSTREAM_RESET: { status: GRPC_UNAVAILABLE, message: 'upstream reset the connection' },
  UPSTREAM_UNAVAILABLE: { status: GRPC_UNAVAILABLE, message: 'upstream connect error or disconnect/reset before headers' },
  BAD_UPSTREAM_RESPONSE: { status: GRPC_UNAVAILABLE, message: 'An invalid response was received from the upstream server' },
  CONNECT_TIMEOUT: { status: GRPC_DEADLINE_EXCEEDED, message: 'The upstream server is timing out' },
  READ_TIMEOUT: { status: GRPC_DEADLINE_EXCEEDED, message: 'The upstream server is timing out' },
  WRITE_TIMEOUT: { status: GRPC_DEADLINE_EXCEEDED, message: 'The upstream server is timing out' },
  REQUEST_TIMEOUT: { status: GRPC_DEADLINE_EXCEEDED, message: 'The upstream server is timing out' },
  CLIENT_GONE: { status: GRPC_UNAVAILABLE, message: 'client closed the connection' },
  PROTOCOL_NOT_ALLOWED: { status: GRPC_UNAVAILABLE, message: 'Please use HTTPS protocol' },
  UNSUPPORTED_PROTOCOL: { status: GRPC_UNIMPLEMENTED, message: 'the requested tunnel protocol is not supported' },
  INTERNAL: { status: GRPC_INTERNAL, message: 'An unexpected error occurred' },
};

/**
 * isGrpc: the request is a gRPC call (PROTOCOL-HTTP2.md: Content-Type "application/grpc", with an
 * optional "+proto"/"+json" or ";" suffix). grpc-web is answered like plain HTTP.
 */
export function isGrpc(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType.length < 16) return false;
  if (contentType.slice(0, 16).toLowerCase() !== 'application/grpc') return false;
  const next = contentType.charCodeAt(16);
  return Number.isNaN(next) || next === 43 /* + */ || next === 59 /* ; */;
}

/**
 * grpcErrorHeaders: a Trailers-Only response (PROTOCOL-HTTP2.md) for a proxy failure: HTTP 200,
 * the gRPC content type, grpc-status and a percent-encoded grpc-message.
 */
export function grpcErrorHeaders(err: unknown): Record<string, string | number> {
  const e = err instanceof ProxyError ? GRPC_ERRORS[err.code] : GRPC_ERRORS.INTERNAL;
  return { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(e.status), 'grpc-message': encodeGrpcMessage(e.message) };
}

/** grpcStatusOf: the grpc-status a failure maps to (for logs and metrics). */
export function grpcStatusOf(err: unknown): number {
  return err instanceof ProxyError ? GRPC_ERRORS[err.code].status : GRPC_INTERNAL;
}

/** encodeGrpcMessage percent-encodes what PROTOCOL-HTTP2.md says must be (outside 0x20-0x7E, and %). */
export function encodeGrpcMessage(message: string): string {
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}
