import type net from 'node:net';
import {
  DEFAULT_MAX_FRAME_SIZE, DEFAULT_WINDOW, ErrorCode, FRAME_HEADER_SIZE, Flag, FrameType, MAX_ALLOWED_FRAME_SIZE, MAX_PENDING_ACKS,
  MAX_WINDOW, SETTINGS_ACK, Setting, frame, frameHeader, goawayFrame, settingsFrame, u32Frame, writeFrameHeader,
} from './frames.js';
import { creditStream, sendData, sendQueued } from './data-sender.js';
import { FrameReader, ReadResult, type FrameSink } from './frame-reader.js';
import { HpackDecoder, HpackEncoder } from './hpack.js';
import { H2_PREFACE } from './preface.js';

/** Response header lists we take at most from an upstream (our SETTINGS_MAX_HEADER_LIST_SIZE). */
const MAX_HEADER_LIST_SIZE = 65_536;
const MAX_HEADER_BLOCK = 2 * MAX_HEADER_LIST_SIZE;
/** Our receive window per connection; streams keep the default and reopen as the client takes the body. */
const CONNECTION_WINDOW = 1 << 20;

/** What a client stream reports to its user (berth-upstream-stream.ts). */
export interface ClientStreamSink {
  /** The final response head (1xx heads are skipped); `endStream`: a head-only answer (gRPC Trailers-Only). */
  onHead(status: number, fields: string[], endStream: boolean): void;
  onData(chunk: Buffer): void;
  onTrailers(fields: string[]): void;
  onEnd(): void;
  /**
   * onReset: the stream ended without a complete answer. `unprocessed`: the upstream cannot have
   * acted on it (REFUSED_STREAM, or above a GOAWAY's last stream id: RFC 9113 s8.7).
   */
  onReset(code: ErrorCode, unprocessed: boolean): void;
  /** The body may be written again (the windows or the socket opened). */
  onDrain(): void;
}

/**
 * ClientStream: one request on an H2ClientConnection. Response DATA is handed on unless the user
 * paused it; the stream window reopens only as it is handed on, so an upstream is held back by
 * flow control while berth's client is behind (RFC 9113 s5.2).
 */
export class ClientStream {
  sendWindow: number;
  recvWindow = DEFAULT_WINDOW;
  unacked = 0;
  queued: Buffer[] | null = null;
  queuedEnd = false;
  localEnded = false;
  remoteEnded = false;
  closed = false;
  wantDrain = false;
  headSeen = false;
  paused = false;
  held: Buffer[] | null = null;
  heldEnd = false;

  constructor(
    readonly id: number,
    readonly conn: H2ClientConnection,
    readonly sink: ClientStreamSink,
    sendWindow: number,
  ) {
    this.sendWindow = sendWindow;
  }

  /** write sends body bytes; false when they wait (flow control or socket): 'onDrain' follows. */
  write(chunk: Buffer): boolean {
    if (this.closed || this.localEnded) return true;
    if (this.queued !== null) this.queued.push(chunk);
    else this.conn.sendData(this, chunk, false);
    if (this.queued === null && !this.conn.congested) return true;
    this.wantDrain = true;
    return false;
  }

  end(): void {
    if (this.closed || this.localEnded) return;
    this.localEnded = true;
    if (this.queued !== null) this.queuedEnd = true;
    else this.conn.sendData(this, EMPTY, true);
  }

  /** cancel: RST_STREAM CANCEL; the connection lives on. */
  cancel(): void {
    if (!this.closed) this.conn.reset(this, ErrorCode.CANCEL);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    const held = this.held;
    this.held = null;
    if (held !== null) for (const chunk of held) if (!this.closed) this.deliver(chunk);
    if (this.heldEnd && !this.closed) this.conn.finishRemote(this);
  }

  /** pushData: response DATA from the connection. */
  pushData(chunk: Buffer): void {
    if (this.paused || this.held !== null) (this.held ??= []).push(chunk);
    else this.deliver(chunk);
  }

  private deliver(chunk: Buffer): void {
    this.conn.consumed(this, chunk.length);
    this.sink.onData(chunk);
  }
}

const EMPTY = Buffer.alloc(0);

/** What the connection tells its session (berth-session-pool.ts). */
export interface ClientConnectionOwner {
  /** The upstream's SETTINGS arrived: streams may go. */
  onReady(): void;
  /** GOAWAY, a connection error or the socket's close: no new streams. */
  onRetire(): void;
  onStreamClosed(): void;
}

/**
 * H2ClientConnection: berth's HTTP/2 client side of one upstream connection (RFC 9113): the
 * preface, SETTINGS, streams with odd ids from 1, HPACK both ways (hpack.ts), flow control both
 * ways, GOAWAY (streams above its last id fail as unprocessed), PING. Requests may be written
 * before the upstream's SETTINGS (s3.4 allows it); a peer limit on concurrent streams is kept by
 * the session pool, which reads `peerMaxStreams`.
 */
export class H2ClientConnection implements FrameSink {
  readonly streams = new Map<number, ClientStream>();
  private readonly blocked = new Set<ClientStream>();
  private readonly decoder = new HpackDecoder();
  private readonly encoder = new HpackEncoder();
  private nextId = 1;
  private readonly reader = new FrameReader();
  /** The upstream's first SETTINGS came. */
  ready = false;
  /** No new streams: GOAWAY received, an error, or the socket closed. */
  retired = false;
  dead = false;
  peerMaxStreams = Infinity;
  private goawayId = MAX_WINDOW;
  private sendWindow = DEFAULT_WINDOW;
  private peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxFrame = DEFAULT_MAX_FRAME_SIZE;
  private recvWindow = CONNECTION_WINDOW;
  private recvUnacked = 0;
  private blockStream = 0;
  private blockFlags = 0;
  private blockParts: Buffer[] = [];
  private blockSize = 0;
  private corked = false;
  /** Acknowledgements written while the upstream was not reading (reset on 'drain'). */
  private pendingAcks = 0;
  private readonly output = (bytes: Buffer): void => this.out(bytes);

  constructor(
    readonly socket: net.Socket,
    private readonly owner: ClientConnectionOwner,
  ) {
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('drain', () => this.drained());
    socket.on('close', () => this.closed());
    socket.on('end', () => this.retire());
    socket.on('error', ignore); // 'close' follows
    this.out(H2_PREFACE);
    this.out(settingsFrame([[Setting.ENABLE_PUSH, 0], [Setting.MAX_HEADER_LIST_SIZE, MAX_HEADER_LIST_SIZE]]));
    this.out(u32Frame(FrameType.WINDOW_UPDATE, 0, CONNECTION_WINDOW - DEFAULT_WINDOW));
  }

  get congested(): boolean {
    return this.socket.writableNeedDrain;
  }

  /** request opens a stream: HEADERS with `fields` (pseudo-headers first, names lowercase). */
  request(fields: string[], endStream: boolean, sink: ClientStreamSink): ClientStream {
    const stream = new ClientStream(this.nextId, this, sink, this.peerInitialWindow);
    if (this.dead) {
      // The connection went between the pool's choice and now: nothing was sent.
      stream.closed = true;
      process.nextTick(refuse, sink);
      return stream;
    }
    this.nextId += 2;
    this.streams.set(stream.id, stream);
    stream.localEnded = endStream;
    this.sendHeaders(stream.id, fields, endStream);
    return stream;
  }

  /** shutdown: GOAWAY (s6.8) and no new streams; the connection goes when its streams are done. */
  shutdown(): void {
    if (this.dead) return;
    this.retire();
    this.out(goawayFrame(0, ErrorCode.NO_ERROR));
    if (this.streams.size === 0) this.destroy();
  }

  destroy(): void {
    this.dead = true;
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
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
    if (this.blockStream !== 0 && type !== FrameType.CONTINUATION) return this.fail(ErrorCode.PROTOCOL_ERROR);
    switch (type) {
      case FrameType.DATA: return this.onData(flags, id, buf, start, end);
      case FrameType.HEADERS: return this.onHeaders(flags, id, buf, start, end);
      case FrameType.CONTINUATION: return this.onContinuation(flags, id, buf, start, end);
      case FrameType.RST_STREAM: return this.onReset(id, buf, start, end);
      case FrameType.SETTINGS: return this.onSettings(flags, id, buf, start, end);
      case FrameType.PING: return this.onPing(flags, id, buf, start, end);
      case FrameType.GOAWAY: return this.onGoaway(id, buf, start, end);
      case FrameType.WINDOW_UPDATE: return this.onWindowUpdate(id, buf, start, end);
      case FrameType.PUSH_PROMISE: return this.fail(ErrorCode.PROTOCOL_ERROR); // we sent ENABLE_PUSH 0 (s6.6)
      default: return; // PRIORITY and unknown types are ignored
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
      from++;
      to -= buf[start]!;
    }
    const stream = this.streams.get(id);
    if (stream === undefined) {
      if (id >= this.nextId) return this.fail(ErrorCode.PROTOCOL_ERROR);
      return;
    }
    if (!stream.headSeen || stream.remoteEnded) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR);
    stream.recvWindow -= length;
    if (stream.recvWindow < 0) return this.streamError(stream, ErrorCode.FLOW_CONTROL_ERROR);
    if (to - from < length && !this.dead) creditStream(this.output, stream, length - (to - from));
    if (to > from) stream.pushData(buf.subarray(from, to));
    if (flags & Flag.END_STREAM) this.remoteEnd(stream);
  }

  private remoteEnd(stream: ClientStream): void {
    stream.remoteEnded = true;
    if (stream.paused || stream.held !== null) stream.heldEnd = true;
    else this.finishRemote(stream);
  }

  /** finishRemote: the whole answer went to the user. */
  finishRemote(stream: ClientStream): void {
    stream.heldEnd = false;
    stream.sink.onEnd();
    // A request body still going is not needed any more (s8.1): stop it.
    if (!stream.localEnded || stream.queued !== null) this.out(u32Frame(FrameType.RST_STREAM, stream.id, ErrorCode.NO_ERROR));
    this.drop(stream);
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
    if (flags & Flag.PRIORITY) from += 5;
    if (to < from) return this.fail(ErrorCode.PROTOCOL_ERROR);
    if (flags & Flag.END_HEADERS) return this.headerBlock(id, flags, buf, from, to);
    this.blockStream = id;
    this.blockFlags = flags;
    this.blockParts = [buf.subarray(from, to)];
    this.blockSize = to - from;
  }

  private onContinuation(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    if (this.blockStream === 0 || id !== this.blockStream) return this.fail(ErrorCode.PROTOCOL_ERROR);
    this.blockSize += end - start;
    this.blockParts.push(buf.subarray(start, end));
    if (this.blockSize > MAX_HEADER_BLOCK) return this.fail(ErrorCode.ENHANCE_YOUR_CALM);
    if ((flags & Flag.END_HEADERS) === 0) return;
    const block = Buffer.concat(this.blockParts);
    this.blockStream = 0;
    this.blockParts = [];
    this.headerBlock(id, this.blockFlags, block, 0, block.length);
  }

  private headerBlock(id: number, flags: number, buf: Buffer, start: number, end: number): void {
    const fields = this.decoder.decode(buf, start, end, MAX_HEADER_LIST_SIZE);
    if (fields === null) return this.fail(ErrorCode.COMPRESSION_ERROR);
    const stream = this.streams.get(id);
    if (stream === undefined) {
      if (id >= this.nextId || (id & 1) === 0) return this.fail(ErrorCode.PROTOCOL_ERROR);
      return; // a stream we already reset
    }
    const endStream = (flags & Flag.END_STREAM) !== 0;
    if (this.decoder.overflow || stream.remoteEnded) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR);
    if (stream.headSeen) {
      // Trailers (s8.1): end the stream, carry no pseudo-headers.
      if (!endStream || hasPseudo(fields)) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR);
      stream.sink.onTrailers(fields);
      if (!stream.closed) this.remoteEnd(stream);
      return;
    }
    if (fields[0] !== ':status') return this.streamError(stream, ErrorCode.PROTOCOL_ERROR);
    const status = Number(fields[1]);
    if (!Number.isInteger(status) || status < 100 || status > 999) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR);
    if (status < 200) {
      // An interim answer (s8.1): the final one follows; one with END_STREAM is malformed.
      if (endStream) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR);
      return;
    }
    for (let i = 2; i < fields.length; i += 2) if (fields[i]!.charCodeAt(0) === 58) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR);
    stream.headSeen = true;
    const regular = fields.slice(2);
    stream.sink.onHead(status, regular, endStream);
    if (endStream && !stream.closed) this.remoteEnd(stream);
  }

  private onReset(id: number, buf: Buffer, start: number, end: number): void {
    if (end - start !== 4) return this.fail(ErrorCode.FRAME_SIZE_ERROR);
    if (id === 0 || id >= this.nextId) return this.fail(ErrorCode.PROTOCOL_ERROR);
    const stream = this.streams.get(id);
    if (stream === undefined) return;
    const code = buf.readUInt32BE(start) as ErrorCode;
    this.drop(stream);
    stream.sink.onReset(code, code === ErrorCode.REFUSED_STREAM);
  }

  private onSettings(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    if (id !== 0) return this.fail(ErrorCode.PROTOCOL_ERROR);
    if (flags & Flag.ACK) return end === start ? undefined : this.fail(ErrorCode.FRAME_SIZE_ERROR);
    if ((end - start) % 6 !== 0) return this.fail(ErrorCode.FRAME_SIZE_ERROR);
    for (let at = start; at < end; at += 6) {
      const value = buf.readUInt32BE(at + 2);
      switch (buf.readUInt16BE(at)) {
        case Setting.MAX_CONCURRENT_STREAMS:
          this.peerMaxStreams = value;
          break;
        case Setting.INITIAL_WINDOW_SIZE: {
          if (value > MAX_WINDOW) return this.fail(ErrorCode.FLOW_CONTROL_ERROR);
          const delta = value - this.peerInitialWindow;
          this.peerInitialWindow = value;
          for (const s of this.streams.values()) s.sendWindow += delta;
          if (delta > 0) this.unblock();
          break;
        }
        case Setting.MAX_FRAME_SIZE:
          if (value < DEFAULT_MAX_FRAME_SIZE || value > MAX_ALLOWED_FRAME_SIZE) return this.fail(ErrorCode.PROTOCOL_ERROR);
          this.peerMaxFrame = value;
          break;
        case Setting.ENABLE_PUSH:
          if (value > 1) return this.fail(ErrorCode.PROTOCOL_ERROR);
          break;
        default:
          break; // HEADER_TABLE_SIZE: our encoder keeps no table (hpack.ts)
      }
    }
    if (!this.ack(SETTINGS_ACK)) return;
    if (!this.ready) {
      this.ready = true;
      this.owner.onReady();
    }
  }

  private onPing(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    if (id !== 0) return this.fail(ErrorCode.PROTOCOL_ERROR);
    if (end - start !== 8) return this.fail(ErrorCode.FRAME_SIZE_ERROR);
    if ((flags & Flag.ACK) === 0) this.ack(frame(FrameType.PING, Flag.ACK, 0, buf.subarray(start, end)));
  }

  /**
   * ack sends a SETTINGS or PING acknowledgement, unless an upstream that does not read piled up
   * too many: a flood of them would otherwise grow our write buffer without bound.
   */
  private ack(frameBytes: Buffer): boolean {
    if (this.socket.writableNeedDrain && ++this.pendingAcks > MAX_PENDING_ACKS) {
      this.fail(ErrorCode.ENHANCE_YOUR_CALM);
      return false;
    }
    this.out(frameBytes);
    return true;
  }

  /** onGoaway: streams above the last id were never processed and may go elsewhere (s6.8). */
  private onGoaway(id: number, buf: Buffer, start: number, end: number): void {
    if (id !== 0) return this.fail(ErrorCode.PROTOCOL_ERROR);
    if (end - start < 8) return this.fail(ErrorCode.FRAME_SIZE_ERROR);
    const last = buf.readUInt32BE(start) & 0x7fffffff;
    if (last < this.goawayId) this.goawayId = last;
    this.retire();
    for (const stream of [...this.streams.values()]) {
      if (stream.id <= last) continue;
      this.drop(stream);
      stream.sink.onReset(ErrorCode.REFUSED_STREAM, true);
    }
    if (this.streams.size === 0) this.destroy();
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
    if (stream === undefined) return;
    if (increment === 0) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR);
    stream.sendWindow += increment;
    if (stream.sendWindow > MAX_WINDOW) return this.streamError(stream, ErrorCode.FLOW_CONTROL_ERROR);
    if (stream.queued !== null) this.flush(stream);
  }

  // ---- writing ----

  private sendHeaders(id: number, fields: string[], endStream: boolean): void {
    const flags = endStream ? Flag.END_STREAM : 0;
    const block = this.encoder.encode(fields, FRAME_HEADER_SIZE);
    const length = block.length - FRAME_HEADER_SIZE;
    if (length <= this.peerMaxFrame) {
      writeFrameHeader(block, 0, length, FrameType.HEADERS, flags | Flag.END_HEADERS, id);
      return this.out(block);
    }
    const body = block.subarray(FRAME_HEADER_SIZE);
    for (let at = 0; at < length; at += this.peerMaxFrame) {
      const part = body.subarray(at, Math.min(length, at + this.peerMaxFrame));
      const last = at + this.peerMaxFrame >= length;
      this.out(frameHeader(part.length, at === 0 ? FrameType.HEADERS : FrameType.CONTINUATION, (at === 0 ? flags : 0) | (last ? Flag.END_HEADERS : 0), id));
      this.out(part);
    }
  }

  sendData(stream: ClientStream, chunk: Buffer, endStream: boolean): void {
    if (this.dead || stream.closed) return;
    this.sendWindow -= sendData(this.output, stream, chunk, endStream, this.sendWindow, this.peerMaxFrame);
    if (stream.queued !== null) this.blocked.add(stream);
  }


  private flush(stream: ClientStream): void {
    this.blocked.delete(stream);
    if (!sendQueued(this, stream, true)) return;
    if (stream.wantDrain && !this.congested && !stream.closed) {
      stream.wantDrain = false;
      stream.sink.onDrain();
    }
  }

  private unblock(): void {
    for (const stream of [...this.blocked]) {
      if (this.sendWindow <= 0 || this.dead) return;
      if (stream.queued !== null && stream.sendWindow > 0) this.flush(stream);
    }
  }

  consumed(stream: ClientStream, bytes: number): void {
    if (!this.dead) creditStream(this.output, stream, bytes);
  }

  reset(stream: ClientStream, code: ErrorCode): void {
    this.out(u32Frame(FrameType.RST_STREAM, stream.id, code));
    this.drop(stream);
  }

  private streamError(stream: ClientStream, code: ErrorCode): void {
    this.reset(stream, code);
    stream.sink.onReset(code, false);
  }

  private drop(stream: ClientStream): void {
    if (!this.streams.delete(stream.id)) return;
    stream.closed = true;
    stream.held = null;
    stream.queued = null;
    this.blocked.delete(stream);
    this.owner.onStreamClosed();
    if (this.retired && this.streams.size === 0) this.destroy();
  }

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

  private drained(): void {
    this.pendingAcks = 0;
    for (const stream of this.streams.values()) {
      if (stream.wantDrain && stream.queued === null) {
        stream.wantDrain = false;
        stream.sink.onDrain();
      }
    }
  }

  private retire(): void {
    if (this.retired) return;
    this.retired = true;
    this.owner.onRetire();
  }

  /** fail: a connection error (s5.4.1): GOAWAY, every stream fails, the socket goes. */
  private fail(code: ErrorCode): void {
    if (this.dead) return;
    this.out(goawayFrame(0, code));
    if (this.corked) this.uncork();
    this.socket.end();
    this.closed();
    setTimeout(destroySocket, 1000, this.socket).unref();
  }

  private closed(): void {
    this.dead = true;
    this.retire();
    const streams = [...this.streams.values()];
    for (const stream of streams) {
      this.drop(stream);
      // Never answered on a connection that never came up: nothing was processed.
      stream.sink.onReset(ErrorCode.CANCEL, !this.ready);
    }
  }
}

function hasPseudo(fields: string[]): boolean {
  for (let i = 0; i < fields.length; i += 2) if (fields[i]!.charCodeAt(0) === 58) return true;
  return false;
}

function refuse(sink: ClientStreamSink): void {
  sink.onReset(ErrorCode.REFUSED_STREAM, true);
}

function uncork(conn: H2ClientConnection): void {
  conn.uncork();
}

function destroySocket(socket: net.Socket): void {
  socket.destroy();
}

function ignore(): void {}
