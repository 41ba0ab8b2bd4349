import http2 from 'node:http2';
import type { OutgoingHttpHeaders } from 'node:http';
import type { DownstreamRequest, DownstreamResponse } from '../proxy/downstream.js';
import type { ProxyError } from '../proxy/errors.js';
import { forwardingHeaders } from '../proxy/forwarded.js';
import { connectionListed, isDroppedRequestHeader, isHopByHopHeader } from '../proxy/headers.js';
import type { ProxiedRequest } from '../proxy/proxied-request.js';
import { traceHeaders, upstreamHost } from '../proxy/request-head.js';
import { BODY_NONE, requestBodyKind } from '../proxy/request-body.js';
import type { TargetState } from '../targets/target.js';
import { streamError, type H2SessionPool, type UpstreamSession } from './session-pool.js';

const { NGHTTP2_CANCEL, NGHTTP2_FLAG_END_STREAM } = http2.constants;
const kUp = Symbol('berth.h2upstream');
type Tagged = { [kUp]?: H2UpstreamStream };

/** H2UpstreamUser: the engine's request (Attempt) as the upstream stream reports to it. */
export interface H2UpstreamUser extends ProxiedRequest {
  readonly res: DownstreamResponse;
  onResponseHead(status: number, headers: string[]): void;
  /** The engine may hold a head until the end of a read; an h2 head is complete as it arrives. */
  onReadEnd(): void;
  onResponseBody(chunk: Buffer): void;
  onResponseEnd(last: Buffer | null, keepAlive: boolean): void;
  onConnectionError(err: ProxyError): void;
  onTimeout(): void;
}

/**
 * H2UpstreamStream: one try of a request on an HTTP/2 upstream (Kong `protocol: grpc | grpcs`),
 * a stream on a pooled session. It reports to the Attempt through the same callbacks an HTTP/1.1
 * connection uses. The client's body is read only once the stream is open, so a session that
 * never connects has consumed nothing and the Attempt may try another target. Trailers (gRPC's
 * grpc-status, grpc-message) go to the client as trailers.
 */
export class H2UpstreamStream {
  private readonly stream: http2.ClientHttp2Stream;
  private readonly session: UpstreamSession;
  private readonly req: DownstreamRequest;
  private ended = false;
  private bodyDone: boolean;
  /** 'drain' is listened to from the first write the stream buffers: most bodies never wait. */
  private drainHooked = false;
  private error: unknown = null;

  constructor(
    private readonly user: H2UpstreamUser,
    pool: H2SessionPool,
    target: TargetState,
  ) {
    const service = user.route!.service;
    this.req = user.req;
    this.bodyDone = user.upgrade || requestBodyKind(user.req) === BODY_NONE;
    const opened = pool.request(requestHeaders(user, target), service.connectTimeout, this.bodyDone);
    this.stream = opened.stream;
    this.session = opened.session;
    const s = this.stream as http2.ClientHttp2Stream & Tagged;
    s[kUp] = this;
    s.setTimeout(this.bodyDone ? service.readTimeout : service.writeTimeout);
    // On a connected session the stream opens at once ('ready' already fired); else on connect.
    if (s.pending) s.once('ready', onReady);
    else this.startBody();
    s.on('response', onResponse);
    s.on('data', onData);
    s.on('trailers', onTrailers);
    s.on('end', onEnd);
    s.on('timeout', onTimeout);
    s.on('error', onError);
    s.on('close', onClose);
  }

  /** pauseForClient: the client is behind; stop reading the upstream until it drains. */
  pauseForClient(): void {
    this.stream.pause();
    this.stream.setTimeout(0);
  }

  resume(): void {
    this.stream.setTimeout(this.user.route!.service.readTimeout);
    this.stream.resume();
  }

  /** destroy cancels the stream (the client left, or the try failed); the session lives on. */
  destroy(): void {
    this.detachBody();
    if (!this.stream.destroyed) this.stream.close(NGHTTP2_CANCEL);
  }

  startBody(): void {
    if (this.bodyDone) return;
    (this.req as Tagged)[kUp] = this;
    this.req.on('data', onBodyData as (chunk: Buffer) => void);
    this.req.on('end', onBodyEnd as () => void);
    this.req.resume();
  }

  bodyData(chunk: Buffer): void {
    this.user.bytesIn += chunk.length;
    if (this.stream.write(chunk)) return;
    this.req.pause();
    if (!this.drainHooked) {
      this.drainHooked = true;
      this.stream.on('drain', onUpstreamDrain);
    }
  }

  bodyEnd(): void {
    this.bodyDone = true;
    this.detachBody();
    this.stream.end();
    // The write timeout ran until now; the read timeout runs from here. When they are equal (Kong's
    // defaults), the armed timer already measures the same idle time: re-arming would cost a new timer.
    const service = this.user.route!.service;
    if (service.readTimeout !== service.writeTimeout) this.stream.setTimeout(service.readTimeout);
  }

  upstreamDrained(): void {
    if (!this.bodyDone) this.req.resume();
  }

  response(headers: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader, flags: number): void {
    this.user.onResponseHead(Number(headers[':status']), toFlat(headers));
    // A Trailers-Only answer (a gRPC error): HEADERS with END_STREAM, no body, no trailers.
    if ((flags & NGHTTP2_FLAG_END_STREAM) !== 0) this.finish();
    else if (!this.ended && !this.stream.destroyed) this.user.onReadEnd();
  }

  data(chunk: Buffer): void {
    this.user.onResponseBody(chunk);
  }

  trailers(trailers: http2.IncomingHttpHeaders): void {
    const res = this.user.res as DownstreamResponse & { addTrailers?: (t: OutgoingHttpHeaders) => void };
    if (typeof res.addTrailers !== 'function') return;
    const out: OutgoingHttpHeaders = {};
    for (const name of Object.keys(trailers)) if (name.charCodeAt(0) !== 58 /* : */ && !isHopByHopHeader(name)) out[name] = trailers[name];
    res.addTrailers(out);
  }

  finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.detachBody();
    this.user.onResponseEnd(null, true);
  }

  failed(err: unknown): void {
    this.error ??= err;
  }

  closed(): void {
    if (this.ended) return;
    this.ended = true;
    this.detachBody();
    const cause = this.error ?? new Error(`upstream reset the stream (code ${this.stream.rstCode})`);
    this.user.onConnectionError(streamError(cause, this.stream, this.session));
  }

  timedOut(): void {
    if (!this.ended) this.user.onTimeout();
  }

  private detachBody(): void {
    if ((this.req as Tagged)[kUp] !== this) return;
    (this.req as Tagged)[kUp] = undefined;
    this.req.off('data', onBodyData as (chunk: Buffer) => void);
    this.req.off('end', onBodyEnd as () => void);
  }
}

/**
 * requestHeaders: the upstream request's header block. Pseudo-headers from the route's path and
 * the upstream host; end-to-end client headers as the HTTP/1.1 path copies them, plus
 * `te: trailers`, which gRPC requires and HTTP/2 allows (RFC 9113 s8.2.2); X-Forwarded-*.
 */
export function requestHeaders(src: H2UpstreamUser, target: TargetState): OutgoingHttpHeaders {
  const service = src.route!.service;
  const out: OutgoingHttpHeaders = {
    ':method': src.method,
    ':path': src.query === '' ? src.upstreamPath : src.upstreamPath + '?' + src.query,
    ':scheme': service.tls ? 'https' : 'http',
    ':authority': upstreamHost(src, src.route!, target),
  };
  const raw = src.requestHeaders ?? src.req.rawHeaders;
  const extra = connectionListed(src.headers.connection as string | undefined);
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (isDroppedRequestHeader(name, extra)) continue;
    add(out, name.toLowerCase(), raw[i + 1]!);
  }
  if (src.headers.te === 'trailers') out.te = 'trailers';
  const length = src.headers['content-length'];
  if (length !== undefined && src.headers['transfer-encoding'] === undefined) out['content-length'] = length;
  // The same X-Forwarded-*, Via and trace headers the HTTP/1.1 path writes (request-head.ts).
  const lines = forwardingHeaders(src.clientIp, src.headers, src.trustedPeer, src.tls, src.host, src.req.socket.localPort ?? 0, src.path) + traceHeaders(src);
  // Walked in place rather than split: no array of line strings per request.
  for (let start = 0, end = lines.indexOf('\r\n'); end > 0; start = end + 2, end = lines.indexOf('\r\n', start)) {
    const colon = lines.indexOf(': ', start);
    if (colon > start && colon < end) out[lines.slice(start, colon).toLowerCase()] = lines.slice(colon + 2, end);
  }
  return out;
}

function add(out: OutgoingHttpHeaders, name: string, value: string): void {
  const prev = out[name];
  if (prev === undefined) out[name] = value;
  else if (Array.isArray(prev)) prev.push(value);
  else out[name] = [String(prev), value];
}

/** toFlat: an HTTP/2 response header block as the engine's flat [name, value, ...] list. */
export function toFlat(headers: http2.IncomingHttpHeaders): string[] {
  const flat: string[] = [];
  for (const name of Object.keys(headers)) {
    if (name.charCodeAt(0) === 58 /* : */) continue;
    const value = headers[name];
    if (Array.isArray(value)) for (const v of value) flat.push(name, v);
    else if (value !== undefined) flat.push(name, value);
  }
  return flat;
}

type Owned = { [kUp]?: H2UpstreamStream };

function onReady(this: Owned): void {
  this[kUp]?.startBody();
}
function onResponse(this: Owned, headers: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader, flags: number): void {
  this[kUp]?.response(headers, flags);
}
function onData(this: Owned, chunk: Buffer): void {
  this[kUp]?.data(chunk);
}
function onTrailers(this: Owned, trailers: http2.IncomingHttpHeaders): void {
  this[kUp]?.trailers(trailers);
}
function onEnd(this: Owned): void {
  this[kUp]?.finish();
}
function onUpstreamDrain(this: Owned): void {
  this[kUp]?.upstreamDrained();
}
function onTimeout(this: Owned): void {
  this[kUp]?.timedOut();
}
function onError(this: Owned, err: unknown): void {
  this[kUp]?.failed(err);
}
function onClose(this: Owned): void {
  this[kUp]?.closed();
}
function onBodyData(this: Owned, chunk: Buffer): void {
  this[kUp]?.bodyData(chunk);
}
function onBodyEnd(this: Owned): void {
  this[kUp]?.bodyEnd();
}
