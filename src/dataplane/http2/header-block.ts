import { ErrorCode, Flag } from './frames.js';

/** SETTINGS_MAX_HEADER_LIST_SIZE we advertise on both sides (node's http2 default maxHeaderListSize is 64 KiB too). */
export const MAX_HEADER_LIST_SIZE = 65_536;
/** Compressed header block octets (HEADERS + CONTINUATION) we take at most: the CONTINUATION flood cap. */
const MAX_HEADER_BLOCK = 2 * MAX_HEADER_LIST_SIZE;
const MAX_CONTINUATIONS = 128;

/** What a HEADERS or CONTINUATION frame did to the block; an ErrorCode (>= 0) is a connection error. */
export const BLOCK_WHOLE = -1;
export const BLOCK_PENDING = -2;

const EMPTY = Buffer.alloc(0);

/**
 * HeaderBlock: a connection's incoming header blocks (RFC 9113 s6.2, s6.10), for either side: a
 * HEADERS frame's padding and priority fields come off, and a block split into CONTINUATION
 * frames is held as views into the bytes read until it is whole. A peer that sends more than
 * MAX_HEADER_BLOCK octets or MAX_CONTINUATIONS frames is flooding (CVE-2024-27316 and kin).
 * A whole block is read from the fields below right after BLOCK_WHOLE, then `release`d.
 */
export class HeaderBlock {
  /** The stream whose block waits for CONTINUATION frames; 0 when none does. */
  pending = 0;
  /** The block's stream, its HEADERS flags (END_STREAM) and its octets buf[from, to). */
  id = 0;
  flags = 0;
  buf: Buffer = EMPTY;
  from = 0;
  to = 0;
  /** Its priority names its own stream as the dependency (s5.3.1). */
  selfDependent = false;
  private parts: Buffer[] = [];
  private size = 0;

  /** headers takes a HEADERS frame's payload buf[start, end). */
  headers(flags: number, id: number, buf: Buffer, start: number, end: number): number {
    if (id === 0) return ErrorCode.PROTOCOL_ERROR;
    let from = start;
    let to = end;
    if (flags & Flag.PADDED) {
      if (end - start < 1) return ErrorCode.FRAME_SIZE_ERROR;
      from++;
      to -= buf[start]!;
    }
    let selfDependent = false;
    if (flags & Flag.PRIORITY) {
      // Priority signals are otherwise ignored (s5.3.2); the block after them is decoded regardless.
      if (to - from < 5) return ErrorCode.FRAME_SIZE_ERROR;
      selfDependent = (buf.readUInt32BE(from) & 0x7fffffff) === id;
      from += 5;
    }
    if (to < from) return ErrorCode.PROTOCOL_ERROR; // padding longer than the payload (s6.2)
    this.id = id;
    this.flags = flags;
    this.selfDependent = selfDependent;
    if (flags & Flag.END_HEADERS) return this.whole(buf, from, to);
    this.pending = id;
    this.parts = [buf.subarray(from, to)];
    this.size = to - from;
    return BLOCK_PENDING;
  }

  /** continuation takes a CONTINUATION frame's payload buf[start, end). */
  continuation(flags: number, id: number, buf: Buffer, start: number, end: number): number {
    if (this.pending === 0 || id !== this.pending) return ErrorCode.PROTOCOL_ERROR;
    this.size += end - start;
    this.parts.push(buf.subarray(start, end));
    if (this.size > MAX_HEADER_BLOCK || this.parts.length > MAX_CONTINUATIONS) return ErrorCode.ENHANCE_YOUR_CALM;
    if ((flags & Flag.END_HEADERS) === 0) return BLOCK_PENDING;
    const whole = Buffer.concat(this.parts);
    this.pending = 0;
    this.parts = [];
    return this.whole(whole, 0, whole.length);
  }

  /** release drops the reference to the bytes read once the block was decoded. */
  release(): void {
    this.buf = EMPTY;
  }

  private whole(buf: Buffer, from: number, to: number): number {
    this.buf = buf;
    this.from = from;
    this.to = to;
    return BLOCK_WHOLE;
  }
}
