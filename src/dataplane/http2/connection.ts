import type net from 'node:net';
import type { StreamConnection } from './downstream-stream.js';
import { DEFAULT_WINDOW, ErrorCode, Flag, FrameType, Setting, goawayFrame, u32Frame } from './frames.js';
import { H2ConnectionCore } from './connection-core.js';
import { creditStream, sendQueued } from './data-sender.js';
import { MAX_HEADER_LIST_SIZE } from './header-block.js';
import { ClosedStreams } from './closed-streams.js';
import { ClientPreface } from './preface.js';
import { ResetBudget } from './reset-budget.js';
import { requestFields, validTrailers } from './request-fields.js';
import { H2ServerStream, type StreamOwner } from './server-stream.js';

/** Concurrent streams we accept per client connection (SETTINGS_MAX_CONCURRENT_STREAMS), as front-end.ts. */
export const MAX_CLIENT_STREAMS = 256;
/** A connection without streams for this long is closed with GOAWAY (a zero-window or idle client). */
export const IDLE_TIMEOUT_MS = 120_000;

/** What a connection needs from its front end. */
export interface ConnectionHost {
  onStream(stream: H2ServerStream): void;
  forget(conn: H2ServerConnection): void;
}

/**
 * H2ServerConnection: one HTTP/2 client connection on a socket (RFC 9113): the client preface,
 * streams the client opens (s5.1), request DATA, RST_STREAM and the rapid reset defence, idle
 * and graceful GOAWAY; the rest is shared with the client side (connection-core.ts). Each
 * request stream becomes an H2ServerStream for the engine. Protocol violations end the connection
 * with GOAWAY or the stream with RST_STREAM, with the codes s5.4 and s6 name; floods (rapid
 * reset: reset-budget.ts; CONTINUATION, SETTINGS/PING, HPACK bombs: connection-core.ts) meet caps.
 */
export class H2ServerConnection extends H2ConnectionCore<H2ServerStream> implements StreamOwner {
  private readonly clientPreface = new ClientPreface();
  private lastStreamId = 0;
  /** GOAWAY sent: streams above this id are not served. */
  private goawayId = -1;
  private peerDone = false;
  /** The client's FIN came: it sends nothing more, WINDOW_UPDATE included. */
  private finReceived = false;
  private readonly closedStreams = new ClosedStreams();
  private readonly resets = new ResetBudget();

  constructor(
    socket: net.Socket,
    private readonly host: ConnectionHost,
    private readonly info: StreamConnection,
  ) {
    super(socket, true);
    socket.on('end', () => this.clientClosedItsSide());
    socket.on('close', () => this.closed());
    socket.on('timeout', () => this.idle());
    socket.setTimeout(IDLE_TIMEOUT_MS);
    this.start([
      [Setting.MAX_CONCURRENT_STREAMS, MAX_CLIENT_STREAMS],
      [Setting.ENABLE_PUSH, 0],
      [Setting.MAX_HEADER_LIST_SIZE, MAX_HEADER_LIST_SIZE],
      // WebSockets over HTTP/2 (RFC 8441 s3): request-fields.ts admits :protocol, stream-dispatch.ts serves it.
      [Setting.ENABLE_CONNECT_PROTOCOL, 1],
    ]);
    socket.resume();
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /** shutdown: GOAWAY (s6.8); streams in flight finish, then the connection closes. */
  shutdown(): void {
    if (this.dead || this.goawayId >= 0) return;
    this.goawayId = this.lastStreamId;
    this.out(goawayFrame(this.lastStreamId, ErrorCode.NO_ERROR));
    this.endIfDone();
  }

  destroy(): void {
    this.socket.destroy();
  }

  // ---- reading ----

  protected override read(chunk: Buffer): void {
    if (this.clientPreface.done) return super.read(chunk);
    if (this.dead) return;
    const rest = this.clientPreface.take(chunk);
    if (rest === false) this.fail(ErrorCode.PROTOCOL_ERROR);
    else if (rest !== null) super.read(rest);
  }

  /** dataWithoutStream: s5.1: DATA on an idle stream is a connection error; on one we reset it is dropped; on one
   * the client closed, a stream error STREAM_CLOSED (answered once: later DATA is dropped). */
  protected dataWithoutStream(id: number): void {
    if (id > this.lastStreamId) return this.fail(ErrorCode.PROTOCOL_ERROR);
    if (this.closedStreams.resetByUs(id) === false) this.clientReset(id, ErrorCode.STREAM_CLOSED);
  }

  protected streamData(stream: H2ServerStream, flags: number, buf: Buffer, from: number, to: number, length: number): void {
    if (stream.remoteEnded) return this.streamError(stream, ErrorCode.STREAM_CLOSED);
    stream.recvWindow -= length;
    if (stream.recvWindow < 0) return this.streamError(stream, ErrorCode.FLOW_CONTROL_ERROR);
    // Padding is never handed to the engine: its window share comes back at once.
    if (to - from < length && !this.dead) creditStream(this.output, stream, length - (to - from));
    stream.received += to - from;
    if (stream.contentLength >= 0 && stream.received > stream.contentLength) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR);
    if (to > from) stream.pushData(buf.subarray(from, to));
    if (flags & Flag.END_STREAM) this.remoteEnd(stream);
  }

  private remoteEnd(stream: H2ServerStream): void {
    // s8.1.1: a body shorter than its content-length is malformed.
    if (stream.contentLength >= 0 && stream.received !== stream.contentLength) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR);
    stream.pushEnd();
  }

  protected headerBlock(id: number, flags: number, buf: Buffer, start: number, end: number, selfDependent: boolean): void {
    // Every block is decoded, whatever becomes of its stream: the table must follow the client's (RFC 7541 s2.2).
    const fields = this.decoder.decode(buf, start, end, MAX_HEADER_LIST_SIZE);
    if (fields === null) return this.fail(ErrorCode.COMPRESSION_ERROR);
    const endStream = (flags & Flag.END_STREAM) !== 0;
    const stream = this.streams.get(id);
    if (stream !== undefined) {
      if (selfDependent) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR);
      return this.trailers(stream, fields, endStream);
    }
    if ((id & 1) === 0) return this.fail(ErrorCode.PROTOCOL_ERROR); // s5.1.1: clients open odd streams
    if (id <= this.lastStreamId) {
      // s5.1: late frames on a stream we reset are ignored; on one the client closed, STREAM_CLOSED;
      // a lower id never opened is an unexpected identifier (s5.1.1).
      const resetByUs = this.closedStreams.resetByUs(id);
      if (resetByUs === true) return;
      return this.fail(resetByUs === false ? ErrorCode.STREAM_CLOSED : ErrorCode.PROTOCOL_ERROR);
    }
    this.lastStreamId = id;
    if (selfDependent) return this.clientReset(id, ErrorCode.PROTOCOL_ERROR);
    if (this.goawayId >= 0) return; // after our GOAWAY: not served, the client retries elsewhere
    if (this.decoder.overflow) return this.refuseTooLarge(id, endStream);
    if (this.streams.size >= MAX_CLIENT_STREAMS) {
      return this.clientReset(id, ErrorCode.REFUSED_STREAM);
    }
    const request = requestFields(fields);
    if (typeof request === 'string') return this.clientReset(id, ErrorCode.PROTOCOL_ERROR);
    const created = new H2ServerStream(id, this, request.headers, fields, this.info, endStream, request.contentLength,
      this.peerInitialWindow, DEFAULT_WINDOW);
    if (endStream && request.contentLength > 0) return this.clientReset(id, ErrorCode.PROTOCOL_ERROR);
    this.streams.set(id, created);
    this.host.onStream(created);
  }

  /** trailers: a second HEADERS on an open stream ends it and carries no pseudo-headers (s8.1). */
  private trailers(stream: H2ServerStream, fields: string[], endStream: boolean): void {
    if (stream.remoteEnded) return this.streamError(stream, ErrorCode.STREAM_CLOSED);
    if (!endStream || !validTrailers(fields)) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR);
    this.remoteEnd(stream);
  }

  /** refuseTooLarge answers 431 to a request whose header list passed our limit (RFC 9113 s10.5.1). */
  private refuseTooLarge(id: number, endStream: boolean): void {
    this.writeHeaders(id, [':status', '431'], true);
    if (!endStream) this.clientReset(id, ErrorCode.NO_ERROR);
  }

  protected onPriority(id: number, buf: Buffer, start: number, end: number): void {
    if (id === 0) return this.fail(ErrorCode.PROTOCOL_ERROR);
    if (end - start !== 5) return this.clientReset(id, ErrorCode.FRAME_SIZE_ERROR);
    if ((buf.readUInt32BE(start) & 0x7fffffff) === id) {
      // s5.3.1: a stream cannot depend on itself.
      const stream = this.streams.get(id);
      return stream !== undefined ? this.streamError(stream, ErrorCode.PROTOCOL_ERROR) : this.clientReset(id, ErrorCode.PROTOCOL_ERROR);
    }
    // s5.3.2: priority signals are deprecated and ignored.
  }

  protected onReset(id: number, _buf: Buffer, start: number, end: number): void {
    if (end - start !== 4) return this.fail(ErrorCode.FRAME_SIZE_ERROR);
    if (id === 0 || id > this.lastStreamId) return this.fail(ErrorCode.PROTOCOL_ERROR);
    const stream = this.streams.get(id);
    if (stream === undefined) return;
    this.drop(stream, false);
    this.spendReset();
  }

  protected settingsApplied(): void {}

  protected peerGoaway(): void {
    this.peerFinished();
  }

  protected neverOpened(id: number): boolean {
    return id > this.lastStreamId;
  }

  protected get lastPeerStream(): number {
    return this.lastStreamId;
  }

  // ---- writing (StreamOwner) ----

  sendHeaders(stream: H2ServerStream, fields: string[], endStream: boolean): void {
    if (this.dead || stream.destroyed) return;
    this.writeHeaders(stream.id, fields, endStream);
    if (endStream) this.localEnd(stream);
  }

  /** flush sends what a stream queued behind flow control, then its end (trailers after the body). */
  protected flush(stream: H2ServerStream): void {
    const end = stream.queuedEnd;
    this.blocked.delete(stream);
    stream.progressed();
    if (!sendQueued(this, stream, !stream.hasTrailers)) return;
    if (end && stream.hasTrailers) stream.sendTrailers();
    this.drainOwed(stream);
  }

  /** reset: the engine ends a stream (an upstream failure, a write timeout); not the client's doing. */
  reset(stream: H2ServerStream, code: ErrorCode): void {
    this.rstId(stream.id, code);
    this.drop(stream, true);
  }

  protected sentEnd(stream: H2ServerStream): void {
    this.localEnd(stream);
  }

  /** localEnd: our END_STREAM left; a client still sending is told to stop without error (s8.1). */
  private localEnd(stream: H2ServerStream): void {
    if (stream.remoteEnded) return this.drop(stream, false);
    this.reset(stream, ErrorCode.NO_ERROR);
  }

  /** streamError: the client broke the protocol on an open stream (s5.4.2). */
  protected streamError(stream: H2ServerStream, code: ErrorCode): void {
    this.reset(stream, code);
    this.spendReset();
  }

  /** clientReset: RST_STREAM for a stream id the client misused or we refuse; it counts as a reset. */
  private clientReset(id: number, code: ErrorCode): void {
    this.rstId(id, code);
    this.spendReset();
  }

  /**
   * spendReset: the rapid reset defence (CVE-2023-44487) counts every stream reset the client
   * causes, whichever side sends the RST_STREAM: a client past the rate gets ENHANCE_YOUR_CALM.
   */
  private spendReset(): void {
    if (!this.resets.spend()) this.fail(ErrorCode.ENHANCE_YOUR_CALM);
  }

  private rstId(id: number, code: ErrorCode): void {
    if (!this.dead) this.ack(u32Frame(FrameType.RST_STREAM, id, code));
    this.closedStreams.note(id, true);
  }

  private drop(stream: H2ServerStream, resetByUs: boolean): void {
    if (!this.streams.delete(stream.id)) return;
    if (!resetByUs) this.closedStreams.note(stream.id, false);
    this.blocked.delete(stream);
    stream.closed();
    this.endIfDone();
  }

  // ---- connection life ----

  /** peerFinished: the client sent GOAWAY or closed its side; streams in flight finish. */
  private peerFinished(): void {
    this.peerDone = true;
    this.endIfDone();
  }

  /**
   * clientClosedItsSide: the client's FIN. No frame follows it: a stream whose request is not whole
   * can get no more of it, and an answer waiting for the client's WINDOW_UPDATE can never go on,
   * so such streams are cancelled (their upstream requests aborted) instead of waiting for timeouts
   * that may never come; the other streams are still answered.
   */
  private clientClosedItsSide(): void {
    this.finReceived = true;
    for (const stream of [...this.streams.values()]) {
      if (!stream.remoteEnded || this.blocked.has(stream)) this.reset(stream, ErrorCode.CANCEL);
    }
    this.peerFinished();
  }

  protected override blockedOn(stream: H2ServerStream): void {
    super.blockedOn(stream);
    // Cancelled outside the write that blocked it (its caller still holds the stream); after a FIN only.
    if (this.finReceived) process.nextTick(() => this.blocked.has(stream) && this.reset(stream, ErrorCode.CANCEL));
  }

  private endIfDone(): void {
    if (this.streams.size > 0 || this.dead || (this.goawayId < 0 && !this.peerDone)) return;
    this.dead = true;
    this.close();
  }

  /** idle: nothing moved on the socket for IDLE_TIMEOUT_MS; without streams the connection goes. */
  private idle(): void {
    if (this.streams.size > 0) return;
    this.shutdown();
  }

  protected closeStreams(): void {
    const streams = [...this.streams.values()];
    this.streams.clear();
    this.blocked.clear();
    for (const stream of streams) stream.closed();
  }

  private closed(): void {
    this.dead = true;
    this.closeStreams();
    this.host.forget(this);
  }
}
