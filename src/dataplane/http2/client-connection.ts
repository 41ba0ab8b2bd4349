import type net from 'node:net';
import { ErrorCode, Flag, FrameType, MAX_WINDOW, Setting, goawayFrame, u32Frame } from './frames.js';
import { ClientStream, type ClientStreamSink } from './client-stream.js';
import { H2ConnectionCore } from './connection-core.js';
import { creditStream, sendQueued } from './data-sender.js';
import { MAX_HEADER_LIST_SIZE } from './header-block.js';
import { H2_PREFACE } from './preface.js';

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
 * preface, streams with odd ids from 1, response heads, DATA and trailers, GOAWAY (streams above
 * its last id fail as unprocessed); the rest is shared with the server side (connection-core.ts).
 * Requests may be written before the upstream's SETTINGS (s3.4 allows it); a peer limit on
 * concurrent streams is kept by the session pool, which reads `peerMaxStreams`.
 */
export class H2ClientConnection extends H2ConnectionCore<ClientStream> {
  private nextId = 1;
  /** The upstream's first SETTINGS came. */
  ready = false;
  /** No new streams: GOAWAY received, an error, or the socket closed. */
  retired = false;
  private goawayId = MAX_WINDOW;

  constructor(
    socket: net.Socket,
    private readonly owner: ClientConnectionOwner,
  ) {
    super(socket, false);
    socket.on('close', () => this.closed());
    socket.on('end', () => this.retire());
    this.out(H2_PREFACE);
    this.start([[Setting.ENABLE_PUSH, 0], [Setting.MAX_HEADER_LIST_SIZE, MAX_HEADER_LIST_SIZE]]);
  }

  /** request opens a stream: HEADERS with `fields` (pseudo-headers first, names lowercase). */
  request(fields: string[], endStream: boolean, sink: ClientStreamSink): ClientStream {
    const stream = new ClientStream(this.nextId, this, sink, this.peerInitialWindow);
    if (this.dead) {
      // The connection went between the pool's choice and now: nothing was sent.
      stream.destroyed = true;
      process.nextTick(refuse, sink);
      return stream;
    }
    this.nextId += 2;
    this.streams.set(stream.id, stream);
    stream.localEnded = endStream;
    this.writeHeaders(stream.id, fields, endStream);
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

  // ---- reading ----

  /** dataWithoutStream: DATA on a stream never opened is a connection error (s5.1); on one we reset, dropped. */
  protected dataWithoutStream(id: number): void {
    if (id >= this.nextId) this.fail(ErrorCode.PROTOCOL_ERROR);
  }

  protected streamData(stream: ClientStream, flags: number, buf: Buffer, from: number, to: number, length: number): void {
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

  protected headerBlock(id: number, flags: number, buf: Buffer, start: number, end: number): void {
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
      if (!stream.destroyed) this.remoteEnd(stream);
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
    if (endStream && !stream.destroyed) this.remoteEnd(stream);
  }

  /** onPriority: priority signals are deprecated and ignored (s5.3.2). */
  protected onPriority(): void {}

  protected onReset(id: number, buf: Buffer, start: number, end: number): void {
    if (end - start !== 4) return this.fail(ErrorCode.FRAME_SIZE_ERROR);
    if (id === 0 || id >= this.nextId) return this.fail(ErrorCode.PROTOCOL_ERROR);
    const stream = this.streams.get(id);
    if (stream === undefined) return;
    const code = buf.readUInt32BE(start) as ErrorCode;
    this.drop(stream);
    stream.sink.onReset(code, code === ErrorCode.REFUSED_STREAM);
  }

  protected settingsApplied(): void {
    if (this.ready) return;
    this.ready = true;
    this.owner.onReady();
  }

  /** peerGoaway: streams above the last id were never processed and may go elsewhere (s6.8). */
  protected peerGoaway(last: number): void {
    if (last < this.goawayId) this.goawayId = last;
    this.retire();
    for (const stream of [...this.streams.values()]) {
      if (stream.id <= last) continue;
      this.drop(stream);
      stream.sink.onReset(ErrorCode.REFUSED_STREAM, true);
    }
    if (this.streams.size === 0) this.destroy();
  }

  protected neverOpened(id: number): boolean {
    return id >= this.nextId;
  }

  /** lastPeerStream: an upstream opens no streams (we refuse push, s8.4). */
  protected get lastPeerStream(): number {
    return 0;
  }

  // ---- writing ----

  protected flush(stream: ClientStream): void {
    this.blocked.delete(stream);
    if (sendQueued(this, stream, true)) this.drainOwed(stream);
  }

  /** sentEnd: our END_STREAM left; the stream closes when the answer is in. */
  protected sentEnd(): void {}

  reset(stream: ClientStream, code: ErrorCode): void {
    this.out(u32Frame(FrameType.RST_STREAM, stream.id, code));
    this.drop(stream);
  }

  protected streamError(stream: ClientStream, code: ErrorCode): void {
    this.reset(stream, code);
    stream.sink.onReset(code, false);
  }

  private drop(stream: ClientStream): void {
    if (!this.streams.delete(stream.id)) return;
    stream.destroyed = true;
    stream.held = null;
    stream.queued = null;
    this.blocked.delete(stream);
    this.owner.onStreamClosed();
    if (this.retired && this.streams.size === 0) this.destroy();
  }

  // ---- connection life ----

  private retire(): void {
    if (this.retired) return;
    this.retired = true;
    this.owner.onRetire();
  }

  /** closeStreams: every stream fails; one never answered on a connection that never came up was not processed. */
  protected closeStreams(): void {
    this.retire();
    for (const stream of [...this.streams.values()]) {
      this.drop(stream);
      stream.sink.onReset(ErrorCode.CANCEL, !this.ready);
    }
  }

  private closed(): void {
    this.dead = true;
    this.closeStreams();
  }
}

function hasPseudo(fields: string[]): boolean {
  for (let i = 0; i < fields.length; i += 2) if (fields[i]!.charCodeAt(0) === 58) return true;
  return false;
}

function refuse(sink: ClientStreamSink): void {
  sink.onReset(ErrorCode.REFUSED_STREAM, true);
}
