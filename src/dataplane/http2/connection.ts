import type net from 'node:net';
import type { StreamConnection } from './downstream-stream.js';
import {
  DEFAULT_MAX_FRAME_SIZE, DEFAULT_WINDOW, ErrorCode, FRAME_HEADER_SIZE, Flag, FrameType, MAX_ALLOWED_FRAME_SIZE, MAX_PENDING_ACKS,
  MAX_WINDOW, SETTINGS_ACK, Setting, frame, frameHeader, goawayFrame, settingsFrame, u32Frame, writeFrameHeader,
} from './frames.js';
import { creditStream, sendData, sendQueued } from './data-sender.js';
import { FrameReader, ReadResult, type FrameSink } from './frame-reader.js';
import { HpackDecoder, HpackEncoder } from './hpack.js';
import { H2_PREFACE } from './preface.js';
import { requestFields, validTrailers } from './request-fields.js';
import { H2ServerStream, type StreamOwner } from './server-stream.js';

/** Concurrent streams we accept per client connection (SETTINGS_MAX_CONCURRENT_STREAMS), as front-end.ts. */
export const MAX_CLIENT_STREAMS = 256;
/** SETTINGS_MAX_HEADER_LIST_SIZE we advertise (node's http2 default maxHeaderListSize is 64 KiB too). */
export const MAX_HEADER_LIST_SIZE = 65_536;
/** Compressed header block octets (HEADERS + CONTINUATION) we take at most: the CONTINUATION flood cap. */
const MAX_HEADER_BLOCK = 2 * MAX_HEADER_LIST_SIZE;
const MAX_CONTINUATIONS = 128;
/** The connection receive window: credited on receipt, so one stalled stream does not hold the others. */
const CONNECTION_WINDOW = 1 << 20;
/** A connection without streams for this long is closed with GOAWAY (a zero-window or idle client). */
export const IDLE_TIMEOUT_MS = 120_000;
/** Rapid reset (CVE-2023-44487): client resets and refused streams, a token bucket as nghttp2's. */
const RESET_BURST = 1000;
const RESET_PER_SECOND = 33;
/** Closed stream ids remembered, to tell late frames on streams we reset from protocol errors. */
const CLOSED_STREAMS_KEPT = 1024;
/** How long a connection that failed may take to read our GOAWAY. */
const LINGER_MS = 1000;

/** What a connection needs from its front end. */
export interface ConnectionHost {
  onStream(stream: H2ServerStream): void;
  forget(conn: H2ServerConnection): void;
}

/**
 * H2ServerConnection: one HTTP/2 client connection on a socket (RFC 9113): the preface, frames,
 * SETTINGS, HPACK (hpack.ts), stream states (s5.1) and flow control both ways (s5.2, s6.9). Each
 * request stream becomes an H2ServerStream for the engine. Protocol violations end the connection
 * with GOAWAY or the stream with RST_STREAM, with the codes s5.4 and s6 name; floods (rapid
 * reset, CONTINUATION, SETTINGS/PING, HPACK bombs) meet the caps above.
 */
export class H2ServerConnection implements StreamOwner, FrameSink {
  private readonly streams = new Map<number, H2ServerStream>();
  private readonly blocked = new Set<H2ServerStream>();
  private readonly decoder = new HpackDecoder();
  private readonly encoder = new HpackEncoder();
  private readonly reader = new FrameReader();
  /** The client preface while it is still incomplete. */
  private prefaceBytes: Buffer | null = null;
  private prefaceDone = false;
  private settingsSeen = false;
  private lastStreamId = 0;
  /** GOAWAY sent: streams above this id are not served. */
  private goawayId = -1;
  private peerDone = false;
  private dead = false;
  private corked = false;
  private readonly output = (bytes: Buffer): void => this.out(bytes);
  /** Flow control (s6.9): connection send window, peer's initial stream window, our receive side. */
  private sendWindow = DEFAULT_WINDOW;
  private peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxFrame = DEFAULT_MAX_FRAME_SIZE;
  private recvWindow = CONNECTION_WINDOW;
  private recvUnacked = 0;
  /** A header block in progress (HEADERS without END_HEADERS, then CONTINUATION). */
  private blockStream = 0;
  private blockFlags = 0;
  private blockParts: Buffer[] = [];
  private blockSize = 0;
  /** The header block in progress names its own stream as its dependency (s5.3.1). */
  private blockSelfDependent = false;
  /**
   * Recently closed streams: true for those we reset, whose late frames are ignored (s5.1
   * "closed"), false for those the client closed or reset, whose frames are STREAM_CLOSED errors.
   * Bounded: older ids count as never opened.
   */
  private readonly closedStreams = new Map<number, boolean>();
  private resetTokens = RESET_BURST;
  private resetStamp = Date.now();
  private pendingAcks = 0;

  constructor(
    readonly socket: net.Socket,
    private readonly host: ConnectionHost,
    private readonly info: StreamConnection,
  ) {
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('drain', () => this.drained());
    socket.on('end', () => this.peerFinished());
    socket.on('close', () => this.closed());
    socket.on('timeout', () => this.idle());
    socket.on('error', ignore); // 'close' follows
    socket.setTimeout(IDLE_TIMEOUT_MS);
    this.out(settingsFrame([
      [Setting.MAX_CONCURRENT_STREAMS, MAX_CLIENT_STREAMS],
      [Setting.ENABLE_PUSH, 0],
      [Setting.MAX_HEADER_LIST_SIZE, MAX_HEADER_LIST_SIZE],
    ]));
    this.out(u32Frame(FrameType.WINDOW_UPDATE, 0, CONNECTION_WINDOW - DEFAULT_WINDOW));
    socket.resume();
  }

  get openStreams(): number {
    return this.streams.size;
  }

  get congested(): boolean {
    return this.socket.writableNeedDrain;
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

  private read(chunk: Buffer): void {
    if (this.dead) return;
    let bytes: Buffer | null = chunk;
    if (!this.prefaceDone && (bytes = this.preface(chunk)) === null) return;
    const result = this.reader.push(bytes, this);
    if (result === ReadResult.TOO_LARGE) return this.fail(ErrorCode.FRAME_SIZE_ERROR);
    if (result === ReadResult.STOPPED) return;
    if (this.recvUnacked >= CONNECTION_WINDOW / 2) {
      this.out(u32Frame(FrameType.WINDOW_UPDATE, 0, this.recvUnacked));
      this.recvWindow += this.recvUnacked;
      this.recvUnacked = 0;
    }
  }

  /** preface takes the client preface (s3.4) off the first bytes; returns what follows it, or null. */
  private preface(chunk: Buffer): Buffer | null {
    const buf = this.prefaceBytes === null ? chunk : Buffer.concat([this.prefaceBytes, chunk]);
    this.prefaceBytes = null;
    if (buf.length < H2_PREFACE.length) {
      this.prefaceBytes = buf;
      return null;
    }
    if (!buf.subarray(0, H2_PREFACE.length).equals(H2_PREFACE)) {
      this.fail(ErrorCode.PROTOCOL_ERROR);
      return null;
    }
    this.prefaceDone = true;
    return buf.subarray(H2_PREFACE.length);
  }

  /** frame: one frame from the reader (FrameSink); false once the connection failed. */
  frame(type: number, flags: number, id: number, buf: Buffer, start: number, end: number): boolean {
    this.dispatch(type, flags, id, buf, start, end);
    return !this.dead;
  }


  private dispatch(type: number, flags: number, id: number, buf: Buffer, start: number, end: number): void {
    // s6.10: nothing may come between a HEADERS without END_HEADERS and its CONTINUATIONs.
    if (this.blockStream !== 0 && type !== FrameType.CONTINUATION) return this.fail(ErrorCode.PROTOCOL_ERROR);
    // s3.4: the client preface ends with a SETTINGS frame.
    if (!this.settingsSeen && type !== FrameType.SETTINGS) return this.fail(ErrorCode.PROTOCOL_ERROR);
    switch (type) {
      case FrameType.DATA: return this.onData(flags, id, buf, start, end);
      case FrameType.HEADERS: return this.onHeaders(flags, id, buf, start, end);
      case FrameType.PRIORITY: return this.onPriority(id, buf, start, end);
      case FrameType.RST_STREAM: return this.onReset(id, start, end);
      case FrameType.SETTINGS: return this.onSettings(flags, id, buf, start, end);
      case FrameType.PUSH_PROMISE: return this.fail(ErrorCode.PROTOCOL_ERROR); // s8.4: clients never push
      case FrameType.PING: return this.onPing(flags, id, buf, start, end);
      case FrameType.GOAWAY: return this.onGoaway(id, start, end);
      case FrameType.WINDOW_UPDATE: return this.onWindowUpdate(id, buf, start, end);
      case FrameType.CONTINUATION: return this.onContinuation(flags, id, buf, start, end);
      default: return; // s4.1: unknown frame types are ignored
    }
  }

  private onData(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    if (id === 0) return this.fail(ErrorCode.PROTOCOL_ERROR);
    const length = end - start;
    this.recvWindow -= length;
    if (this.recvWindow < 0) return this.fail(ErrorCode.FLOW_CONTROL_ERROR);
    this.recvUnacked += length;
    let from = start;
    let to = end;
    if (flags & Flag.PADDED) {
      if (length < 1 || buf[start]! >= length) return this.fail(ErrorCode.PROTOCOL_ERROR);
      from = start + 1;
      to = end - buf[start]!;
    }
    const stream = this.streams.get(id);
    if (stream === undefined) {
      // s5.1: DATA on an idle stream is a connection error; on one we reset it is dropped; on one
      // the client closed, a stream error STREAM_CLOSED (answered once: later DATA is dropped).
      if (id > this.lastStreamId) return this.fail(ErrorCode.PROTOCOL_ERROR);
      if (this.closedStreams.get(id) === false) this.rstId(id, ErrorCode.STREAM_CLOSED);
      return;
    }
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

  private onHeaders(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    if (id === 0) return this.fail(ErrorCode.PROTOCOL_ERROR);
    let from = start;
    let to = end;
    if (flags & Flag.PADDED) {
      if (end - start < 1) return this.fail(ErrorCode.FRAME_SIZE_ERROR);
      from++;
      to -= buf[start]!;
    }
    let selfDependent = false;
    if (flags & Flag.PRIORITY) {
      // Priority signals are otherwise ignored (s5.3.2); the block after them is decoded regardless.
      if (to - from < 5) return this.fail(ErrorCode.FRAME_SIZE_ERROR);
      selfDependent = (buf.readUInt32BE(from) & 0x7fffffff) === id;
      from += 5;
    }
    if (to < from) return this.fail(ErrorCode.PROTOCOL_ERROR); // padding longer than the payload (s6.2)
    if (flags & Flag.END_HEADERS) return this.headerBlock(id, flags, buf, from, to, selfDependent);
    this.blockSelfDependent = selfDependent;
    this.blockStream = id;
    this.blockFlags = flags;
    this.blockParts = [buf.subarray(from, to)];
    this.blockSize = to - from;
  }

  private onContinuation(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    if (this.blockStream === 0 || id !== this.blockStream) return this.fail(ErrorCode.PROTOCOL_ERROR);
    this.blockSize += end - start;
    this.blockParts.push(buf.subarray(start, end));
    if (this.blockSize > MAX_HEADER_BLOCK || this.blockParts.length > MAX_CONTINUATIONS) return this.fail(ErrorCode.ENHANCE_YOUR_CALM);
    if ((flags & Flag.END_HEADERS) === 0) return;
    const block = Buffer.concat(this.blockParts);
    this.blockStream = 0;
    this.blockParts = [];
    this.headerBlock(id, this.blockFlags, block, 0, block.length, this.blockSelfDependent);
  }

  private headerBlock(id: number, flags: number, buf: Buffer, start: number, end: number, selfDependent: boolean): void {
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
      const resetByUs = this.closedStreams.get(id);
      if (resetByUs === true) return;
      return this.fail(resetByUs === false ? ErrorCode.STREAM_CLOSED : ErrorCode.PROTOCOL_ERROR);
    }
    this.lastStreamId = id;
    if (selfDependent) return this.rstId(id, ErrorCode.PROTOCOL_ERROR);
    if (this.goawayId >= 0) return; // after our GOAWAY: not served, the client retries elsewhere
    if (this.decoder.overflow) return this.refuseTooLarge(id, endStream);
    if (this.streams.size >= MAX_CLIENT_STREAMS) {
      this.rstId(id, ErrorCode.REFUSED_STREAM);
      return this.countReset();
    }
    const request = requestFields(fields);
    if (typeof request === 'string') return this.rstId(id, ErrorCode.PROTOCOL_ERROR);
    const created = new H2ServerStream(id, this, request.headers, fields, this.info, endStream, request.contentLength,
      this.peerInitialWindow, DEFAULT_WINDOW);
    if (endStream && request.contentLength > 0) return this.rstId(id, ErrorCode.PROTOCOL_ERROR);
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
    this.out(this.headersFrame(id, [':status', '431'], Flag.END_STREAM | Flag.END_HEADERS));
    if (!endStream) this.rstId(id, ErrorCode.NO_ERROR);
  }

  private onPriority(id: number, buf: Buffer, start: number, end: number): void {
    if (id === 0) return this.fail(ErrorCode.PROTOCOL_ERROR);
    if (end - start !== 5) return this.rstId(id, ErrorCode.FRAME_SIZE_ERROR);
    if ((buf.readUInt32BE(start) & 0x7fffffff) === id) {
      // s5.3.1: a stream cannot depend on itself.
      const stream = this.streams.get(id);
      return stream !== undefined ? this.streamError(stream, ErrorCode.PROTOCOL_ERROR) : this.rstId(id, ErrorCode.PROTOCOL_ERROR);
    }
    // s5.3.2: priority signals are deprecated and ignored.
  }

  private onReset(id: number, start: number, end: number): void {
    if (end - start !== 4) return this.fail(ErrorCode.FRAME_SIZE_ERROR);
    if (id === 0 || id > this.lastStreamId) return this.fail(ErrorCode.PROTOCOL_ERROR);
    const stream = this.streams.get(id);
    if (stream === undefined) return;
    this.drop(stream, false);
    this.countReset();
  }

  /** countReset: the rapid reset defence; a client past the rate gets GOAWAY ENHANCE_YOUR_CALM. */
  private countReset(): void {
    const now = Date.now();
    this.resetTokens = Math.min(RESET_BURST, this.resetTokens + ((now - this.resetStamp) * RESET_PER_SECOND) / 1000);
    this.resetStamp = now;
    if (--this.resetTokens < 0) this.fail(ErrorCode.ENHANCE_YOUR_CALM);
  }

  private onSettings(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    if (id !== 0) return this.fail(ErrorCode.PROTOCOL_ERROR);
    if (flags & Flag.ACK) {
      if (end !== start) return this.fail(ErrorCode.FRAME_SIZE_ERROR);
      return;
    }
    if ((end - start) % 6 !== 0) return this.fail(ErrorCode.FRAME_SIZE_ERROR);
    this.settingsSeen = true;
    for (let at = start; at < end; at += 6) {
      const value = buf.readUInt32BE(at + 2);
      switch (buf.readUInt16BE(at)) {
        case Setting.ENABLE_PUSH:
          if (value > 1) return this.fail(ErrorCode.PROTOCOL_ERROR);
          break;
        case Setting.INITIAL_WINDOW_SIZE:
          if (value > MAX_WINDOW) return this.fail(ErrorCode.FLOW_CONTROL_ERROR);
          if (!this.initialWindow(value)) return;
          break;
        case Setting.MAX_FRAME_SIZE:
          if (value < DEFAULT_MAX_FRAME_SIZE || value > MAX_ALLOWED_FRAME_SIZE) return this.fail(ErrorCode.PROTOCOL_ERROR);
          this.peerMaxFrame = value;
          break;
        default:
          // HEADER_TABLE_SIZE: our encoder keeps no table (hpack.ts). The rest binds a client only.
          break;
      }
    }
    this.ack(SETTINGS_ACK);
  }

  /** initialWindow applies a new SETTINGS_INITIAL_WINDOW_SIZE to every open stream (s6.9.2). */
  private initialWindow(value: number): boolean {
    const delta = value - this.peerInitialWindow;
    this.peerInitialWindow = value;
    for (const stream of this.streams.values()) {
      stream.sendWindow += delta;
      if (stream.sendWindow > MAX_WINDOW) {
        this.fail(ErrorCode.FLOW_CONTROL_ERROR);
        return false;
      }
    }
    if (delta > 0) this.unblock();
    return true;
  }

  private onPing(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    if (id !== 0) return this.fail(ErrorCode.PROTOCOL_ERROR);
    if (end - start !== 8) return this.fail(ErrorCode.FRAME_SIZE_ERROR);
    if (flags & Flag.ACK) return;
    this.ack(frame(FrameType.PING, Flag.ACK, 0, buf.subarray(start, end)));
  }

  /** ack sends a SETTINGS or PING acknowledgement, unless a client that does not read piled up too many. */
  private ack(frameBytes: Buffer): void {
    if (this.socket.writableNeedDrain && ++this.pendingAcks > MAX_PENDING_ACKS) return this.fail(ErrorCode.ENHANCE_YOUR_CALM);
    this.out(frameBytes);
  }

  private onGoaway(id: number, start: number, end: number): void {
    if (id !== 0) return this.fail(ErrorCode.PROTOCOL_ERROR);
    if (end - start < 8) return this.fail(ErrorCode.FRAME_SIZE_ERROR);
    this.peerFinished();
  }

  private onWindowUpdate(id: number, buf: Buffer, start: number, end: number): void {
    if (end - start !== 4) return this.fail(ErrorCode.FRAME_SIZE_ERROR);
    const increment = buf.readUInt32BE(start) & 0x7fffffff;
    if (id === 0) {
      if (increment === 0) return this.fail(ErrorCode.PROTOCOL_ERROR);
      this.sendWindow += increment;
      if (this.sendWindow > MAX_WINDOW) return this.fail(ErrorCode.FLOW_CONTROL_ERROR);
      return this.unblock();
    }
    if (id > this.lastStreamId) return this.fail(ErrorCode.PROTOCOL_ERROR);
    const stream = this.streams.get(id);
    if (stream === undefined) return;
    if (increment === 0) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR);
    stream.sendWindow += increment;
    if (stream.sendWindow > MAX_WINDOW) return this.streamError(stream, ErrorCode.FLOW_CONTROL_ERROR);
    if (stream.queued !== null) this.flush(stream);
  }

  // ---- writing (StreamOwner) ----

  sendHeaders(stream: H2ServerStream, fields: string[], endStream: boolean): void {
    if (this.dead || stream.destroyed) return;
    const flags = endStream ? Flag.END_STREAM : 0;
    const block = this.encoder.encode(fields, FRAME_HEADER_SIZE);
    const length = block.length - FRAME_HEADER_SIZE;
    if (length <= this.peerMaxFrame) {
      writeFrameHeader(block, 0, length, FrameType.HEADERS, flags | Flag.END_HEADERS, stream.id);
      this.out(block);
    } else {
      // s6.10: the rest of a large block goes in CONTINUATION frames, back to back.
      const body = block.subarray(FRAME_HEADER_SIZE);
      for (let at = 0; at < length; at += this.peerMaxFrame) {
        const part = body.subarray(at, Math.min(length, at + this.peerMaxFrame));
        const last = at + this.peerMaxFrame >= length;
        const type = at === 0 ? FrameType.HEADERS : FrameType.CONTINUATION;
        this.out(frameHeader(part.length, type, (at === 0 ? flags : 0) | (last ? Flag.END_HEADERS : 0), stream.id));
        this.out(part);
      }
    }
    if (endStream) this.localEnd(stream);
  }

  sendData(stream: H2ServerStream, chunk: Buffer, endStream: boolean): void {
    if (this.dead || stream.destroyed) return;
    this.sendWindow -= sendData(this.output, stream, chunk, endStream, this.sendWindow, this.peerMaxFrame);
    if (stream.queued !== null) this.blocked.add(stream);
    else if (endStream) this.localEnd(stream);
  }


  /** flush sends what a stream queued behind flow control, then its end. */
  private flush(stream: H2ServerStream): void {
    const end = stream.queuedEnd;
    this.blocked.delete(stream);
    if (!sendQueued(this, stream, !stream.hasTrailers)) return;
    if (end && stream.hasTrailers) stream.sendTrailers();
    if (stream.wantDrain && !this.congested && !stream.destroyed) {
      stream.wantDrain = false;
      stream.emit('drain');
    }
  }

  /** unblock: the connection window opened; blocked streams go in turn while it lasts. */
  private unblock(): void {
    for (const stream of [...this.blocked]) {
      if (this.sendWindow <= 0 || this.dead) return;
      if (stream.queued !== null && stream.sendWindow > 0) this.flush(stream);
    }
  }

  consumed(stream: H2ServerStream, bytes: number): void {
    if (!this.dead) creditStream(this.output, stream, bytes);
  }

  reset(stream: H2ServerStream, code: ErrorCode): void {
    this.streamError(stream, code);
  }

  /** localEnd: our END_STREAM left; a client still sending is told to stop without error (s8.1). */
  private localEnd(stream: H2ServerStream): void {
    if (stream.remoteEnded) return this.drop(stream, false);
    this.rstId(stream.id, ErrorCode.NO_ERROR);
    this.drop(stream, true);
  }

  private streamError(stream: H2ServerStream, code: ErrorCode): void {
    this.rstId(stream.id, code);
    this.drop(stream, true);
  }

  private rstId(id: number, code: ErrorCode): void {
    if (!this.dead) this.out(u32Frame(FrameType.RST_STREAM, id, code));
    this.remember(id, true);
  }

  /** remember notes a closed stream (bounded: the oldest is forgotten first). */
  private remember(id: number, resetByUs: boolean): void {
    this.closedStreams.set(id, resetByUs);
    if (this.closedStreams.size > CLOSED_STREAMS_KEPT) this.closedStreams.delete(this.closedStreams.keys().next().value!);
  }

  private drop(stream: H2ServerStream, resetByUs: boolean): void {
    if (!this.streams.delete(stream.id)) return;
    if (!resetByUs) this.remember(stream.id, false);
    this.blocked.delete(stream);
    stream.closed();
    this.endIfDone();
  }

  private headersFrame(id: number, fields: string[], flags: number): Buffer {
    const block = this.encoder.encode(fields, FRAME_HEADER_SIZE);
    writeFrameHeader(block, 0, block.length - FRAME_HEADER_SIZE, FrameType.HEADERS, flags, id);
    return block;
  }

  /**
   * out writes a frame. The socket stays corked until the loop's check phase, so every frame
   * written while handling one poll's reads and upstream events (a response's HEADERS, DATA and
   * trailers arrive as separate upstream callbacks) leaves in one writev: measured 1.3x req/s per
   * core over uncorking at the end of the tick (bench/h2.sh load, --cpu-prof: socket writes were
   * 11% of the proxy's time).
   */
  private out(bytes: Buffer): void {
    if (this.dead) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(uncork, this);
    }
    this.socket.write(bytes);
  }

  uncork(): void {
    this.corked = false;
    this.socket.uncork();
  }

  // ---- connection life ----

  /** fail: a connection error (s5.4.1): GOAWAY with the code, every stream ends, the socket closes. */
  private fail(code: ErrorCode): void {
    if (this.dead) return;
    this.out(goawayFrame(this.lastStreamId, code));
    this.dead = true;
    this.closeStreams();
    if (this.corked) this.uncork();
    this.socket.end();
    setTimeout(destroy, LINGER_MS, this.socket).unref();
  }

  private drained(): void {
    this.pendingAcks = 0;
    for (const stream of this.streams.values()) {
      if (stream.wantDrain && stream.queued === null) {
        stream.wantDrain = false;
        stream.emit('drain');
      }
    }
  }

  /** peerFinished: the client sent GOAWAY or closed its side; streams in flight finish. */
  private peerFinished(): void {
    this.peerDone = true;
    this.endIfDone();
  }

  private endIfDone(): void {
    if (this.streams.size > 0 || this.dead || (this.goawayId < 0 && !this.peerDone)) return;
    this.dead = true;
    if (this.corked) this.uncork();
    this.socket.end();
    setTimeout(destroy, LINGER_MS, this.socket).unref();
  }

  /** idle: nothing moved on the socket for IDLE_TIMEOUT_MS; without streams the connection goes. */
  private idle(): void {
    if (this.streams.size > 0) return;
    this.shutdown();
  }

  private closeStreams(): void {
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

function uncork(conn: H2ServerConnection): void {
  conn.uncork();
}

function destroy(socket: net.Socket): void {
  socket.destroy();
}

function ignore(): void {}
