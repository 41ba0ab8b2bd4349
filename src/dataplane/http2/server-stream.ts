import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { DEFAULT_WRITE_TIMEOUT_MS, type DownstreamRequest, type DownstreamResponse } from '../proxy/downstream.js';
import type { StreamConnection } from './downstream-stream.js';
import { ErrorCode } from './frames.js';
import { responseFields } from './response-fields.js';

/** What a stream asks of its connection (connection.ts). */
export interface StreamOwner {
  /** sendHeaders writes a HEADERS block (+CONTINUATION) for the stream. */
  sendHeaders(stream: H2ServerStream, fields: string[], endStream: boolean): void;
  /** sendData writes as much as the windows allow; the rest waits in stream.queued. */
  sendData(stream: H2ServerStream, chunk: Buffer, endStream: boolean): void;
  /** consumed: the engine took `bytes` of request body; the windows reopen by that much. */
  consumed(stream: H2ServerStream, bytes: number): void;
  reset(stream: H2ServerStream, code: ErrorCode): void;
  /** The socket is behind: writes wait for its 'drain'. */
  readonly congested: boolean;
}

/**
 * H2ServerStream: one request stream of berth's own HTTP/2 server connection, seen by the engine
 * through DownstreamRequest and DownstreamResponse (proxy/downstream.ts), as H2Downstream does for
 * node's http2. Request body bytes are held until the engine reads (the stream's window closes
 * meanwhile, so the client is held back by flow control, RFC 9113 s5.2) and the window reopens
 * as it consumes them. The response head is held until the first body byte or the end, so an
 * answer without body or trailers goes as one HEADERS frame with END_STREAM.
 */
export class H2ServerStream extends EventEmitter implements DownstreamRequest, DownstreamResponse {
  readonly url: string;
  readonly httpVersion = '2.0';
  headersSent = false;
  writableFinished = false;
  /** The stream is closed (ended both ways or reset): nothing more is sent. */
  destroyed = false;
  /** The client sent END_STREAM. */
  remoteEnded: boolean;
  /** We sent END_STREAM (or it waits behind flow control in `queued`). */
  localEnded = false;
  /** Flow control: what we may still send, what the client may still send (s6.9). */
  sendWindow: number;
  recvWindow: number;
  /** Body bytes the engine consumed since the last stream WINDOW_UPDATE. */
  unacked = 0;
  /** DATA bytes received so far, checked against content-length (s8.1.1). */
  received = 0;
  /** Response body waiting for window; `queuedEnd`: END_STREAM follows it. */
  queued: Buffer[] | null = null;
  queuedEnd = false;
  /** 'drain' is owed to the engine after a write returned false. */
  wantDrain = false;
  private head: string[] | null = null;
  private trailers: string[] | null = null;
  private flowing = false;
  private paused = false;
  private held: Buffer[] | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** How long a queued end may wait for the client's window (the route's write timeout, set by the engine). */
  writeTimeoutMs = DEFAULT_WRITE_TIMEOUT_MS;
  private endEmitted = false;

  constructor(
    readonly id: number,
    private readonly owner: StreamOwner,
    readonly headers: IncomingHttpHeaders,
    readonly rawHeaders: string[],
    readonly socket: StreamConnection,
    endStream: boolean,
    readonly contentLength: number,
    sendWindow: number,
    recvWindow: number,
  ) {
    super();
    this.url = headers[':path'] as string ?? '/';
    // The engine reads Host; in HTTP/2 it is :authority (RFC 9113 s8.3.1).
    if (headers.host === undefined && headers[':authority'] !== undefined) headers.host = headers[':authority'] as string;
    // A body without content-length goes to an HTTP/1.1 upstream chunked (proxy/request-body.ts).
    if (!endStream && contentLength < 0) headers['transfer-encoding'] = 'chunked';
    this.remoteEnded = endStream;
    this.sendWindow = sendWindow;
    this.recvWindow = recvWindow;
  }

  /** Read from the fields: a WebSocket's extended CONNECT is rewritten to GET (websocket-bootstrap.ts). */
  get method(): string {
    return this.headers[':method'] as string;
  }

  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    super.on(event, listener);
    if (event === 'data' && !this.flowing) this.flow();
    return this;
  }

  pause(): this {
    this.paused = true;
    return this;
  }

  resume(): this {
    // resume() without a reader: nobody wants the body (the engine answered early); it is discarded.
    if (!this.flowing) this.flow();
    if (this.paused) {
      this.paused = false;
      // The END_STREAM may have come while paused with nothing held (a body that filled the
      // upstream socket with its last DATA): 'end' is still owed.
      if (this.held !== null || (this.remoteEnded && !this.endEmitted)) process.nextTick(release, this);
    }
    return this;
  }

  /** pushData: body bytes from a DATA frame. */
  pushData(chunk: Buffer): void {
    if (this.flowing && !this.paused && this.held === null) return this.deliver(chunk);
    if (chunk.length > 0) (this.held ??= []).push(chunk);
  }

  /** pushEnd: the client's END_STREAM. */
  pushEnd(): void {
    this.remoteEnded = true;
    if (this.flowing && !this.paused && this.held === null && !this.endEmitted) {
      this.endEmitted = true;
      this.emit('end');
    }
  }

  private deliver(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.owner.consumed(this, chunk.length);
    if (this.listenerCount('data') > 0) this.emit('data', chunk);
  }

  private flow(): void {
    this.flowing = true;
    this.emit('resume');
    // Held bytes go out on the next tick: the reader attaching now may attach 'end' right after.
    if (this.held !== null || this.remoteEnded) process.nextTick(release, this);
  }

  /** releaseHeld hands held bytes (and the end) to the reader, unless it paused again. */
  releaseHeld(): void {
    if (this.destroyed) return;
    while (this.held !== null && !this.paused) {
      const chunk = this.held.shift()!;
      if (this.held.length === 0) this.held = null;
      this.deliver(chunk);
    }
    if (this.held === null && !this.paused && this.remoteEnded && !this.endEmitted) {
      this.endEmitted = true;
      this.emit('end');
    }
  }

  writeHead(status: number, headers: string[]): this {
    this.head = responseFields(status, headers);
    this.headersSent = true;
    return this;
  }

  /** addTrailers: trailers from an HTTP/2 upstream (grpc-status, grpc-message) sent after the body. */
  addTrailers(trailers: OutgoingHttpHeaders): void {
    const fields: string[] = [];
    for (const name of Object.keys(trailers)) {
      const value = trailers[name];
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) fields.push(name.toLowerCase(), v);
      else fields.push(name.toLowerCase(), String(value));
    }
    if (fields.length > 0) this.trailers = fields;
  }

  /** respondTrailersOnly: a whole answer in one HEADERS frame with END_STREAM (a gRPC error). */
  respondTrailersOnly(headers: OutgoingHttpHeaders): void {
    if (this.destroyed || this.localEnded) return;
    const fields: string[] = [':status', String(headers[':status'] ?? 200)];
    for (const name of Object.keys(headers)) if (name.charCodeAt(0) !== 58) fields.push(name, String(headers[name]));
    this.headersSent = true;
    this.writableFinished = true;
    this.localEnded = true;
    this.owner.sendHeaders(this, fields, true);
  }

  write(chunk: Buffer): boolean {
    if (this.destroyed || this.localEnded) return true;
    this.flushHead();
    if (chunk.length > 0) {
      if (this.queued !== null) this.queued.push(chunk);
      else this.owner.sendData(this, chunk, false);
      this.timer?.refresh();
    }
    if (this.queued === null && !this.owner.congested) return true;
    this.wantDrain = true;
    return false;
  }

  end(chunk?: Buffer | string, encoding?: BufferEncoding): this {
    if (this.destroyed || this.localEnded) return this;
    this.writableFinished = true;
    this.localEnded = true;
    const body = chunk === undefined || chunk.length === 0 ? null : typeof chunk === 'string' ? Buffer.from(chunk, encoding ?? 'utf8') : chunk;
    if (body === null && this.trailers === null && (this.head !== null || !this.headersSent)) {
      const head = this.head ?? [':status', '200'];
      this.headersSent = true;
      this.head = null;
      this.owner.sendHeaders(this, head, true);
      return this;
    }
    this.flushHead();
    if (this.trailers === null) {
      if (this.queued !== null) {
        if (body !== null) this.queued.push(body);
        this.queuedEnd = true;
      } else this.owner.sendData(this, body ?? EMPTY, true);
    } else {
      if (body !== null) this.write(body);
      if (this.queued !== null) this.queuedEnd = true;
      else this.sendTrailers();
    }
    // The end waits for the client's window: a client that never opens it must not hold the stream
    // (and the answer it buffers) for good; each flush that makes progress starts the wait again.
    if (this.queuedEnd && !this.destroyed && this.timer === null) {
      this.timer = setTimeout(onTimeout, this.writeTimeoutMs, this);
    }
    return this;
  }

  /** progressed: queued bytes went out (connection.ts flush): the write timeout starts again. */
  progressed(): void {
    this.timer?.refresh();
  }

  /** sendTrailers ends the stream with the trailers, once every body byte has gone. */
  sendTrailers(): void {
    const trailers = this.trailers ?? [];
    this.trailers = null;
    this.owner.sendHeaders(this, trailers, true);
  }

  /** hasTrailers: the end is a trailers HEADERS frame rather than END_STREAM on DATA. */
  get hasTrailers(): boolean {
    return this.trailers !== null;
  }

  destroy(): this {
    if (!this.destroyed) this.owner.reset(this, ErrorCode.INTERNAL_ERROR);
    return this;
  }

  setTimeout(ms: number): this {
    if (ms <= 0) {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
    } else if (!this.destroyed) {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = setTimeout(onTimeout, ms, this);
    }
    return this;
  }

  /** timedOut: the client took no data for the write timeout: cut the stream, as HTTP/1.1 cuts the connection. */
  timedOut(): void {
    this.timer = null;
    if (!this.destroyed) this.owner.reset(this, ErrorCode.CANCEL);
  }

  /** sendHead: a tunnel's head (proxy/stream-tunnel.ts), sent at once rather than with the first DATA. */
  sendHead(): void {
    if (!this.destroyed && !this.localEnded) this.flushHead();
  }

  /** flushHead sends the held head before body bytes. */
  private flushHead(): void {
    if (this.head === null) {
      if (this.headersSent) return;
      this.head = [':status', '200'];
      this.headersSent = true;
    }
    const head = this.head;
    this.head = null;
    this.owner.sendHeaders(this, head, false);
  }

  /** drained: the windows and the socket opened after a write returned false. */
  drained(): void {
    this.emit('drain');
  }

  /** closed: the connection dropped the stream (both ends done, reset, or the connection died). */
  closed(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.held = null;
    this.queued = null;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.emit('close');
  }
}

const EMPTY = Buffer.alloc(0);

function release(stream: H2ServerStream): void {
  stream.releaseHeld();
}

function onTimeout(stream: H2ServerStream): void {
  stream.timedOut();
}
