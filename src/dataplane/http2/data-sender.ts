import { FRAME_HEADER_SIZE, Flag, FrameType, frameHeader, writeFrameHeader } from './frames.js';

/** What DATA framing needs of a stream, on either side (server-stream.ts, client-connection.ts). */
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
