import type { H2ClientConnection } from './client-connection.js';
import type { CoreStream } from './connection-core.js';
import { DEFAULT_WINDOW, ErrorCode } from './frames.js';

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
export class ClientStream implements CoreStream {
  sendWindow: number;
  recvWindow = DEFAULT_WINDOW;
  unacked = 0;
  queued: Buffer[] | null = null;
  queuedEnd = false;
  localEnded = false;
  remoteEnded = false;
  /** The stream is closed: nothing more is sent or handed on. */
  destroyed = false;
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
    if (this.destroyed || this.localEnded) return true;
    if (this.queued !== null) this.queued.push(chunk);
    else this.conn.sendData(this, chunk, false);
    if (this.queued === null && !this.conn.congested) return true;
    this.wantDrain = true;
    return false;
  }

  end(): void {
    if (this.destroyed || this.localEnded) return;
    this.localEnded = true;
    if (this.queued !== null) this.queuedEnd = true;
    else this.conn.sendData(this, EMPTY, true);
  }

  /** cancel: RST_STREAM CANCEL; the connection lives on. */
  cancel(): void {
    if (!this.destroyed) this.conn.reset(this, ErrorCode.CANCEL);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    const held = this.held;
    this.held = null;
    if (held !== null) for (const chunk of held) if (!this.destroyed) this.deliver(chunk);
    if (this.heldEnd && !this.destroyed) this.conn.finishRemote(this);
  }

  drained(): void {
    this.sink.onDrain();
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
