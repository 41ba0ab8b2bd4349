// A raw HTTP/2 client for conformance and attack tests: exact frames onto a loopback socket (h2c
// with prior knowledge, RFC 9113 s3.3), every frame the server sends recorded, and the checks
// h2spec (github:summerwind/h2spec spec/verifier.go) applies to what comes back. Its own tiny
// HPACK encoder (literals only, RFC 7541 s6.2.2) so a bug in berth's encoder cannot hide one in
// berth's decoder.
import net from 'node:net';
import { HpackDecoder } from '../../src/dataplane/http2/hpack.js';

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export const T = { DATA: 0, HEADERS: 1, PRIORITY: 2, RST_STREAM: 3, SETTINGS: 4, PUSH_PROMISE: 5, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 } as const;
export const F = { END_STREAM: 1, ACK: 1, END_HEADERS: 4, PADDED: 8, PRIORITY: 0x20 } as const;
export const E = { NO_ERROR: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2, FLOW_CONTROL_ERROR: 3, STREAM_CLOSED: 5, FRAME_SIZE_ERROR: 6, REFUSED_STREAM: 7, CANCEL: 8, COMPRESSION_ERROR: 9, ENHANCE_YOUR_CALM: 11 } as const;
const CODE_NAMES = Object.fromEntries(Object.entries(E).map(([k, v]) => [v, k])) as Record<number, string>;
const TYPE_NAMES = Object.fromEntries(Object.entries(T).map(([k, v]) => [v, k])) as Record<number, string>;

/** `fields`: a HEADERS frame's block (END_HEADERS, no padding or priority), decoded in arrival order with the connection's table. */
export interface H2Frame { type: number; flags: number; id: number; payload: Buffer; fields?: string[] | null }

export function frameBytes(type: number, flags: number, id: number, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
  const head = Buffer.alloc(9);
  head.writeUIntBE(body.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(id >>> 0, 5);
  return Buffer.concat([head, body]);
}

export function settingsBytes(settings: ReadonlyArray<readonly [number, number]>, flags = 0): Buffer {
  const body = Buffer.alloc(settings.length * 6);
  settings.forEach(([id, value], i) => {
    body.writeUInt16BE(id, i * 6);
    body.writeUInt32BE(value >>> 0, i * 6 + 2);
  });
  return frameBytes(T.SETTINGS, flags, 0, body);
}

export function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

export function goawayPayload(lastId: number, code: number): Buffer {
  return Buffer.concat([u32(lastId), u32(code)]);
}

/** hpackInt: an RFC 7541 s5.1 integer with the given prefix bits and high flag bits. */
export function hpackInt(value: number, prefixBits: number, flags = 0): Buffer {
  const mask = (1 << prefixBits) - 1;
  if (value < mask) return Buffer.from([flags | value]);
  const out = [flags | mask];
  value -= mask;
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
  return Buffer.from(out);
}

function hpackString(s: string): Buffer {
  const b = Buffer.from(s, 'latin1');
  return Buffer.concat([hpackInt(b.length, 7), b]);
}

/** encodeHeaders: each field as a literal without indexing, new name (s6.2.2); `indexed` adds them to the table (s6.2.1). */
export function encodeHeaders(fields: ReadonlyArray<readonly [string, string]>, indexed = false): Buffer {
  return Buffer.concat(fields.map(([n, v]) => Buffer.concat([Buffer.from([indexed ? 0x40 : 0x00]), hpackString(n), hpackString(v)])));
}

export type H2Fields = Array<[string, string]>;

/** commonHeaders: h2spec's spec.CommonHeaders for a GET of `path`. */
export function commonHeaders(path = '/', method = 'GET'): H2Fields {
  return [[':method', method], [':scheme', 'http'], [':path', path], [':authority', 'h2spec.test']];
}

/** dummyHeaders: h2spec's spec.DummyHeaders, `n` fields of `length` octets (h2spec's MaxHeaderLen is 4000). */
export function dummyHeaders(n: number, length = 4000): H2Fields {
  return Array.from({ length: n }, (_, i) => [`x-dummy${i}`, 'x'.repeat(length)] as [string, string]);
}

export type H2Event = { kind: 'frame'; frame: H2Frame } | { kind: 'closed' };

/** describe an event for assertion messages. */
export function describeEvent(ev: H2Event | null): string {
  if (ev === null) return 'timeout';
  if (ev.kind === 'closed') return 'connection closed';
  const f = ev.frame;
  const name = TYPE_NAMES[f.type] ?? `type ${f.type}`;
  if (f.type === T.GOAWAY) return `GOAWAY ${CODE_NAMES[f.payload.readUInt32BE(4)] ?? f.payload.readUInt32BE(4)} last=${f.payload.readUInt32BE(0) & 0x7fffffff}`;
  if (f.type === T.RST_STREAM) return `RST_STREAM ${f.id} ${CODE_NAMES[f.payload.readUInt32BE(0)] ?? f.payload.readUInt32BE(0)}`;
  return `${name} stream=${f.id} flags=0x${f.flags.toString(16)} length=${f.payload.length}`;
}

export class H2RawClient {
  readonly socket: net.Socket;
  readonly events: H2Event[] = [];
  /** Events already looked at by a wait (the rest are still to come). */
  private seen = 0;
  closed = false;
  private buf: Buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  /** Bytes the server sent, all told (a client that never reads checks this stays bounded). */
  received = 0;
  private readonly decoder = new HpackDecoder();

  private constructor(port: number, host: string) {
    this.socket = net.connect(port, host);
    this.socket.on('data', (c: Buffer) => this.onData(c));
    this.socket.on('close', () => {
      this.closed = true;
      this.events.push({ kind: 'closed' });
      this.wake();
    });
    this.socket.on('error', () => {});
  }

  /** open: a connected socket, nothing sent yet. */
  static async open(port: number, host = '127.0.0.1'): Promise<H2RawClient> {
    const c = new H2RawClient(port, host);
    await new Promise<void>((resolve, reject) => {
      c.socket.once('connect', resolve);
      c.socket.once('error', reject);
    });
    return c;
  }

  /** connect: open, then h2spec's Handshake: preface and SETTINGS, the server's SETTINGS acknowledged, ours acknowledged. */
  static async connect(port: number, settings: ReadonlyArray<readonly [number, number]> = [], host = '127.0.0.1'): Promise<H2RawClient> {
    const c = await H2RawClient.open(port, host);
    c.send(Buffer.concat([PREFACE, settingsBytes(settings)]));
    const theirs = await c.wait((f) => f.type === T.SETTINGS && (f.flags & F.ACK) === 0, 3000);
    if (theirs === null || theirs.kind !== 'frame') throw new Error(`no server SETTINGS: ${describeEvent(theirs)}`);
    c.send(settingsBytes([], F.ACK));
    const ack = await c.wait((f) => f.type === T.SETTINGS && (f.flags & F.ACK) !== 0, 3000);
    if (ack === null || ack.kind !== 'frame') throw new Error(`no SETTINGS ACK: ${describeEvent(ack)}`);
    return c;
  }

  private onData(c: Buffer): void {
    this.received += c.length;
    this.buf = this.buf.length === 0 ? c : Buffer.concat([this.buf, c]);
    while (this.buf.length >= 9) {
      const len = this.buf.readUIntBE(0, 3);
      if (this.buf.length < 9 + len) break;
      const frame: H2Frame = { type: this.buf[3]!, flags: this.buf[4]!, id: this.buf.readUInt32BE(5) & 0x7fffffff, payload: this.buf.subarray(9, 9 + len) };
      if (frame.type === T.HEADERS && (frame.flags & (F.END_HEADERS | F.PADDED | F.PRIORITY)) === F.END_HEADERS) {
        frame.fields = this.decoder.decode(frame.payload, 0, frame.payload.length, 1 << 20);
      }
      this.events.push({ kind: 'frame', frame });
      this.buf = this.buf.subarray(9 + len);
    }
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  send(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  frame(type: number, flags: number, id: number, payload: Buffer | string = Buffer.alloc(0)): void {
    this.send(frameBytes(type, flags, id, payload));
  }

  headers(id: number, fields: H2Fields, flags = F.END_STREAM | F.END_HEADERS): void {
    this.frame(T.HEADERS, flags, id, encodeHeaders(fields));
  }

  data(id: number, body: string | Buffer, endStream = true): void {
    this.frame(T.DATA, endStream ? F.END_STREAM : 0, id, body);
  }

  /**
   * wait: the next event not yet looked at whose frame matches (the connection closing always
   * matches: nothing more will come), or null after `ms`.
   */
  async wait(match: (f: H2Frame) => boolean, ms = 2000): Promise<H2Event | null> {
    const deadline = Date.now() + ms;
    for (;;) {
      while (this.seen < this.events.length) {
        const ev = this.events[this.seen++]!;
        if (ev.kind === 'closed' || match(ev.frame)) return ev;
      }
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, Math.min(left, 100));
      });
    }
  }

  /** frames of a type received so far (looked at or not). */
  framesOf(type: number): H2Frame[] {
    const out: H2Frame[] = [];
    for (const ev of this.events) if (ev.kind === 'frame' && ev.frame.type === type) out.push(ev.frame);
    return out;
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * connectionError: as h2spec's VerifyConnectionError, but strict about the code: a GOAWAY must
 * carry one of `codes`; a close without GOAWAY passes (s5.4.1: GOAWAY first is a SHOULD).
 */
export async function connectionError(c: H2RawClient, codes: number[], ms = 2000): Promise<string | null> {
  const ev = await c.wait((f) => f.type === T.GOAWAY, ms);
  if (ev !== null && ev.kind === 'closed') return null;
  if (ev !== null && codes.includes(ev.frame.payload.readUInt32BE(4))) return null;
  return `expected GOAWAY ${codes.map((x) => CODE_NAMES[x]).join('|')} or close, got ${describeEvent(ev)}`;
}

/** streamError: as h2spec's VerifyStreamError: RST_STREAM or GOAWAY with one of `codes`, or the connection closed. */
export async function streamError(c: H2RawClient, codes: number[], ms = 2000): Promise<string | null> {
  const ev = await c.wait((f) => f.type === T.GOAWAY || f.type === T.RST_STREAM, ms);
  if (ev !== null && ev.kind === 'closed') return null;
  if (ev !== null) {
    const code = ev.frame.payload.readUInt32BE(ev.frame.type === T.GOAWAY ? 4 : 0);
    if (codes.includes(code)) return null;
  }
  return `expected RST_STREAM/GOAWAY ${codes.map((x) => CODE_NAMES[x]).join('|')} or close, got ${describeEvent(ev)}`;
}

/** streamClose: h2spec's VerifyStreamClose: END_STREAM on DATA or HEADERS, or RST_STREAM NO_ERROR. */
export async function streamClose(c: H2RawClient, id: number, ms = 2000): Promise<string | null> {
  const ev = await c.wait((f) => f.id === id && (((f.type === T.DATA || f.type === T.HEADERS) && (f.flags & F.END_STREAM) !== 0) || (f.type === T.RST_STREAM && f.payload.readUInt32BE(0) === E.NO_ERROR)), ms);
  if (ev !== null && ev.kind === 'frame') return null;
  return `expected stream ${id} to close, got ${describeEvent(ev)}`;
}

/** headersFrame: h2spec's VerifyHeadersFrame: a HEADERS frame on stream `id`. */
export async function headersFrame(c: H2RawClient, id: number, ms = 2000): Promise<string | null> {
  const ev = await c.wait((f) => f.type === T.HEADERS && f.id === id, ms);
  if (ev !== null && ev.kind === 'frame') return null;
  return `expected HEADERS on stream ${id}, got ${describeEvent(ev)}`;
}

/** pingAck: h2spec's VerifyPingFrameWithAck: a PING ACK with `data`. */
export async function pingAck(c: H2RawClient, data: Buffer, ms = 2000): Promise<string | null> {
  const ev = await c.wait((f) => f.type === T.PING && (f.flags & F.ACK) !== 0 && f.payload.equals(data), ms);
  if (ev !== null && ev.kind === 'frame') return null;
  return `expected PING ACK ${data.toString('hex')}, got ${describeEvent(ev)}`;
}

/** alive: a fresh connection still gets a 200-ish answer (the server survived). */
export async function answers(port: number, path = '/'): Promise<string | null> {
  const c = await H2RawClient.connect(port);
  try {
    c.headers(1, commonHeaders(path));
    return await headersFrame(c, 1, 3000);
  } finally {
    c.close();
  }
}
