import type net from 'node:net';
import {
  DEFAULT_MAX_FRAME_SIZE, DEFAULT_WINDOW, ErrorCode, FRAME_HEADER_SIZE, Flag, FrameType, MAX_ALLOWED_FRAME_SIZE, MAX_PENDING_ACKS,
  MAX_WINDOW, SETTINGS_ACK, Setting, frame, goawayFrame, headerFrames, settingsFrame, u32Frame,
} from './frames.js';
import { type DataConnection, type ReceivingStream, type SendingStream, creditStream, sendData } from './data-sender.js';
import { FrameReader, ReadResult, type FrameSink } from './frame-reader.js';
import { BLOCK_PENDING, BLOCK_WHOLE, HeaderBlock } from './header-block.js';
import { HpackDecoder, HpackEncoder } from './hpack.js';

/** The connection receive window: credited on receipt, so one stalled stream does not hold the others. */
const CONNECTION_WINDOW = 1 << 20;
/** How long a connection that failed may take to read our GOAWAY. */
const LINGER_MS = 1000;

/** What the shared machinery needs of a stream, on either side (server-stream.ts, client-stream.ts). */
export interface CoreStream extends SendingStream, ReceivingStream {
  /** The stream is closed: nothing more is sent on it. */
  readonly destroyed: boolean;
  /** Its user was told a write must wait: 'drain' is owed. */
  wantDrain: boolean;
  /** drained tells the stream's user it may write again. */
  drained(): void;
}

/**
 * H2ConnectionCore: what an HTTP/2 connection does the same way on either side (RFC 9113):
 * reading frames, HEADERS + CONTINUATION assembly (header-block.ts), SETTINGS, PING and their
 * acknowledgement cap, GOAWAY checks, flow control both ways (s6.9), HEADERS writing, corked
 * output and the connection error. The server side (connection.ts) and the client side
 * (client-connection.ts) add stream creation, DATA and RST_STREAM, and what a GOAWAY means to them.
 */
export abstract class H2ConnectionCore<S extends CoreStream> implements FrameSink, DataConnection<S> {
  readonly streams = new Map<number, S>();
  /** Streams with DATA queued behind the connection window. */
  protected readonly blocked = new Set<S>();
  protected readonly decoder = new HpackDecoder();
  private readonly encoder = new HpackEncoder();
  private readonly reader = new FrameReader();
  private readonly block = new HeaderBlock();
  /** Nothing more is read or written. */
  dead = false;
  private corked = false;
  protected readonly output = (bytes: Buffer): void => this.out(bytes);
  /** Flow control (s6.9): connection send window, the peer's initial stream window, our receive side. */
  private sendWindow = DEFAULT_WINDOW;
  protected peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxFrame = DEFAULT_MAX_FRAME_SIZE;
  private recvWindow = CONNECTION_WINDOW;
  private recvUnacked = 0;
  /** The peer's SETTINGS_MAX_CONCURRENT_STREAMS (the client side's session pool keeps to it). */
  peerMaxStreams = Infinity;
  /** SETTINGS or PING acknowledgements written while the peer was not reading (reset on 'drain'). */
  private pendingAcks = 0;

  /** `settingsFirst`: the peer's first frame must be SETTINGS (s3.4), checked on the server side. */
  constructor(readonly socket: net.Socket, private settingsFirst: boolean) {
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('drain', () => this.drained());
    socket.on('error', ignore); // 'close' follows
  }

  get congested(): boolean {
    return this.socket.writableNeedDrain;
  }

  /** start sends our SETTINGS and opens the connection receive window to CONNECTION_WINDOW. */
  protected start(settings: Array<[Setting, number]>): void {
    this.out(settingsFrame(settings));
    this.out(u32Frame(FrameType.WINDOW_UPDATE, 0, CONNECTION_WINDOW - DEFAULT_WINDOW));
  }

  // ---- reading ----

  protected read(chunk: Buffer): void {
    if (this.dead) return;
    const result = this.reader.push(chunk, this);
    if (result === ReadResult.TOO_LARGE) return this.fail(ErrorCode.FRAME_SIZE_ERROR);
    if (result === ReadResult.STOPPED) return;
    if (this.recvUnacked >= CONNECTION_WINDOW / 2) {
      this.out(u32Frame(FrameType.WINDOW_UPDATE, 0, this.recvUnacked));
      this.recvWindow += this.recvUnacked;
      this.recvUnacked = 0;
    }
  }

  /** frame: one frame from the reader (FrameSink); false once the connection failed. */
  frame(type: number, flags: number, id: number, buf: Buffer, start: number, end: number): boolean {
    this.dispatch(type, flags, id, buf, start, end);
    return !this.dead;
  }

  private dispatch(type: number, flags: number, id: number, buf: Buffer, start: number, end: number): void {
    // s6.10: nothing may come between a HEADERS without END_HEADERS and its CONTINUATIONs.
    if (this.block.pending !== 0 && type !== FrameType.CONTINUATION) return this.fail(ErrorCode.PROTOCOL_ERROR);
    if (this.settingsFirst && type !== FrameType.SETTINGS) return this.fail(ErrorCode.PROTOCOL_ERROR);
    switch (type) {
      case FrameType.DATA: return this.onData(flags, id, buf, start, end);
      case FrameType.HEADERS: return this.onBlock(this.block.headers(flags, id, buf, start, end));
      case FrameType.PRIORITY: return this.onPriority(id, buf, start, end);
      case FrameType.RST_STREAM: return this.onReset(id, buf, start, end);
      case FrameType.SETTINGS: return this.onSettings(flags, id, buf, start, end);
      // s8.4: clients never push; our client side sent ENABLE_PUSH 0 (s6.6).
      case FrameType.PUSH_PROMISE: return this.fail(ErrorCode.PROTOCOL_ERROR);
      case FrameType.PING: return this.onPing(flags, id, buf, start, end);
      case FrameType.GOAWAY: return this.onGoaway(id, buf, start, end);
      case FrameType.WINDOW_UPDATE: return this.onWindowUpdate(id, buf, start, end);
      case FrameType.CONTINUATION: return this.onBlock(this.block.continuation(flags, id, buf, start, end));
      default: return; // s4.1: unknown frame types are ignored
    }
  }

  /** streamData: DATA for an open stream, its data bytes buf[from, to) of a `length`-octet frame (padding included). */
  protected abstract streamData(stream: S, flags: number, buf: Buffer, from: number, to: number, length: number): void;
  /** dataWithoutStream: DATA for a stream not open (idle, or closed: s5.1). */
  protected abstract dataWithoutStream(id: number): void;
  protected abstract onPriority(id: number, buf: Buffer, start: number, end: number): void;
  protected abstract onReset(id: number, buf: Buffer, start: number, end: number): void;
  /** headerBlock: a whole header block for stream `id`; `selfDependent`: its priority names itself (s5.3.1). */
  protected abstract headerBlock(id: number, flags: number, buf: Buffer, start: number, end: number, selfDependent: boolean): void;
  /** peerGoaway: a valid GOAWAY; streams above `lastStreamId` were not processed (s6.8). */
  protected abstract peerGoaway(lastStreamId: number): void;
  /** neverOpened: `id` names a stream still idle (s5.1), so frames on it are a connection error. */
  protected abstract neverOpened(id: number): boolean;
  /** flush sends what `stream` queued behind flow control (its end, trailers, 'drain'). */
  protected abstract flush(stream: S): void;
  /** settingsApplied: the peer's SETTINGS were taken and acknowledged. */
  protected abstract settingsApplied(): void;
  /** lastPeerStream: the last stream the peer opened, for our GOAWAY. */
  protected abstract get lastPeerStream(): number;
  /** closeStreams: the connection died; every stream ends. */
  protected abstract closeStreams(): void;
  /** streamError: a stream error (s5.4.2): RST_STREAM with the code, the stream ends. */
  protected abstract streamError(stream: S, code: ErrorCode): void;
  /** sentEnd: our END_STREAM left on DATA. */
  protected abstract sentEnd(stream: S): void;

  /** onData charges a DATA frame to the connection window (s6.9.1), checks its padding (s6.1) and hands it to its stream. */
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
      from++;
      to -= buf[start]!;
    }
    const stream = this.streams.get(id);
    if (stream === undefined) return this.dataWithoutStream(id);
    this.streamData(stream, flags, buf, from, to, length);
  }

  /** onBlock: what a HEADERS or CONTINUATION frame did (header-block.ts); a whole block goes to the side. */
  private onBlock(result: number): void {
    if (result === BLOCK_PENDING) return;
    if (result !== BLOCK_WHOLE) return this.fail(result as ErrorCode);
    const block = this.block;
    this.headerBlock(block.id, block.flags, block.buf, block.from, block.to, block.selfDependent);
    block.release();
  }

  private onSettings(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    if (id !== 0) return this.fail(ErrorCode.PROTOCOL_ERROR);
    if (flags & Flag.ACK) return end === start ? undefined : this.fail(ErrorCode.FRAME_SIZE_ERROR);
    if ((end - start) % 6 !== 0) return this.fail(ErrorCode.FRAME_SIZE_ERROR);
    this.settingsFirst = false;
    for (let at = start; at < end; at += 6) {
      const value = buf.readUInt32BE(at + 2);
      switch (buf.readUInt16BE(at)) {
        case Setting.ENABLE_PUSH: // 0 or 1 (RFC 9113 s6.5.2), as ENABLE_CONNECT_PROTOCOL (RFC 8441 s3)
        case Setting.ENABLE_CONNECT_PROTOCOL:
          if (value > 1) return this.fail(ErrorCode.PROTOCOL_ERROR);
          break;
        case Setting.MAX_CONCURRENT_STREAMS:
          this.peerMaxStreams = value;
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
          break; // HEADER_TABLE_SIZE: our encoder keeps no table (hpack.ts); MAX_HEADER_LIST_SIZE binds the peer's encoder only.
      }
    }
    if (this.ack(SETTINGS_ACK)) this.settingsApplied();
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
    if ((flags & Flag.ACK) === 0) this.ack(frame(FrameType.PING, Flag.ACK, 0, buf.subarray(start, end)));
  }

  /**
   * ack sends a frame the peer's own frames call for (a SETTINGS or PING acknowledgement, an
   * RST_STREAM for its stream errors), unless a peer that does not read piled up too many: a flood
   * of them would otherwise grow our write buffer without bound (s10.5; nghttp2 counts RST_STREAM
   * with the acks too).
   */
  protected ack(frameBytes: Buffer): boolean {
    if (this.socket.writableNeedDrain && ++this.pendingAcks > MAX_PENDING_ACKS) {
      this.fail(ErrorCode.ENHANCE_YOUR_CALM);
      return false;
    }
    this.out(frameBytes);
    return true;
  }

  private onGoaway(id: number, buf: Buffer, start: number, end: number): void {
    if (id !== 0) return this.fail(ErrorCode.PROTOCOL_ERROR);
    if (end - start < 8) return this.fail(ErrorCode.FRAME_SIZE_ERROR);
    this.peerGoaway(buf.readUInt32BE(start) & 0x7fffffff);
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
    const stream = this.streams.get(id);
    if (stream === undefined) return this.neverOpened(id) ? this.fail(ErrorCode.PROTOCOL_ERROR) : undefined;
    if (increment === 0) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR);
    stream.sendWindow += increment;
    if (stream.sendWindow > MAX_WINDOW) return this.streamError(stream, ErrorCode.FLOW_CONTROL_ERROR);
    if (stream.queued !== null) this.flush(stream);
  }

  /** unblock: the connection window opened; blocked streams go in turn while it lasts. */
  private unblock(): void {
    for (const stream of [...this.blocked]) {
      if (this.sendWindow <= 0 || this.dead) return;
      if (stream.queued !== null && stream.sendWindow > 0) this.flush(stream);
    }
  }

  // ---- writing ----

  /** writeHeaders sends a header block for stream `id` (HEADERS, then CONTINUATION if it is large). */
  protected writeHeaders(id: number, fields: string[], endStream: boolean): void {
    headerFrames(this.output, this.encoder.encode(fields, FRAME_HEADER_SIZE), id, endStream ? Flag.END_STREAM : 0, this.peerMaxFrame);
  }

  /** sendData frames body bytes within the windows (data-sender.ts); the rest waits, the stream blocked. */
  sendData(stream: S, chunk: Buffer, endStream: boolean): void {
    if (this.dead || stream.destroyed) return;
    this.sendWindow -= sendData(this.output, stream, chunk, endStream, this.sendWindow, this.peerMaxFrame);
    if (stream.queued !== null) this.blockedOn(stream);
    else if (endStream) this.sentEnd(stream);
  }

  /** blockedOn: the stream's bytes wait for the peer's WINDOW_UPDATE. */
  protected blockedOn(stream: S): void {
    this.blocked.add(stream);
  }

  /** consumed: the stream's user took `bytes` of its DATA; its window reopens by that much. */
  consumed(stream: S, bytes: number): void {
    if (!this.dead) creditStream(this.output, stream, bytes);
  }

  /** drainOwed tells a stream's user, after its queued bytes went, that it may write again. */
  protected drainOwed(stream: S): void {
    if (stream.wantDrain && !this.congested && !stream.destroyed) {
      stream.wantDrain = false;
      stream.drained();
    }
  }

  /**
   * out writes a frame. The socket stays corked until the loop's check phase, so every frame
   * written while handling one poll's reads and the other side's events (a response's HEADERS, DATA
   * and trailers arrive as separate upstream callbacks) leaves in one writev: measured 1.3x req/s
   * per core over uncorking at the end of the tick (bench/h2.sh load, --cpu-prof: socket writes
   * were 11% of the proxy's time).
   */
  protected out(bytes: Buffer): void {
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
  protected fail(code: ErrorCode): void {
    if (this.dead) return;
    this.out(goawayFrame(this.lastPeerStream, code));
    this.dead = true;
    // The GOAWAY leaves before the streams end: a client stream's end may destroy the socket.
    this.close();
    this.closeStreams();
  }

  /** close ends the socket after what was written; a peer that does not read it is cut off. */
  protected close(): void {
    if (this.corked) this.uncork();
    this.socket.end();
    setTimeout(destroy, LINGER_MS, this.socket).unref();
  }

  private drained(): void {
    this.pendingAcks = 0;
    for (const stream of this.streams.values()) {
      if (stream.wantDrain && stream.queued === null) {
        stream.wantDrain = false;
        stream.drained();
      }
    }
  }
}

function uncork(conn: H2ConnectionCore<CoreStream>): void {
  conn.uncork();
}

function destroy(socket: net.Socket): void {
  socket.destroy();
}

function ignore(): void {}
