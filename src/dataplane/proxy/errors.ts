/**
 * ProxyError: every failure of the proxy path carries one of these codes, and `errorResponse`
 * maps a code to Kong's status and JSON body in this one place (Caddy's `statusError` idea:
 * timeout -> 504, connection trouble -> 502).
 */
export type ProxyErrorCode =
  | 'NO_ROUTE'
  | 'NO_PEER'
  | 'CONNECT_FAILED'
  | 'CONNECT_TIMEOUT'
  | 'READ_TIMEOUT'
  | 'WRITE_TIMEOUT'
  | 'REQUEST_TIMEOUT'
  | 'UPSTREAM_RESET'
  | 'BAD_UPSTREAM_RESPONSE'
  | 'UPSTREAM_UNAVAILABLE'
  | 'CLIENT_GONE'
  | 'PROTOCOL_NOT_ALLOWED'
  | 'BACKEND_UNRESOLVED'
  | 'UNSUPPORTED_PROTOCOL'
  | 'INTERNAL';

export class ProxyError extends Error {
  constructor(
    readonly code: ProxyErrorCode,
    message?: string,
    /** True when nothing of the request reached the upstream, so another target may be tried. */
    readonly beforeSend = false,
  ) {
    super(message ?? code);
    this.name = 'ProxyError';
  }

  /** The failure is a timeout (passive health checks count these apart from TCP failures). */
  get isTimeout(): boolean {
    return this.code === 'CONNECT_TIMEOUT' || this.code === 'READ_TIMEOUT' || this.code === 'WRITE_TIMEOUT' || this.code === 'REQUEST_TIMEOUT';
  }
}

/** ErrorResponse: a prepared status + JSON body, built once per code. */
export interface ErrorResponse {
  readonly status: number;
  readonly body: string;
}

function prepared(status: number, message: string): ErrorResponse {
  return { status, body: JSON.stringify({ message }) + '\n' };
}

// Kong's wording (semantics.md s7). CLIENT_GONE never reaches a client; 499 is what gets logged.
const RESPONSES: Record<ProxyErrorCode, ErrorResponse> = {
  NO_ROUTE: prepared(404, 'no Route matched with those values'),
  NO_PEER: prepared(503, 'failure to get a peer from the ring-balancer'),
  CONNECT_FAILED: prepared(502, 'An invalid response was received from the upstream server'),
  UPSTREAM_RESET: prepared(502, 'An invalid response was received from the upstream server'),
  BAD_UPSTREAM_RESPONSE: prepared(502, 'An invalid response was received from the upstream server'),
  // berth: a service with a Gateway API retry policy (retry_statuses) whose tries all ended in a
  // refused or reset connection answers as Envoy does, 503, the code the Gateway API suite expects
  // (conformance/tests/httproute-retry-connection-error.go accepts 500 or 503); Kong's services keep 502.
  UPSTREAM_UNAVAILABLE: prepared(503, 'upstream connect error or disconnect/reset before headers'),
  CONNECT_TIMEOUT: prepared(504, 'The upstream server is timing out'),
  READ_TIMEOUT: prepared(504, 'The upstream server is timing out'),
  WRITE_TIMEOUT: prepared(504, 'The upstream server is timing out'),
  // berth: the route's whole-request limit (HTTPRoute timeouts.request) ran out.
  REQUEST_TIMEOUT: prepared(504, 'The upstream server is timing out'),
  CLIENT_GONE: prepared(499, 'client closed the connection'),
  PROTOCOL_NOT_ALLOWED: prepared(426, 'Please use HTTPS protocol'),
  // Gateway API: the share of an HTTPRoute rule whose backendRefs did not resolve gets 500.
  BACKEND_UNRESOLVED: prepared(500, 'the backend of this route could not be resolved'),
  // An HTTP/2 extended CONNECT to a :protocol other than websocket (RFC 9220 s3 asks for 501).
  UNSUPPORTED_PROTOCOL: prepared(501, 'the requested tunnel protocol is not supported'),
  INTERNAL: prepared(500, 'An unexpected error occurred'),
};

/** errorResponse maps a code (or any thrown value) to the status and body the client gets. */
export function errorResponse(err: unknown): ErrorResponse {
  if (err instanceof ProxyError) return RESPONSES[err.code];
  return RESPONSES.INTERNAL;
}

/** toProxyError classifies a socket-level error raised while talking to an upstream. */
export function toProxyError(err: unknown, beforeSend: boolean): ProxyError {
  if (err instanceof ProxyError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENOTFOUND' || code === 'EADDRNOTAVAIL' || code === 'EAI_AGAIN') {
    return new ProxyError('CONNECT_FAILED', message, beforeSend);
  }
  if (code === 'ETIMEDOUT') return new ProxyError('CONNECT_TIMEOUT', message, beforeSend);
  return new ProxyError('UPSTREAM_RESET', message, beforeSend);
}
