import { ChunkedDecoder } from './chunked.js';
import { HEAD_END } from './field-chars.js';
import { parseHead, type Framing } from './response-head.js';

/**
 * ResponseParser: an HTTP/1.1 response parser for one upstream connection, written for the proxy
 * path. It parses the head itself (status line + headers into a flat raw array ready for
 * `writeHead`, hop-by-hop names already removed) and only frames the body (content-length,
 * chunked, close-delimited), handing body bytes through as slices of the socket's buffers. It is
 * as strict as node's llhttp (see response-head.ts, chunked.ts); parser.differential.test.ts
 * holds it to the same verdicts.
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
  Chunked,
  UntilClose,
  Done,
}

const MAX_HEAD = 64 * 1024;
/** A CR not followed by LF, or an LF not preceded by CR (RFC 9112 s2.2: llhttp rejects both). */
const BARE_CR_OR_LF = /\r(?!\n|$)|(?<!\r)\n/;

export class ResponseParser {
  handler: ResponseHandler | null = null;
  private state = State.Idle;
  private noBody = false;
  private upgrade = false;
  private keepAlive = true;
  private pending: Buffer | null = null;
  private remaining = 0;
  private readonly chunked = new ChunkedDecoder();
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
    this.pending = null;
    this.handler!.onResponseError(reason);
  }

  private finish(last: Buffer | null, keepAlive: boolean): void {
    this.state = State.Done;
    this.handler!.onResponseEnd(last, keepAlive);
  }

  private readHead(chunk: Buffer): void {
    const buf = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    const end = buf.indexOf(HEAD_END, this.pending === null ? 0 : Math.max(0, this.pending.length - 3));
    if (end < 0) {
      if (buf.length > MAX_HEAD) return this.fail('response head too large');
      // A bare LF would make us wait for a CRLFCRLF that may never come: fail now, as llhttp does.
      if (BARE_CR_OR_LF.test(buf.toString('latin1'))) return this.fail('malformed response head');
      this.pending = buf;
      return;
    }
    this.pending = null;
    const headers: string[] = [];
    const f = parseHead(buf.toString('latin1', 0, end), headers);
    if (f === null) return this.fail('malformed response head');
    if (f.status === 101) return this.upgraded(f, headers, buf.subarray(end + 4));
    if (f.status < 200) {
      // 1xx interim responses (100 Continue, 103 Early Hints) are not forwarded.
      if (end + 4 < buf.length) this.readHead(buf.subarray(end + 4));
      return;
    }
    this.keepAlive = (f.http11 ? !f.close : f.keepAlive) && !f.conflicting;
    this.keepAliveHintMs = f.keepAliveHintMs;
    this.chooseFraming(f);
    this.handler!.onResponseHead(f.status, headers);
    if (this.state === State.Done) return; // the handler aborted inside onResponseHead
    this.readBody(buf, end + 4);
  }

  private upgraded(f: Framing, headers: string[], rest: Buffer): void {
    if (!this.upgrade || f.upgrade === '') return this.fail('unexpected 101 response');
    this.state = State.Done;
    this.handler!.onUpgrade(headers, f.upgrade, rest);
  }

  private chooseFraming(f: Framing): void {
    if (this.noBody || f.status === 204 || f.status === 304) {
      this.state = State.Length;
      this.remaining = 0;
    } else if (f.chunked) {
      this.state = State.Chunked;
      this.chunked.reset();
    } else if (f.length >= 0 && !f.transferEncoding) {
      this.state = State.Length;
      this.remaining = f.length;
    } else {
      // No length, or a coding other than chunked last: the body runs until close (RFC 9112 s6.3).
      this.state = State.UntilClose;
      this.keepAlive = false;
    }
  }

  private readBody(buf: Buffer, start: number): void {
    switch (this.state) {
      case State.Length:
        return this.readLength(buf, start);
      case State.Chunked:
        return this.readChunked(buf, start);
      case State.UntilClose:
        if (start < buf.length) this.handler!.onResponseBody(start === 0 ? buf : buf.subarray(start));
        return;
      default:
        // Bytes with no request outstanding: the connection is out of step; never reuse it.
        if (start < buf.length) this.keepAlive = false;
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
    const end = this.chunked.execute(buf, start, this.handler!);
    if (this.state !== State.Chunked) return; // the handler aborted while taking body bytes
    if (end === -2) return this.fail(this.chunked.error);
    // Extra bytes after the end: the upstream is out of step; don't reuse.
    if (end >= 0) this.finish(null, this.keepAlive && end === buf.length);
  }
}
