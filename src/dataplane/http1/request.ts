import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import type net from 'node:net';
import type { DownstreamRequest } from '../proxy/downstream.js';
import type { RequestHead } from './request-head.js';

/** What a request asks of its connection: read the socket or not (body backpressure). */
export interface BodySource {
  pauseBody(): void;
  resumeBody(): void;
}

/** Body bytes held for a reader that has not attached yet; beyond this the socket is paused. */
const HOLD_LIMIT = 64 * 1024;

/**
 * H1Request: one HTTP/1.1 request as the engine reads it (proxy/downstream.ts). Body bytes that
 * arrive before anyone listens (the engine attaches once its upstream connection is ready) are
 * held, as node's IncomingMessage holds them, and flow from the first 'data' listener on, with
 * 'resume' first (plugins/mirror.ts tees from that moment), then 'end' and 'close'. A request
 * nobody reads (answered early) has its body discarded so the connection can go on.
 */
export class H1Request extends EventEmitter implements DownstreamRequest {
  readonly method: string;
  readonly url: string;
  readonly httpVersion: string;
  readonly rawHeaders: string[];
  /** The whole message has arrived. */
  complete = false;
  private flowing = false;
  private held: Buffer[] | null = null;
  private heldBytes = 0;

  constructor(
    head: RequestHead,
    readonly headers: IncomingHttpHeaders,
    readonly socket: net.Socket,
    private readonly source: BodySource,
  ) {
    super();
    this.method = head.method;
    this.url = head.url;
    this.httpVersion = head.httpVersion;
    this.rawHeaders = head.rawHeaders;
  }

  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    super.on(event, listener);
    if (event === 'data' && !this.flowing) this.flow();
    return this;
  }

  pause(): this {
    this.source.pauseBody();
    return this;
  }

  resume(): this {
    // resume() without a reader: nobody wants the body (node's req.resume() discards it too).
    if (!this.flowing) this.flow();
    this.source.resumeBody();
    return this;
  }

  /** pushBody: body bytes from the parser. */
  pushBody(chunk: Buffer): void {
    if (this.flowing) {
      this.emit('data', chunk);
      return;
    }
    (this.held ??= []).push(chunk);
    this.heldBytes += chunk.length;
    if (this.heldBytes > HOLD_LIMIT) this.source.pauseBody();
  }

  /** pushEnd: the message is complete. */
  pushEnd(): void {
    this.complete = true;
    if (this.flowing && this.held === null) finish(this);
  }

  /** aborted: the connection closed before the message was complete. */
  aborted(): void {
    if (!this.complete) this.emit('close');
  }

  private flow(): void {
    this.flowing = true;
    this.emit('resume');
    // Held bytes go out on the next tick: the reader attaching now may attach 'end' right after.
    if (this.held !== null || this.complete) process.nextTick(release, this);
    if (this.heldBytes > HOLD_LIMIT) this.source.resumeBody();
  }

  /** releaseHeld hands the held bytes (and the end) to the reader. */
  releaseHeld(): void {
    const held = this.held;
    this.held = null;
    this.heldBytes = 0;
    if (held !== null) for (const chunk of held) this.emit('data', chunk);
    if (this.complete) finish(this);
  }
}

function release(req: H1Request): void {
  req.releaseHeld();
}

function finish(req: H1Request): void {
  req.emit('end');
  req.emit('close');
}
