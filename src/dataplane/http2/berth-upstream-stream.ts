import type { OutgoingHttpHeaders } from 'node:http';
import type { DownstreamRequest, DownstreamResponse } from '../proxy/downstream.js';
import { ProxyError } from '../proxy/errors.js';
import { isHopByHopHeader } from '../proxy/headers.js';
import { BODY_NONE, requestBodyKind } from '../proxy/request-body.js';
import type { TargetState } from '../targets/target.js';
import type { BerthH2Pool, BerthUpstreamSession, SessionWaiter } from './berth-session-pool.js';
import type { ClientStream, ClientStreamSink } from './client-stream.js';
import { ErrorCode } from './frames.js';
import { requestHeaders, type H2UpstreamUser } from './upstream-stream.js';

/**
 * BerthUpstreamStream: one try of a request on an HTTP/2 upstream over berth's own client
 * (client-connection.ts), reporting to the Attempt as upstream-stream.ts does for node's http2:
 * the client's body is read only once the session is up (a session that never connects consumed
 * nothing, so another target may be tried), trailers go to the client as trailers, one timer
 * measures the write and then the read timeout.
 */
export class BerthUpstreamStream implements ClientStreamSink, SessionWaiter {
  private readonly stream: ClientStream;
  private readonly session: BerthUpstreamSession;
  private readonly req: DownstreamRequest;
  private ended = false;
  private bodyDone: boolean;
  private bodyAttached = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly onBody = (chunk: Buffer): void => this.bodyData(chunk);
  private readonly onBodyEnd = (): void => this.bodyEnd();

  constructor(
    private readonly user: H2UpstreamUser,
    pool: BerthH2Pool,
    target: TargetState,
  ) {
    const service = user.route!.service;
    this.req = user.req;
    this.bodyDone = user.upgrade || requestBodyKind(user.req) === BODY_NONE;
    const opened = pool.request(toFields(requestHeaders(user, target)), service.connectTimeout, this.bodyDone, this);
    this.stream = opened.stream;
    this.session = opened.session;
    if (!this.ended) this.arm(this.bodyDone ? service.readTimeout : service.writeTimeout);
  }

  sessionReady(): void {
    if (this.bodyDone || this.ended) return;
    this.bodyAttached = true;
    this.req.on('data', this.onBody);
    this.req.on('end', this.onBodyEnd);
    this.req.resume();
  }

  /** pauseForClient: the client is behind; the upstream waits (its stream window stays shut). */
  pauseForClient(): void {
    this.stream.pause();
    this.disarm();
  }

  resume(): void {
    this.arm(this.user.route!.service.readTimeout);
    this.stream.resume();
  }

  /** destroy cancels the stream (the client left, or the try failed); the session lives on. */
  destroy(): void {
    this.ended = true;
    this.detachBody();
    this.disarm();
    this.stream.cancel();
  }

  private bodyData(chunk: Buffer): void {
    this.user.bytesIn += chunk.length;
    this.timer?.refresh();
    if (!this.stream.write(chunk)) this.req.pause();
  }

  private bodyEnd(): void {
    this.bodyDone = true;
    this.detachBody();
    this.stream.end();
    const service = this.user.route!.service;
    if (service.readTimeout !== service.writeTimeout) this.arm(service.readTimeout);
  }

  onDrain(): void {
    if (!this.bodyDone) this.req.resume();
  }

  onHead(status: number, fields: string[], endStream: boolean): void {
    this.timer?.refresh();
    this.user.onResponseHead(status, fields);
    if (!endStream && !this.ended) this.user.onReadEnd();
  }

  onData(chunk: Buffer): void {
    this.timer?.refresh();
    this.user.onResponseBody(chunk);
  }

  onTrailers(fields: string[]): void {
    const res = this.user.res as DownstreamResponse & { addTrailers?: (t: OutgoingHttpHeaders) => void };
    if (typeof res.addTrailers !== 'function') return;
    const out: OutgoingHttpHeaders = {};
    for (let i = 0; i < fields.length; i += 2) if (!isHopByHopHeader(fields[i]!)) out[fields[i]!] = fields[i + 1]!;
    res.addTrailers(out);
  }

  onEnd(): void {
    if (this.ended) return;
    this.ended = true;
    this.detachBody();
    this.disarm();
    this.user.onResponseEnd(null, true);
  }

  onReset(code: ErrorCode, unprocessed: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.detachBody();
    this.disarm();
    this.user.onConnectionError(this.error(code, unprocessed));
  }

  /** error: what failed, and whether another target may take the request (RFC 9113 s8.7). */
  private error(code: ErrorCode, unprocessed: boolean): ProxyError {
    if (this.session.failure !== null) return this.session.failure;
    if (!this.session.ready) return new ProxyError('CONNECT_FAILED', 'upstream HTTP/2 connection failed', true);
    return new ProxyError('UPSTREAM_RESET', `upstream reset the stream (code ${code})`, unprocessed);
  }

  private arm(ms: number): void {
    this.disarm();
    if (ms > 0) this.timer = setTimeout(onTimeout, ms, this);
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  timedOut(): void {
    this.timer = null;
    if (!this.ended) this.user.onTimeout();
  }

  private detachBody(): void {
    if (!this.bodyAttached) return;
    this.bodyAttached = false;
    this.req.off('data', this.onBody);
    this.req.off('end', this.onBodyEnd);
  }
}

function onTimeout(stream: BerthUpstreamStream): void {
  stream.timedOut();
}

/** toFields: a header object (pseudo-headers first, as requestHeaders builds it) as a flat list. */
function toFields(headers: OutgoingHttpHeaders): string[] {
  const fields: string[] = [];
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) fields.push(name, v);
    else fields.push(name, String(value));
  }
  return fields;
}
