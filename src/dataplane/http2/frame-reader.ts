import { DEFAULT_MAX_FRAME_SIZE, FRAME_HEADER_SIZE } from './frames.js';

/** Where a FrameReader hands whole frames. */
export interface FrameSink {
  /** One frame: its payload is buf[start, end). False stops reading (the connection failed). */
  frame(type: number, flags: number, id: number, buf: Buffer, start: number, end: number): boolean;
}

export const enum ReadResult {
  OK,
  /** A frame longer than our SETTINGS_MAX_FRAME_SIZE: FRAME_SIZE_ERROR (RFC 9113 s4.2). */
  TOO_LARGE,
  STOPPED,
}

/**
 * FrameReader splits a connection's bytes into frames (RFC 9113 s4.1), for either side: whole
 * frames go to the sink as views into the bytes read (no copy), a partial one waits for the rest.
 */
export class FrameReader {
  private pending: Buffer | null = null;

  push(chunk: Buffer, sink: FrameSink): ReadResult {
    const buf = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = null;
    let pos = 0;
    while (buf.length - pos >= FRAME_HEADER_SIZE) {
      const length = (buf[pos]! << 16) | (buf[pos + 1]! << 8) | buf[pos + 2]!;
      if (length > DEFAULT_MAX_FRAME_SIZE) return ReadResult.TOO_LARGE;
      const end = pos + FRAME_HEADER_SIZE + length;
      if (end > buf.length) break;
      if (!sink.frame(buf[pos + 3]!, buf[pos + 4]!, buf.readUInt32BE(pos + 5) & 0x7fffffff, buf, pos + FRAME_HEADER_SIZE, end)) return ReadResult.STOPPED;
      pos = end;
    }
    if (pos < buf.length) this.pending = buf.subarray(pos);
    return ReadResult.OK;
  }
}
