import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** RFC 6455 section 1.3: the GUID a server appends to the client's key. */
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Larger frames are refused: this is a test backend, not a file server. */
const MAX_FRAME = 1 << 20;

/**
 * acceptWebSocket completes the handshake and echoes every data frame back unmasked, keeping its
 * opcode and FIN bit (so fragmented messages come back fragmented). Pings get pongs; a close frame
 * is answered and the connection ends. Anything malformed closes with 1002.
 */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const key = req.headers['sec-websocket-key'];
  if (req.headers.upgrade?.toLowerCase() !== 'websocket' || typeof key !== 'string' || key === '') {
    socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    return;
  }
  const accept = createHash('sha1').update(key + WS_GUID).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`);
  let buffered = head;
  const onData = (chunk: Buffer): void => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    buffered = drainFrames(buffered, socket);
  };
  socket.on('data', onData);
  socket.on('error', () => socket.destroy());
  if (head.length) onData(Buffer.alloc(0));
}

interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
  length: number;
}

/** drainFrames handles every complete frame in buf and returns the unread rest. */
function drainFrames(buf: Buffer, socket: Duplex): Buffer {
  for (;;) {
    const frame = readFrame(buf);
    if (frame === 'incomplete') return buf;
    if (frame === 'invalid') {
      socket.end(encodeFrame(true, 0x8, Buffer.from([0x03, 0xea])));
      return Buffer.alloc(0);
    }
    buf = buf.subarray(frame.length);
    if (frame.opcode === 0x8) {
      socket.end(encodeFrame(true, 0x8, frame.payload.subarray(0, 2)));
      return Buffer.alloc(0);
    }
    if (frame.opcode === 0x9) socket.write(encodeFrame(true, 0xa, frame.payload));
    else if (frame.opcode <= 0x2) socket.write(encodeFrame(frame.fin, frame.opcode, frame.payload));
  }
}

function readFrame(buf: Buffer): Frame | 'incomplete' | 'invalid' {
  if (buf.length < 2) return 'incomplete';
  const fin = (buf[0]! & 0x80) !== 0;
  const opcode = buf[0]! & 0x0f;
  if ((buf[1]! & 0x80) === 0 || (buf[0]! & 0x70) !== 0) return 'invalid'; // clients must mask; no extensions
  let len = buf[1]! & 0x7f;
  let offset = 2;
  if (len === 126) {
    if (buf.length < 4) return 'incomplete';
    len = buf.readUInt16BE(2);
    offset = 4;
  } else if (len === 127) {
    if (buf.length < 10) return 'incomplete';
    const big = buf.readBigUInt64BE(2);
    if (big > BigInt(MAX_FRAME)) return 'invalid';
    len = Number(big);
    offset = 10;
  }
  if (len > MAX_FRAME) return 'invalid';
  if (buf.length < offset + 4 + len) return 'incomplete';
  const mask = buf.subarray(offset, offset + 4);
  const payload = Buffer.from(buf.subarray(offset + 4, offset + 4 + len));
  for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i & 3]!;
  return { fin, opcode, payload, length: offset + 4 + len };
}

/** encodeFrame builds an unmasked server frame. */
export function encodeFrame(fin: boolean, opcode: number, payload: Buffer): Buffer {
  const first = (fin ? 0x80 : 0) | opcode;
  let header: Buffer;
  if (payload.length < 126) header = Buffer.from([first, payload.length]);
  else if (payload.length < 65536) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = 126;
    header.writeUInt16BE(payload.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  return Buffer.concat([header, payload]);
}
