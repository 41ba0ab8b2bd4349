import { ChunkedDecoder } from '../proxy/chunked.js';
import { HEAD_END } from '../proxy/field-chars.js';
import { HeadReader, MAX_HEADER_BYTES, RequestError, type RequestHead } from './request-head.js';

/**
 * RequestParser: HTTP/1.x requests on one client connection, incremental over reads split
 * anywhere. The head is checked line by line (request-head.ts); the body is framed by
 * Content-Length or the strict chunked decoder shared with the response side (proxy/chunked.ts)
 * and handed out as slices of the socket's buffers. It stops after each message (and after the
 * head of an upgrade) so the server answers requests in order before it reads the next one.
 * request-parser.differential.test.ts holds it to node's (llhttp's) verdicts.
 */
export interface RequestSink {
  onRequestHead(head: RequestHead): void;
  onRequestBody(chunk: Buffer): void;
  onRequestEnd(): void;
}

const enum State {
  Head,
  Length,
  Chunked,
  /** A message (or an upgrade head) is complete: reset() before the next one. */
  Done,
  Failed,
}

/**
 * A head received over several reads may hold more than MAX_HEADER_BYTES of bytes node does not
 * count (request line, separators, leading whitespace of values); beyond this many bytes in all it
 * is refused all the same (node reads such padding without keeping it; berth keeps the line).
 */
const MAX_PENDING_HEAD = 4 * MAX_HEADER_BYTES;

export class RequestParser {
  private state = State.Head;
  private readonly reader = new HeadReader();
  private readonly chunked = new ChunkedDecoder();
  /** The unfinished line of a head that did not arrive in one read, as latin1. */
  private pending = '';
  /** Where the next unread line starts in `pending`. */
  private lineStart = 0;
  /** Bytes of a head that did not arrive in one read, so far (0: no head begun). */
  private headBytes = 0;
  private remaining = 0;
  /** Why the last request was refused (state Failed). */
  error: RequestError | null = null;

  constructor(private readonly sink: RequestSink) {}

  /** Between messages: nothing of the next request has arrived yet. */
  get idle(): boolean {
    return this.state === State.Head && this.headBytes === 0;
  }

  /** A message ended (or an upgrade head): call reset() before feeding the next one. */
  get done(): boolean {
    return this.state === State.Done;
  }

  /** Inside a request body (a close now leaves it incomplete). */
  get inBody(): boolean {
    return this.state === State.Length || this.state === State.Chunked;
  }

  reset(): void {
    this.state = State.Head;
    this.reader.reset();
    this.pending = '';
    this.lineStart = 0;
    this.headBytes = 0;
  }

  /**
   * execute feeds `buf[start..]`: returns the index where parsing stopped (buf.length when all of it
   * was taken, less when a message ended inside it), or -1 when the request is refused (`error`).
   */
  execute(buf: Buffer, start: number): number {
    let i = start;
    if (this.state === State.Head) {
      i = this.readHead(buf, i);
      if (i < 0) return i;
    }
    const state = this.state as State;
    if (state === State.Length) return this.readLength(buf, i);
    if (state === State.Chunked) return this.readChunked(buf, i);
    return i;
  }

  /** ChunkSink: the chunked decoder's data (the name is the response side's). */
  onResponseBody(chunk: Buffer): void {
    this.sink.onRequestBody(chunk);
  }

  private fail(err: RequestError): number {
    this.state = State.Failed;
    this.error = err;
    return -1;
  }

  private readHead(buf: Buffer, start: number): number {
    let i = start;
    if (this.headBytes === 0) {
      // llhttp skips CR and LF bytes before a request line (RFC 9112 s2.2: at least one CRLF).
      while (i < buf.length && (buf[i] === 13 || buf[i] === 10)) i++;
      if (i === buf.length) return i;
      // The usual case: the whole head in this read; parse it without copying the body.
      const end = buf.indexOf(HEAD_END, i);
      if (end >= 0) return this.lines(buf.toString('latin1', i, end + 4), 0, i);
    }
    // Bytes node does not count (whitespace around values) still cost memory and time: the whole
    // head is bounded too, not only the line in progress.
    this.headBytes += buf.length - i;
    if (this.headBytes > MAX_PENDING_HEAD) return this.fail(new RequestError(431, 'HPE_HEADER_OVERFLOW', 'Header overflow'));
    const offset = this.pending.length - i; // index in `pending` of buf[0]
    this.pending += buf.toString('latin1', i);
    const next = this.lines(this.pending, this.lineStart, -offset);
    if (this.state === State.Head) {
      // Keep only the unfinished line: complete lines are read already, and rescanning a growing
      // head on every read made a trickled one quadratic.
      this.pending = this.pending.slice(this.lineStart);
      this.reader.shift(this.lineStart);
      this.lineStart = 0;
    }
    return next;
  }

  /**
   * lines reads complete lines of `s` from `from`; `base` maps an index in `s` to one in the current
   * buffer. Returns the buffer index after the head, buf.length-equivalent when more is needed.
   */
  private lines(s: string, from: number, base: number): number {
    let at = from;
    for (;;) {
      const lf = s.indexOf('\n', at);
      if (lf < 0) {
        this.lineStart = at;
        const err = this.reader.partial(s, at, s.length);
        return err === null ? s.length + base : this.fail(err);
      }
      const r = this.reader.line(s, at, lf);
      if (r instanceof RequestError) return this.fail(r);
      at = lf + 1;
      if (r) return this.headDone(at + base);
    }
  }

  private headDone(next: number): number {
    const head = this.reader.head;
    this.pending = '';
    this.lineStart = 0;
    this.headBytes = 0;
    if (head.upgrade) this.state = State.Done;
    else if (head.chunked) {
      this.state = State.Chunked;
      this.chunked.reset();
    } else if (head.contentLength > 0) {
      this.state = State.Length;
      this.remaining = head.contentLength;
    } else this.state = State.Done;
    this.sink.onRequestHead(head);
    if (this.state === State.Done && !head.upgrade) this.sink.onRequestEnd();
    return next;
  }

  private readLength(buf: Buffer, start: number): number {
    const avail = buf.length - start;
    const take = avail < this.remaining ? avail : this.remaining;
    this.remaining -= take;
    if (this.remaining === 0) this.state = State.Done;
    if (take > 0) this.sink.onRequestBody(start === 0 && take === buf.length ? buf : buf.subarray(start, start + take));
    if (this.remaining === 0) this.sink.onRequestEnd();
    return start + take;
  }

  private readChunked(buf: Buffer, start: number): number {
    const end = this.chunked.execute(buf, start, this);
    if (end === -2) return this.fail(new RequestError(400, 'HPE_INVALID_CHUNK_SIZE', this.chunked.error));
    if (end === -1) return buf.length;
    this.state = State.Done;
    this.sink.onRequestEnd();
    return end;
  }
}
