import { collectHeaders, emptyFraming, hexValue, type Framing } from './response-head.js';

/**
 * ResponseParser: an HTTP/1.1 response parser for one upstream connection, written for the proxy
 * path. It parses the head itself (status line + headers into a flat raw array ready for
 * `writeHead`, hop-by-hop names already removed) and only frames the body (content-length,
 * chunked, close-delimited), handing body bytes through as slices of the socket's buffers.
 */
export interface ResponseHandler {
  onResponseHead(status: number, headers: string[]): void;
  onResponseBody(chunk: Buffer): void;
  /** The response is complete; `last` is its final body slice, if any arrived with the end. */
  onResponseEnd(last: Buffer | null, keepAlive: boolean): void;
  onResponseError(reason: string): void;
  /**
   * A 101 answered an upgrade request: the connection now belongs to the tunnel. `upgrade` is the
   * response's Upgrade value, `rest` what the upstream sent after the head (already tunnel bytes).
   */
  onUpgrade(headers: string[], upgrade: string, rest: Buffer): void;
}

const enum State {
  Idle,
  Head,
  Length,
  ChunkSize,
  ChunkExt,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
  Done,
}

const MAX_HEAD = 64 * 1024;
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: [^\r\n]*)?$/;
const MAX_CHUNK = 2 ** 40;

export class ResponseParser {
  handler: ResponseHandler | null = null;
  private state = State.Idle;
  private noBody = false;
  private upgrade = false;
  private keepAlive = true;
  private pending: Buffer | null = null;
  private remaining = 0;
  private sawDigit = false;
  private lineLen = 0;
  /** The upstream's `Keep-Alive: timeout=N` hint in ms for the last response, or -1. */
  keepAliveHintMs = -1;

  /**
   * expect prepares for the response to a request just sent; `noBody` for HEAD requests,
   * `upgrade` when the request asked for an Upgrade (only then is a 101 acceptable).
   */
  expect(handler: ResponseHandler, noBody: boolean, upgrade: boolean): void {
    this.handler = handler;
    this.noBody = noBody;
    this.upgrade = upgrade;
    this.state = State.Head;
    this.pending = null;
  }

  /** Waiting for (or inside) a response. */
  get busy(): boolean {
    return this.state !== State.Idle && this.state !== State.Done;
  }

  /** The body runs until the connection closes, so a close completes it. */
  get endsAtClose(): boolean {
    return this.state === State.UntilClose;
  }

  /** Nothing of the current response has arrived yet. */
  get awaitingHead(): boolean {
    return this.state === State.Head && this.pending === null;
  }

  /** execute feeds bytes read from the socket. */
  execute(buf: Buffer): void {
    if (this.state === State.Head) return this.readHead(buf);
    this.readBody(buf, 0);
  }

  /** abort stops a response mid-parse (the connection is being dropped); no more callbacks. */
  abort(): void {
    this.state = State.Done;
    this.pending = null;
  }

  /** finishAtClose completes a close-delimited body when the upstream closes. */
  finishAtClose(): void {
    this.finish(null, false);
  }

  private fail(reason: string): void {
    this.state = State.Done;
    this.handler!.onResponseError(reason);
  }

  private finish(last: Buffer | null, keepAlive: boolean): void {
    this.state = State.Done;
    this.handler!.onResponseEnd(last, keepAlive);
  }

  private readHead(chunk: Buffer): void {
    const buf = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    const end = buf.indexOf('\r\n\r\n', this.pending === null ? 0 : Math.max(0, this.pending.length - 3), 'latin1');
    if (end < 0) {
      if (buf.length > MAX_HEAD) return this.fail('response head too large');
      this.pending = buf;
      return;
    }
    this.pending = null;
    const status = this.parseHead(buf.toString('latin1', 0, end), buf, end + 4);
    if (status < 0 || status === 101) return;
    if (status < 200) {
      // 1xx interim responses (100 Continue, 103 Early Hints) are not forwarded.
      this.state = State.Head;
      if (end + 4 < buf.length) this.readHead(buf.subarray(end + 4));
      return;
    }
    if (this.state === State.Done) return; // the handler aborted inside onResponseHead
    this.readBody(buf, end + 4);
  }

  /** parseHead returns the status, or -1 after reporting an error; `rest` follows the head in `buf`. */
  private parseHead(head: string, buf: Buffer, rest: number): number {
    const lineEnd = head.indexOf('\r\n');
    const m = STATUS_LINE.exec(lineEnd < 0 ? head : head.slice(0, lineEnd));
    const status = m === null ? 0 : Number(m[2]);
    const headers: string[] = [];
    const framing = lineEnd < 0 ? emptyFraming() : collectHeaders(head, lineEnd + 2, headers);
    const problem = m === null ? 'malformed status line' : framing === null ? 'malformed response header' : status === 101 && !(this.upgrade && framing!.upgrade !== '') ? 'unexpected 101 response' : null;
    if (problem !== null) {
      this.fail(problem);
      return -1;
    }
    if (status === 101) {
      this.state = State.Done;
      this.handler!.onUpgrade(headers, framing!.upgrade, buf.subarray(rest));
      return status;
    }
    if (status < 200) return status;
    this.keepAlive = m![1] === '1' ? !framing!.close : framing!.keepAlive;
    this.keepAliveHintMs = framing!.keepAliveHintMs;
    this.chooseFraming(status, framing!);
    this.handler!.onResponseHead(status, headers);
    return status;
  }

  private chooseFraming(status: number, f: Framing): void {
    if (this.noBody || status === 204 || status === 304) {
      this.state = State.Length;
      this.remaining = 0;
    } else if (f.chunked) {
      this.state = State.ChunkSize;
      this.remaining = 0;
      this.sawDigit = false;
    } else if (f.length >= 0) {
      this.state = State.Length;
      this.remaining = f.length;
    } else {
      this.state = State.UntilClose;
      this.keepAlive = false;
    }
  }

  private readBody(buf: Buffer, start: number): void {
    switch (this.state) {
      case State.Length:
        return this.readLength(buf, start);
      case State.UntilClose:
        if (start < buf.length) this.handler!.onResponseBody(start === 0 ? buf : buf.subarray(start));
        return;
      case State.Idle:
      case State.Done:
        // Bytes with no request outstanding: the connection is out of step; never reuse it.
        if (start < buf.length) this.keepAlive = false;
        return;
      default:
        return this.readChunked(buf, start);
    }
  }

  private readLength(buf: Buffer, start: number): void {
    const avail = buf.length - start;
    if (avail < this.remaining) {
      this.remaining -= avail;
      if (avail > 0) this.handler!.onResponseBody(start === 0 ? buf : buf.subarray(start));
      return;
    }
    const take = this.remaining;
    this.remaining = 0;
    const last = take === 0 ? null : buf.subarray(start, start + take);
    // Extra bytes after a complete response: the upstream is pipelining garbage; don't reuse.
    this.finish(last, this.keepAlive && start + take === buf.length);
  }

  private readChunked(buf: Buffer, start: number): void {
    let i = start;
    while (i < buf.length && this.state !== State.Done) {
      if (this.state === State.ChunkData) {
        const take = Math.min(this.remaining, buf.length - i);
        this.handler!.onResponseBody(buf.subarray(i, i + take));
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = State.ChunkDataEnd;
        continue;
      }
      if (this.state === State.Trailers && buf[i] === 10 && this.lineLen === 0) {
        // End of the response. Extra bytes after it: the upstream is out of step; don't reuse.
        return this.finish(null, this.keepAlive && i + 1 === buf.length);
      }
      if (!this.chunkByte(buf[i]!)) return;
      i++;
    }
  }

  /** chunkByte advances the chunk framing by one byte; false after reporting an error. */
  private chunkByte(c: number): boolean {
    switch (this.state) {
      case State.ChunkSize:
        return this.chunkSizeByte(c);
      case State.ChunkExt:
        if (c === 10) return this.chunkSizeDone();
        return true;
      case State.ChunkDataEnd:
        if (c === 13) return true;
        if (c !== 10) return this.failed('bad chunk terminator');
        this.state = State.ChunkSize;
        this.sawDigit = false;
        this.remaining = 0;
        return true;
      default:
        return this.trailerByte(c);
    }
  }

  private chunkSizeByte(c: number): boolean {
    const v = hexValue(c);
    if (v >= 0) {
      this.remaining = this.remaining * 16 + v;
      this.sawDigit = true;
      return this.remaining <= MAX_CHUNK || this.failed('chunk too large');
    }
    if (c === 59 /* ; */ || c === 32 || c === 9) {
      this.state = State.ChunkExt;
      return true;
    }
    if (c === 13) return true;
    if (c === 10) return this.chunkSizeDone();
    return this.failed('bad chunk size');
  }

  private chunkSizeDone(): boolean {
    if (!this.sawDigit) return this.failed('bad chunk size');
    if (this.remaining === 0) {
      this.state = State.Trailers;
      this.lineLen = 0;
    } else {
      this.state = State.ChunkData;
    }
    return true;
  }

  private trailerByte(c: number): boolean {
    if (c === 13) return true;
    if (c !== 10) {
      this.lineLen++;
      return this.lineLen <= MAX_HEAD || this.failed('trailer too large');
    }
    if (this.lineLen === 0) {
      this.finish(null, this.keepAlive);
      return false;
    }
    this.lineLen = 0;
    return true;
  }

  private failed(reason: string): boolean {
    this.fail(reason);
    return false;
  }
}
