import { EventEmitter } from 'node:events';
import http2 from 'node:http2';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { DEFAULT_WRITE_TIMEOUT_MS, type DownstreamRequest, type DownstreamResponse } from '../proxy/downstream.js';
import { isHopByHopHeader } from '../proxy/headers.js';

const kOwner = Symbol('berth.h2downstream');
type Owned = http2.ServerHttp2Stream & { [kOwner]?: H2Downstream };

/** The client connection a stream came on, as the engine reads it (address, port, TLS). */
export interface StreamConnection {
  readonly remoteAddress?: string | undefined;
  readonly localPort?: number | undefined;
  readonly encrypted?: boolean;
}

/**
 * H2Downstream: one HTTP/2 request stream seen through the engine's DownstreamRequest and
 * DownstreamResponse (proxy/downstream.ts), so an h2 request runs the same Attempt as an HTTP/1.1
 * one. It is both sides in one object. Request body events reach the engine only once it listens
 * (the stream stays paused until then); the response head is held until the first body byte or
 * the end, so a response without body or trailers goes as one HEADERS frame with END_STREAM (a
 * gRPC Trailers-Only answer stays one).
 */
export class H2Downstream extends EventEmitter implements DownstreamRequest, DownstreamResponse {
  readonly url: string;
  readonly httpVersion = '2.0';
  readonly headers: IncomingHttpHeaders;
  headersSent = false;
  writableFinished = false;
  /** How long the answer's last bytes may wait for the client's window (the route's write timeout). */
  writeTimeoutMs = DEFAULT_WRITE_TIMEOUT_MS;
  private head: OutgoingHttpHeaders | null = null;
  private trailers: OutgoingHttpHeaders | null = null;
  private flowing = false;
  /** 'drain' and 'timeout' are listened to once first needed: most responses never wait on the client. */
  private drainHooked = false;
  private timeoutHooked = false;

  constructor(
    readonly stream: http2.ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    readonly rawHeaders: string[],
    readonly socket: StreamConnection,
  ) {
    super();
    this.url = String(headers[':path'] ?? '/');
    // The engine reads Host; in HTTP/2 it is :authority (RFC 9113 s8.3.1).
    if (headers.host === undefined && headers[':authority'] !== undefined) headers.host = String(headers[':authority']);
    // A body without content-length goes to an HTTP/1.1 upstream chunked (proxy/request-body.ts).
    if (!stream.endAfterHeaders && headers['content-length'] === undefined) headers['transfer-encoding'] = 'chunked';
    this.headers = headers;
    (stream as Owned)[kOwner] = this;
    stream.on('close', onStreamClose);
    stream.on('wantTrailers', onWantTrailers);
    stream.on('error', noop); // a reset stream also closes; 'close' is what the engine hears
  }

  get destroyed(): boolean {
    return this.stream.destroyed;
  }

  /** Read from the fields: a WebSocket's extended CONNECT is rewritten to GET (websocket-bootstrap.ts). */
  get method(): string {
    return String(this.headers[':method'] ?? 'GET');
  }

  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    if ((event === 'data' || event === 'end') && !this.flowing) {
      this.flowing = true;
      this.stream.on('data', onStreamData);
      this.stream.on('end', onStreamEnd);
    }
    return super.on(event, listener);
  }

  pause(): this {
    this.stream.pause();
    return this;
  }

  resume(): this {
    if (!this.flowing) {
      // Nobody reads the body (the engine answered early): discard it.
      this.flowing = true;
      this.stream.on('data', noop);
    }
    this.stream.resume();
    return this;
  }

  writeHead(status: number, headers: string[]): this {
    this.head = toH2Headers(status, headers);
    this.headersSent = true;
    return this;
  }

  /** addTrailers: trailers from an HTTP/2 upstream (grpc-status, grpc-message) sent after the body. */
  addTrailers(trailers: OutgoingHttpHeaders): void {
    this.trailers = trailers;
  }

  /** respondTrailersOnly: a whole answer in one HEADERS frame with END_STREAM (a gRPC error). */
  respondTrailersOnly(headers: OutgoingHttpHeaders): void {
    this.stream.respond(headers, { endStream: true });
    this.headersSent = true;
    this.writableFinished = true;
    this.stopUnfinishedRequest();
  }

  write(chunk: Buffer): boolean {
    if (this.stream.destroyed) return true;
    this.flushHead();
    if (this.stream.write(chunk)) return true;
    if (!this.drainHooked) {
      this.drainHooked = true;
      this.stream.on('drain', onStreamDrain);
    }
    return false;
  }

  end(chunk?: Buffer | string, encoding?: BufferEncoding): this {
    if (this.stream.destroyed) return this;
    const empty = chunk === undefined || chunk.length === 0;
    if (empty && this.trailers === null && !this.stream.headersSent) {
      this.stream.respond(this.head ?? { ':status': 200 }, { endStream: true });
      this.writableFinished = true;
    } else {
      this.flushHead();
      if (empty) this.stream.end();
      else this.stream.end(chunk, encoding as BufferEncoding);
      // What the client's window holds back waits at most the write timeout, however long the
      // client keeps the window shut (the stream's close clears it).
      if (!this.stream.destroyed) this.setTimeout(this.writeTimeoutMs);
    }
    this.stopUnfinishedRequest();
    return this;
  }

  /**
   * stopUnfinishedRequest: once the answer is complete, a client still sending is told to stop
   * without error (RFC 9113 s8.1), as berth's own engine does (connection.ts localEnd): node sends
   * the RST_STREAM(NO_ERROR) after the last queued frame. Without it node's stream stayed open
   * until the client ended its side, and a WebSocket tunnel whose upstream had closed waited for an
   * END_STREAM that Chromium does not send (test/e2e/websocket-h2.h2node.test.ts): the tunnel and
   * its access log line stayed open for the idle limit.
   */
  private stopUnfinishedRequest(): void {
    const stream = this.stream;
    // The cheap checks first: `state` is a call into node's binding, and a request whose body was
    // read to its end (a gRPC call's) needs none.
    if (stream.endAfterHeaders || stream.readableEnded || stream.destroyed || stream.state.remoteClose === 1) return;
    stream.close(http2.constants.NGHTTP2_NO_ERROR);
  }

  destroy(): this {
    this.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    return this;
  }

  setTimeout(ms: number): this {
    if (ms > 0 && !this.timeoutHooked) {
      this.timeoutHooked = true;
      this.stream.on('timeout', onStreamTimeout);
    }
    this.stream.setTimeout(ms);
    return this;
  }

  /** sendHead: a tunnel's head (proxy/stream-tunnel.ts), sent at once; the stream ends with END_STREAM on DATA, no trailers. */
  sendHead(): void {
    if (!this.stream.headersSent) this.stream.respond(this.head ?? { ':status': 200 });
  }

  /** flushHead sends the held head; the stream then ends with trailers (empty ones if none came). */
  private flushHead(): void {
    if (!this.stream.headersSent) this.stream.respond(this.head ?? { ':status': 200 }, { waitForTrailers: true });
  }

  sendTrailers(): void {
    this.stream.sendTrailers(this.trailers ?? {});
    this.writableFinished = true;
    this.stopUnfinishedRequest();
  }
}

/**
 * toH2Headers: the engine's flat response header list as an HTTP/2 header block. Connection-
 * specific fields are dropped (RFC 9113 s8.2.2; node refuses them), names are lowercased and
 * repeated fields (Set-Cookie) become lists.
 */
export function toH2Headers(status: number, flat: readonly string[]): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ':status': status };
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i]!.toLowerCase();
    if (isHopByHopHeader(name) || name.charCodeAt(0) === 58 /* : */) continue;
    const value = flat[i + 1]!;
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [String(prev), value];
  }
  return out;
}

function noop(): void {}

function onStreamData(this: Owned, chunk: Buffer): void {
  this[kOwner]?.emit('data', chunk);
}

function onStreamEnd(this: Owned): void {
  this[kOwner]?.emit('end');
}

function onStreamClose(this: Owned): void {
  this[kOwner]?.emit('close');
}

function onStreamDrain(this: Owned): void {
  this[kOwner]?.emit('drain');
}

function onWantTrailers(this: Owned): void {
  this[kOwner]?.sendTrailers();
}

function onStreamTimeout(this: Owned): void {
  // The client took no data for write_timeout: cut it, as the HTTP/1.1 path does.
  this.close(http2.constants.NGHTTP2_CANCEL);
}
