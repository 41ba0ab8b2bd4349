import { DEFAULT_WINDOW, FRAME_HEADER_SIZE, Flag, FrameType, frameHeader, u32Frame, writeFrameHeader } from './frames.js';

/** What DATA framing needs of a stream, on either side (server-stream.ts, client-stream.ts). */
export interface SendingStream {
  readonly id: number;
  /** The peer's window for this stream (s6.9). */
  sendWindow: number;
  /** Bytes waiting for window, in order; `queuedEnd`: END_STREAM follows them. */
  queued: Buffer[] | null;
  queuedEnd: boolean;
}

/** Payloads up to this size are copied behind their frame header: one buffer, one iovec. */
const COPY_LIMIT = 1024;

/**
 * sendData frames `chunk` as DATA on `stream` within the connection's and the stream's windows and
 * the peer's SETTINGS_MAX_FRAME_SIZE (RFC 9113 s6.9.1), for a connection of either side. What does
 * not fit is queued on the stream for the caller to send on WINDOW_UPDATE. Returns the bytes of
 * connection window used; `stream.queued` is set when some wait.
 */
export function sendData(
  out: (bytes: Buffer) => void,
  stream: SendingStream,
  chunk: Buffer,
  endStream: boolean,
  connectionWindow: number,
  maxFrame: number,
): number {
  const length = chunk.length;
  let at = 0;
  for (;;) {
    let n = length - at;
    const room = Math.min(connectionWindow - at, stream.sendWindow, maxFrame);
    if (n > room) n = room > 0 ? room : 0;
    if (n === 0 && at < length) {
      stream.queued = [chunk.subarray(at)];
      stream.queuedEnd = endStream;
      return at;
    }
    const last = at + n === length;
    const flags = last && endStream ? Flag.END_STREAM : 0;
    if (n <= COPY_LIMIT) {
      const b = Buffer.allocUnsafe(FRAME_HEADER_SIZE + n);
      writeFrameHeader(b, 0, n, FrameType.DATA, flags, stream.id);
      chunk.copy(b, FRAME_HEADER_SIZE, at, at + n);
      out(b);
    } else {
      out(frameHeader(n, FrameType.DATA, flags, stream.id));
      out(at === 0 && n === length ? chunk : chunk.subarray(at, at + n));
    }
    stream.sendWindow -= n;
    at += n;
    if (last) return at;
  }
}

/** What a connection of either side sends a stream's DATA through (its windows, its blocked set). */
export interface DataConnection<S extends SendingStream> {
  sendData(stream: S, chunk: Buffer, endStream: boolean): void;
}

/**
 * sendQueued sends what `stream` queued behind flow control again, in order, through its
 * connection (after a WINDOW_UPDATE); what still does not fit is queued again behind it. The last
 * chunk carries END_STREAM when the stream's end was queued and `endsStream` (false when trailers
 * follow). Returns false when some bytes still wait.
 */
export function sendQueued<S extends SendingStream>(conn: DataConnection<S>, stream: S, endsStream: boolean): boolean {
  const queue = stream.queued!;
  const end = stream.queuedEnd;
  stream.queued = null;
  stream.queuedEnd = false;
  for (let i = 0; i < queue.length; i++) {
    conn.sendData(stream, queue[i]!, i === queue.length - 1 && end && endsStream);
    const requeued = stream.queued as Buffer[] | null;
    if (requeued !== null) {
      for (let j = i + 1; j < queue.length; j++) requeued.push(queue[j]!);
      stream.queuedEnd = end;
      return false;
    }
  }
  return true;
}

/** What reopening a stream's receive window needs, on either side (s6.9). */
export interface ReceivingStream {
  readonly id: number;
  /** The peer sent END_STREAM: no more DATA comes, so no window is owed. */
  readonly remoteEnded: boolean;
  /** Bytes consumed since the last WINDOW_UPDATE. */
  unacked: number;
  recvWindow: number;
}

/** creditStream reopens a stream's window in steps of half of it (no WINDOW_UPDATE per DATA frame). */
export function creditStream(out: (bytes: Buffer) => void, stream: ReceivingStream, bytes: number): void {
  if (stream.remoteEnded) return;
  stream.unacked += bytes;
  if (stream.unacked < DEFAULT_WINDOW / 2) return;
  out(u32Frame(FrameType.WINDOW_UPDATE, stream.id, stream.unacked));
  stream.recvWindow += stream.unacked;
  stream.unacked = 0;
}
