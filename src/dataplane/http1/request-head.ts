import { METHODS, maxHeaderSize } from 'node:http';
import { equalsLowercase } from '../proxy/headers.js';
import { FIELD_VALUE_CHAR as VALUE_CHAR, TOKEN_CHAR as TOKEN, isOws, trimOws } from '../proxy/field-chars.js';
import { urlEnd } from './request-target.js';

/**
 * parseRequestHead: the request line and header lines of an HTTP/1.x request, as strict as node's
 * http server (llhttp without lenient flags, nodejs/llhttp src/llhttp/http.ts and url.ts): CRLF
 * line ends only, known methods, request-target bytes per llhttp's URL grammar, header names are
 * tokens with the colon right after, values are HTAB / SP / VCHAR / obs-text, no obs-fold, one
 * Content-Length of digits, Transfer-Encoding only with chunked last and never with
 * Content-Length. (Host on HTTP/1.1 is the server's rule, as in node: http1/server.ts.) Unlike llhttp it answers
 * 505 to every version but 1.0 and 1.1 (RFC 9110 s15.6.6) instead of serving HTTP/0.9 and 2.0
 * request lines as if they were HTTP/1.1.
 */
export interface RequestHead {
  method: string;
  url: string;
  /** '1.1' or '1.0', as node's message.httpVersion. */
  httpVersion: string;
  rawHeaders: string[];
  /** Body length from Content-Length; -1 when absent. */
  contentLength: number;
  chunked: boolean;
  transferEncoding: boolean;
  keepAlive: boolean;
  /** Upgrade + Connection: upgrade, or CONNECT: what follows the head is no longer HTTP. */
  upgrade: boolean;
}

/** A rejected request: the status to answer (400, 431, 505) and an llhttp-style code for logs. */
export class RequestError {
  constructor(readonly status: number, readonly code: string, readonly reason: string) {}
}

/** Bytes node counts against --max-http-header-size: the URL, header names and values (node_http_parser.cc TrackHeader). */
export const MAX_HEADER_BYTES = maxHeaderSize;

const KNOWN_METHODS: ReadonlySet<string> = new Set(METHODS);

/**
 * knownMethod: the method `s[0..sp)` if node's METHODS has it, else null. GET, HEAD and POST are
 * matched by their characters and given as constants: no new string, hash and Set lookup per
 * request, and the access log's record holds a string older than itself (no write-barrier entry,
 * bench/RESULTS.md "Fourteenth session").
 */
function knownMethod(s: string, sp: number): string | null {
  if (sp === 3 && s.charCodeAt(0) === 71 && s.charCodeAt(1) === 69 && s.charCodeAt(2) === 84) return 'GET';
  if (sp === 4) {
    const c = s.charCodeAt(0);
    if (c === 72 && s.charCodeAt(1) === 69 && s.charCodeAt(2) === 65 && s.charCodeAt(3) === 68) return 'HEAD';
    if (c === 80 && s.charCodeAt(1) === 79 && s.charCodeAt(2) === 83 && s.charCodeAt(3) === 84) return 'POST';
  }
  const method = s.slice(0, sp);
  return KNOWN_METHODS.has(method) ? method : null;
}

/** Where `partial` is in an unfinished line. */
const enum Phase { Method, Target, Version, LineStart, Name, Value }

/**
 * parseRequestLine fills method, url and version from `s[0..end)` (the line without its CRLF).
 * Returns null or the error.
 */
function parseRequestLine(s: string, end: number, head: RequestHead): RequestError | null {
  const sp = s.indexOf(' ', 0);
  const method = sp > 0 && sp < end ? knownMethod(s, sp) : null;
  if (method === null) return new RequestError(400, 'HPE_INVALID_METHOD', 'Invalid method encountered');
  head.method = method;
  let i = sp + 1;
  while (i < end && s.charCodeAt(i) === 32) i++;
  const urlStop = i < end ? urlEnd(s, i, end, head.method === 'CONNECT') : -1;
  if (urlStop < 0) return new RequestError(400, 'HPE_INVALID_URL', 'Invalid characters in url');
  // A target with no version after it is an HTTP/0.9 request line.
  if (urlStop === end || s.charCodeAt(urlStop) !== 32) return new RequestError(505, 'HPE_INVALID_VERSION', 'HTTP version not supported');
  head.url = s.slice(i, urlStop);
  let v = urlStop + 1;
  while (v < end && s.charCodeAt(v) === 32) v++;
  if (end - v !== 8 || !s.startsWith('HTTP/', v)) return new RequestError(400, 'HPE_INVALID_CONSTANT', 'Expected HTTP/');
  const major = s.charCodeAt(v + 5) - 48;
  const minor = s.charCodeAt(v + 7) - 48;
  if (major < 0 || major > 9 || minor < 0 || minor > 9 || s.charCodeAt(v + 6) !== 46) return new RequestError(400, 'HPE_INVALID_VERSION', 'Invalid HTTP version');
  if (major !== 1 || minor > 1) return new RequestError(505, 'HPE_INVALID_VERSION', 'HTTP version not supported');
  head.httpVersion = minor === 1 ? '1.1' : '1.0';
  return null;
}

/** Connection flags llhttp keeps (F_CONNECTION_CLOSE, _KEEP_ALIVE, _UPGRADE). */
const CLOSE = 1;
const KEEP_ALIVE = 2;
const CONN_UPGRADE = 4;

function connectionFlags(value: string): number {
  let flags = 0;
  for (const part of value.split(',')) {
    const token = trimOws(part).toLowerCase();
    if (token === 'close') flags |= CLOSE;
    else if (token === 'keep-alive') flags |= KEEP_ALIVE;
    else if (token === 'upgrade') flags |= CONN_UPGRADE;
  }
  return flags;
}

/**
 * HeadReader: parses a head line by line as its bytes arrive, so a broken line is refused as soon
 * as it is complete, not when the whole head is, and no line is scanned twice.
 */
export class HeadReader {
  head: RequestHead = newHead();
  /** Bytes counted against MAX_HEADER_BYTES so far. */
  private counted = 0;
  private sawRequestLine = false;
  private connection = 0;
  private hasUpgrade = false;
  private chunkedLast = false;
  private sawTransferEncoding = false;
  /** How far the unfinished line has been checked, and where in it that point is (see partial). */
  private checkedTo = 0;
  private phase = Phase.Method;
  private at = 0;

  reset(): void {
    this.checkedTo = 0;
    this.phase = Phase.Method;
    this.at = 0;
    this.head = newHead();
    this.counted = 0;
    this.sawRequestLine = false;
    this.connection = 0;
    this.hasUpgrade = this.chunkedLast = this.sawTransferEncoding = false;
  }

  /** shift: the caller dropped `by` characters before the unfinished line (request-parser.ts). */
  shift(by: number): void {
    this.checkedTo = this.checkedTo > by ? this.checkedTo - by : 0;
  }

  /**
   * line takes one line `s[start..lf]` (lf is the index of its LF). Returns true when it was the
   * empty line that ends the head, false to go on, or the error.
   */
  line(s: string, start: number, lf: number): boolean | RequestError {
    const end = lf - 1;
    this.phase = Phase.LineStart;
    this.checkedTo = lf + 1;
    if (lf === start || s.charCodeAt(end) !== 13) return new RequestError(400, 'HPE_LF_EXPECTED', 'Missing expected CR before LF');
    if (!this.sawRequestLine) {
      this.sawRequestLine = true;
      const err = parseRequestLine(s, end, this.head);
      if (err !== null) return err;
      this.counted += this.head.url.length;
      return this.overflow();
    }
    if (end === start) return this.finish();
    return this.field(s, start, end) ?? this.overflow();
  }

  /**
   * partial checks the new bytes of a line that has not ended (`s[start..end)`), so a client that
   * sends a broken line and waits is refused at once, as llhttp refuses it byte by byte; the
   * complete line gets the full check in `line`.
   */
  partial(s: string, start: number, end: number): RequestError | null {
    let i = this.checkedTo > start ? this.checkedTo : start;
    for (; i < end; i++) {
      const c = s.charCodeAt(i);
      // A CR must be followed by the LF that ends the line (RFC 9112 s2.2).
      if (c === 13) {
        if (i + 1 < end) return new RequestError(400, 'HPE_LF_EXPECTED', 'Missing expected LF after CR');
        this.checkedTo = i; // look at it again with the byte that follows
        return null;
      }
      if (!this.prefixByte(c)) return new RequestError(400, 'HPE_INVALID_HEADER_TOKEN', 'Invalid character');
      // HTTP/x.y complete: only 1.0 and 1.1 (as parseRequestLine decides once the line ends)
      if (this.phase === Phase.Version && this.at === 8 && (s.charCodeAt(i - 2) !== 49 || c > 49)) {
        return new RequestError(505, 'HPE_INVALID_VERSION', 'HTTP version not supported');
      }
    }
    this.checkedTo = end;
    return null;
  }

  /** prefixByte: `c` can continue the line so far (a coarse grammar; `line` has the exact one). */
  private prefixByte(c: number): boolean {
    switch (this.phase) {
      case Phase.LineStart: // a header line; obs-fold and leading whitespace are refused
        this.phase = Phase.Name;
        return TOKEN[c] === 1;
      case Phase.Name:
        if (c === 58 /* : */) this.phase = Phase.Value;
        return c === 58 || TOKEN[c] === 1;
      case Phase.Value:
        return VALUE_CHAR[c] === 1;
      case Phase.Method:
        if (c === 32) this.phase = Phase.Target;
        return c === 32 || (c >= 65 && c <= 90) || c === 45 /* - */;
      case Phase.Target: // spaces, then the target (its exact grammar is urlEnd's)
        if (c !== 32) this.at = 1;
        else if (this.at > 0) {
          this.phase = Phase.Version;
          this.at = 0;
        }
        return c >= 32 && c < 127;
      default: // Version: spaces, 'HTTP/' digit '.' digit
        if (c === 32 && this.at === 0) return true;
        this.at++;
        if (this.at <= 5) return c === 'HTTP/'.charCodeAt(this.at - 1);
        return this.at === 7 ? c === 46 : this.at < 9 && c >= 48 && c <= 57;
    }
  }

  private overflow(): false | RequestError {
    return this.counted >= MAX_HEADER_BYTES ? new RequestError(431, 'HPE_HEADER_OVERFLOW', 'Header overflow') : false;
  }

  private field(s: string, start: number, end: number): RequestError | null {
    const tokenChar = TOKEN; // the tables as locals (proxy/field-chars.ts isFieldValue says why)
    const valueChar = VALUE_CHAR;
    let colon = start;
    while (colon < end && tokenChar[s.charCodeAt(colon)] === 1) colon++;
    if (colon === start || colon === end || s.charCodeAt(colon) !== 58) return new RequestError(400, 'HPE_INVALID_HEADER_TOKEN', 'Invalid header token');
    let v = colon + 1;
    while (v < end && isOws(s.charCodeAt(v))) v++;
    for (let i = v; i < end; i++) {
      if (valueChar[s.charCodeAt(i)] !== 1) return new RequestError(400, 'HPE_INVALID_HEADER_TOKEN', 'Invalid header value char');
    }
    // node counts the value's span, trailing whitespace included, then trims it.
    this.counted += colon - start + end - v;
    let e = end;
    while (e > v && isOws(s.charCodeAt(e - 1))) e--;
    const name = s.slice(start, colon);
    const value = s.slice(v, e);
    this.head.rawHeaders.push(name, value);
    return this.framing(name, value);
  }

  /** framing notes the headers that decide body framing and the connection (by length first: cheap). */
  private framing(name: string, value: string): RequestError | null {
    const head = this.head;
    switch (name.length) {
      case 7:
        if (equalsLowercase(name, 'upgrade')) this.hasUpgrade = true;
        return null;
      case 10:
        if (equalsLowercase(name, 'connection')) this.connection |= connectionFlags(value);
        return null;
      case 14:
        if (!equalsLowercase(name, 'content-length')) return null;
        if (head.contentLength >= 0) return new RequestError(400, 'HPE_UNEXPECTED_CONTENT_LENGTH', 'Duplicate Content-Length');
        if (!/^\d+$/.test(value)) return new RequestError(400, 'HPE_INVALID_CONTENT_LENGTH', 'Invalid character in Content-Length');
        head.contentLength = Number(value);
        // Beyond 2^53 the count of body bytes would be inexact (llhttp allows up to 2^64-1).
        return Number.isSafeInteger(head.contentLength) ? null : new RequestError(400, 'HPE_INVALID_CONTENT_LENGTH', 'Content-Length overflow');
      case 17:
        return equalsLowercase(name, 'transfer-encoding') ? this.transferEncoding(value) : null;
      default:
        return null;
    }
  }

  /** transferEncoding: chunked must be the final coding and appear once (RFC 9112 s6.3, llhttp strict). */
  private transferEncoding(value: string): RequestError | null {
    // llhttp frames no body by an empty value (but refuses it next to Content-Length), and skips
    // empty list elements (RFC 9110 s5.6.1) but any after chunked.
    this.sawTransferEncoding = true;
    if (value === '') return null;
    this.head.transferEncoding = true;
    for (const part of value.split(',')) {
      if (this.chunkedLast) return new RequestError(400, 'HPE_INVALID_TRANSFER_ENCODING', 'Invalid `Transfer-Encoding` header value');
      const coding = trimOws(part);
      if (coding !== '') this.chunkedLast = coding.toLowerCase() === 'chunked';
    }
    return null;
  }

  /** finish applies the rules that need the whole head. */
  private finish(): true | RequestError {
    const head = this.head;
    if (this.sawTransferEncoding && head.contentLength >= 0) return new RequestError(400, 'HPE_INVALID_TRANSFER_ENCODING', "Transfer-Encoding can't be present with Content-Length");
    head.upgrade = head.method === 'CONNECT' || (this.hasUpgrade && (this.connection & CONN_UPGRADE) !== 0);
    // What follows an upgrade head is not a body (node skips it), so its coding does not matter.
    if (head.transferEncoding && !head.upgrade) {
      if (!this.chunkedLast) return new RequestError(400, 'HPE_INVALID_TRANSFER_ENCODING', 'Request has invalid `Transfer-Encoding`');
      head.chunked = true;
    }
    // llhttp_should_keep_alive
    head.keepAlive = head.httpVersion === '1.1' ? (this.connection & CLOSE) === 0 : (this.connection & KEEP_ALIVE) !== 0;
    return true;
  }
}

function newHead(): RequestHead {
  return { method: '', url: '', httpVersion: '1.1', rawHeaders: [], contentLength: -1, chunked: false, transferEncoding: false, keepAlive: false, upgrade: false };
}
