import type { DownstreamRequest } from './downstream.js';
import type { UpstreamConnection } from './pool.js';

export type BodyKind = 0 | 1 | 2;
export const BODY_NONE = 0;
export const BODY_LENGTH = 1;
export const BODY_CHUNKED = 2;

/** requestBodyKind: how the client framed its body (node has already decoded chunked framing). */
export function requestBodyKind(req: DownstreamRequest): BodyKind {
  if (req.headers['transfer-encoding'] !== undefined) return BODY_CHUNKED;
  const length = req.headers['content-length'];
  return length === undefined || length === '0' ? BODY_NONE : BODY_LENGTH;
}

const kBody = Symbol('berth.requestBody');
type Tagged = { [kBody]?: RequestBody };

/**
 * RequestBody streams a client's request body to the upstream socket as it arrives, with
 * backpressure both ways (the client is paused while the upstream socket's buffer is full);
 * the body is never held whole.
 */
export class RequestBody {
  complete = false;
  /** Body bytes received from the client so far. */
  bytes = 0;
  private stopped = false;

  constructor(
    private readonly req: DownstreamRequest,
    private readonly conn: UpstreamConnection,
    private readonly kind: BodyKind,
    private readonly readTimeoutMs: number,
  ) {
    (req as Tagged)[kBody] = this;
    req.on('data', onData);
    req.on('end', onEnd);
  }

  data(chunk: Buffer): void {
    this.bytes += chunk.length;
    const socket = this.conn.socket;
    let ok: boolean;
    if (this.kind === BODY_CHUNKED) {
      socket.cork();
      socket.write(chunk.length.toString(16) + '\r\n');
      socket.write(chunk);
      ok = socket.write('\r\n');
      socket.uncork();
    } else {
      ok = socket.write(chunk);
    }
    if (!ok) this.req.pause();
  }

  end(): void {
    if (this.kind === BODY_CHUNKED) this.conn.socket.write('0\r\n\r\n');
    this.complete = true;
    // Once the body is sent, the inactivity limit that applies is the read timeout.
    this.conn.setTimeout(this.readTimeoutMs);
  }

  resume(): void {
    if (!this.stopped) this.req.resume();
  }

  /** stop detaches from the client stream (the upstream side failed or answered early). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.req.off('data', onData);
    this.req.off('end', onEnd);
    (this.req as Tagged)[kBody] = undefined;
    // Discard what the client still sends, so its keep-alive connection can carry the next request.
    if (!this.complete) this.req.resume();
  }
}

function onData(this: DownstreamRequest, chunk: Buffer): void {
  (this as Tagged)[kBody]?.data(chunk);
}

function onEnd(this: DownstreamRequest): void {
  (this as Tagged)[kBody]?.end();
}
