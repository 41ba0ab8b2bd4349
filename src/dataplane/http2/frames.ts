/** HTTP/2 frame types (RFC 9113 s6). */
export const enum FrameType {
  DATA = 0x0,
  HEADERS = 0x1,
  PRIORITY = 0x2,
  RST_STREAM = 0x3,
  SETTINGS = 0x4,
  PUSH_PROMISE = 0x5,
  PING = 0x6,
  GOAWAY = 0x7,
  WINDOW_UPDATE = 0x8,
  CONTINUATION = 0x9,
}

/** Frame flags (RFC 9113 s6); ACK shares END_STREAM's bit on SETTINGS and PING. */
export const enum Flag {
  END_STREAM = 0x1,
  ACK = 0x1,
  END_HEADERS = 0x4,
  PADDED = 0x8,
  PRIORITY = 0x20,
}

/** Error codes (RFC 9113 s7). */
export const enum ErrorCode {
  NO_ERROR = 0x0,
  PROTOCOL_ERROR = 0x1,
  INTERNAL_ERROR = 0x2,
  FLOW_CONTROL_ERROR = 0x3,
  STREAM_CLOSED = 0x5,
  FRAME_SIZE_ERROR = 0x6,
  REFUSED_STREAM = 0x7,
  CANCEL = 0x8,
  COMPRESSION_ERROR = 0x9,
  ENHANCE_YOUR_CALM = 0xb,
}

/** SETTINGS parameters (RFC 9113 s6.5.2). */
export const enum Setting {
  HEADER_TABLE_SIZE = 0x1,
  ENABLE_PUSH = 0x2,
  MAX_CONCURRENT_STREAMS = 0x3,
  INITIAL_WINDOW_SIZE = 0x4,
  MAX_FRAME_SIZE = 0x5,
  MAX_HEADER_LIST_SIZE = 0x6,
  /** RFC 8441 s3: the server accepts extended CONNECT (WebSockets over HTTP/2). */
  ENABLE_CONNECT_PROTOCOL = 0x8,
}

export const FRAME_HEADER_SIZE = 9;
/** SETTINGS_MAX_FRAME_SIZE's initial value and lower bound (s6.5.2). */
export const DEFAULT_MAX_FRAME_SIZE = 16_384;
export const MAX_ALLOWED_FRAME_SIZE = 16_777_215;
/** SETTINGS_INITIAL_WINDOW_SIZE's initial value, also every connection window's (s6.9.2). */
export const DEFAULT_WINDOW = 65_535;
export const MAX_WINDOW = 2 ** 31 - 1;
/**
 * SETTINGS and PING acknowledgements queued behind a peer that does not read, at most: past this
 * the connection ends with ENHANCE_YOUR_CALM (RFC 9113 s10.5), client or upstream alike.
 */
export const MAX_PENDING_ACKS = 1000;

/** frameHeader: the 9-octet header (s4.1) for a payload of `length`. */
export function frameHeader(length: number, type: FrameType, flags: number, streamId: number): Buffer {
  const b = Buffer.allocUnsafe(FRAME_HEADER_SIZE);
  writeFrameHeader(b, 0, length, type, flags, streamId);
  return b;
}

export function writeFrameHeader(b: Buffer, at: number, length: number, type: FrameType, flags: number, streamId: number): void {
  b[at] = length >>> 16;
  b[at + 1] = (length >>> 8) & 0xff;
  b[at + 2] = length & 0xff;
  b[at + 3] = type;
  b[at + 4] = flags;
  b.writeUInt32BE(streamId, at + 5);
}

/** frame: a whole frame whose payload is copied in after the header. */
export function frame(type: FrameType, flags: number, streamId: number, payload: Buffer | null): Buffer {
  const length = payload === null ? 0 : payload.length;
  const b = Buffer.allocUnsafe(FRAME_HEADER_SIZE + length);
  writeFrameHeader(b, 0, length, type, flags, streamId);
  if (payload !== null) payload.copy(b, FRAME_HEADER_SIZE);
  return b;
}

/**
 * headerFrames sends an encoded header block (FRAME_HEADER_SIZE octets left free in front of it)
 * as one HEADERS frame, or when it passes the peer's `maxFrame` as HEADERS and then CONTINUATION
 * frames back to back (s6.10). `flags`: END_STREAM or 0.
 */
export function headerFrames(out: (bytes: Buffer) => void, block: Buffer, streamId: number, flags: number, maxFrame: number): void {
  const length = block.length - FRAME_HEADER_SIZE;
  if (length <= maxFrame) {
    writeFrameHeader(block, 0, length, FrameType.HEADERS, flags | Flag.END_HEADERS, streamId);
    return out(block);
  }
  const body = block.subarray(FRAME_HEADER_SIZE);
  for (let at = 0; at < length; at += maxFrame) {
    const part = body.subarray(at, Math.min(length, at + maxFrame));
    const last = at + maxFrame >= length;
    const type = at === 0 ? FrameType.HEADERS : FrameType.CONTINUATION;
    out(frameHeader(part.length, type, (at === 0 ? flags : 0) | (last ? Flag.END_HEADERS : 0), streamId));
    out(part);
  }
}

export function settingsFrame(settings: ReadonlyArray<readonly [Setting, number]>): Buffer {
  const b = Buffer.allocUnsafe(FRAME_HEADER_SIZE + settings.length * 6);
  writeFrameHeader(b, 0, settings.length * 6, FrameType.SETTINGS, 0, 0);
  settings.forEach(([id, value], i) => {
    b.writeUInt16BE(id, FRAME_HEADER_SIZE + i * 6);
    b.writeUInt32BE(value, FRAME_HEADER_SIZE + i * 6 + 2);
  });
  return b;
}

export const SETTINGS_ACK = frameHeader(0, FrameType.SETTINGS, Flag.ACK, 0);

/** u32Frame: WINDOW_UPDATE and RST_STREAM, whose payload is one 32-bit word. */
export function u32Frame(type: FrameType.WINDOW_UPDATE | FrameType.RST_STREAM, streamId: number, value: number): Buffer {
  const b = Buffer.allocUnsafe(FRAME_HEADER_SIZE + 4);
  writeFrameHeader(b, 0, 4, type, 0, streamId);
  b.writeUInt32BE(value, FRAME_HEADER_SIZE);
  return b;
}

export function goawayFrame(lastStreamId: number, code: ErrorCode): Buffer {
  const b = Buffer.allocUnsafe(FRAME_HEADER_SIZE + 8);
  writeFrameHeader(b, 0, 8, FrameType.GOAWAY, 0, 0);
  b.writeUInt32BE(lastStreamId, FRAME_HEADER_SIZE);
  b.writeUInt32BE(code, FRAME_HEADER_SIZE + 4);
  return b;
}
