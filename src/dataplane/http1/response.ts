import { EventEmitter } from 'node:events';
import { STATUS_CODES } from 'node:http';
import type net from 'node:net';
import type { DownstreamResponse } from '../proxy/downstream.js';
import { isFieldValue, isToken } from '../proxy/field-chars.js';
import { equalsLowercase } from '../proxy/headers.js';
import { httpDate } from './date.js';

/** What a response tells its connection. */
export interface ResponseOwner {
  responseDone(res: H1Response): void;
  /** The engine set an inactivity limit on the client (0: none). */
  clientTimeout(ms: number): void;
}

const KEEP_ALIVE = 'Connection: keep-alive\r\nKeep-Alive: timeout=75\r\n';
const CLOSE = 'Connection: close\r\n';

/**
 * H1Response: the answer to one HTTP/1.1 request, written the way node's ServerResponse writes
 * it when given a header list (lib/_http_outgoing.js _storeHeader): the head is rendered at
 * writeHead with Date (unless given), Connection / Keep-Alive, and chunked framing when there is
 * no Content-Length (HTTP/1.0 clients get a close-delimited body instead); HEAD, 1xx, 204 and 304
 * answers carry no body. The head goes out with the first body bytes in one write where it can.
 */
export class H1Response extends EventEmitter implements DownstreamResponse {
  headersSent = false;
  writableFinished = false;
  /** The connection may carry another request after this answer (decided at writeHead). */
  keepAlive: boolean;
  private head = '';
  private chunked = false;
  private hasBody: boolean;
  /** The socket now belongs to a tunnel (after a 101): nothing more is written here. */
  released = false;

  constructor(
    readonly socket: net.Socket,
    private readonly owner: ResponseOwner,
    private readonly http11: boolean,
    head: boolean,
    keepAlive: boolean,
  ) {
    super();
    this.hasBody = !head;
    this.keepAlive = keepAlive;
  }

  get destroyed(): boolean {
    return this.socket.destroyed;
  }

  writeHead(status: number, headers: string[]): this {
    let head = 'HTTP/1.1 ' + status + ' ' + (STATUS_CODES[status] ?? 'unknown') + '\r\n';
    let date = false;
    let length = false;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i]!;
      const value = headers[i + 1]!;
      // node refuses to send what is no header (Attempt answers 502 for an upstream's).
      // (node's lib/_http_common.js checkIsHttpToken and checkInvalidHeaderChar)
      if (!isToken(name) || !isFieldValue(value)) throw new TypeError(`invalid response header ${JSON.stringify(name)}`);
      if (name.length === 4 && equalsLowercase(name, 'date')) date = true;
      else if (name.length === 14 && equalsLowercase(name, 'content-length')) length = true;
      head += name + ': ' + value + '\r\n';
    }
    if (!date) head += 'Date: ' + httpDate() + '\r\n';
    if (status === 204 || status === 304 || status < 200) this.hasBody = false;
    // node keeps the connection only when the body's end can be told: a length, or chunks (HTTP/1.1).
    this.keepAlive = this.keepAlive && (length || this.http11);
    head += this.keepAlive ? KEEP_ALIVE : CLOSE;
    if (!length && this.hasBody && this.http11) {
      head += 'Transfer-Encoding: chunked\r\n';
      this.chunked = true;
    }
    this.head = head + '\r\n';
    this.headersSent = true;
    return this;
  }

  write(chunk: Buffer): boolean {
    if (this.released || this.writableFinished) return true;
    const socket = this.socket;
    if (!this.hasBody || chunk.length === 0) {
      if (this.head !== '') this.flushHead('');
      return socket.writableNeedDrain !== true;
    }
    if (!this.chunked && this.head === '') return socket.write(chunk);
    socket.cork();
    this.flushHead(this.chunked ? chunk.length.toString(16) + '\r\n' : '');
    let ok = socket.write(chunk);
    if (this.chunked) ok = socket.write('\r\n', 'latin1');
    socket.uncork();
    return ok;
  }

  end(chunk?: Buffer | string, encoding?: BufferEncoding): this {
    if (this.released || this.writableFinished) return this;
    if (!this.headersSent) this.writeHead(200, []);
    const tail = this.chunked ? '0\r\n\r\n' : '';
    if (chunk === undefined || chunk.length === 0 || !this.hasBody) this.flushHead(tail);
    else if (typeof chunk === 'string' && (encoding === 'latin1' || isAscii(chunk))) {
      // One write for head and a small body (the engine hands those over as latin1 strings).
      const framed = this.chunked ? chunk.length.toString(16) + '\r\n' + chunk + '\r\n' + tail : chunk;
      this.flushHead(framed);
    } else {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding ?? 'utf8') : chunk;
      this.socket.cork();
      this.flushHead(this.chunked ? bytes.length.toString(16) + '\r\n' : '');
      this.socket.write(bytes);
      if (this.chunked) this.socket.write('\r\n' + tail, 'latin1');
      this.socket.uncork();
    }
    this.writableFinished = true;
    this.owner.responseDone(this);
    return this;
  }

  destroy(): this {
    this.socket.destroy();
    return this;
  }

  setTimeout(ms: number): this {
    this.owner.clientTimeout(ms);
    return this;
  }

  /** release: the upstream said 101; the socket is the tunnel's from now on (proxy/tunnel.ts). */
  release(): void {
    this.released = true;
  }

  /** flushHead writes the pending head (if any) followed by `more` (latin1) in one write. */
  private flushHead(more: string): void {
    const out = this.head === '' ? more : this.head + more;
    this.head = '';
    if (out !== '') this.socket.write(out, 'latin1');
  }
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}
