import type net from 'node:net';
import type { ProxyContext } from '../proxy/context.js';
import type { UpgradeClient } from '../proxy/tunnel.js';
import { foldHeaders } from './incoming-headers.js';
import { dispatch, dispatchUpgrade } from './dispatch.js';
import { errorAnswer } from './error-answer.js';
import type { RequestHead } from './request-head.js';
import { RequestParser, type RequestSink } from './request-parser.js';
import { H1Request, type BodySource } from './request.js';
import { H1Response, type ResponseOwner } from './response.js';

/** What a connection needs from its server (server.ts). */
export interface ConnectionHost {
  readonly ctx: ProxyContext;
  readonly stats: { requests: number };
  /** A drain began: answers carry Connection: close. */
  readonly draining: boolean;
  /** A coarse clock (ms), ticked by the server's sweep: no clock read per request. */
  readonly now: number;
  forget(conn: H1Connection): void;
}

const enum Phase {
  /** Waiting for (or reading) a request head since `since`. */
  Head,
  /** A request is being answered. */
  Busy,
  /** The answer is out; the rest of the request body is read and dropped, active since `since`. */
  Discard,
  /** Between requests, kept alive since `since`. */
  Idle,
  /** No more requests: the last answer is going out, then the connection closes. */
  Closing,
  /** The socket belongs to an upgrade now. */
  Upgraded,
}

/** node's server.headersTimeout and keepAliveTimeout, as berth set them on it. */
export const HEADERS_TIMEOUT_MS = 60_000;
export const KEEP_ALIVE_TIMEOUT_MS = 75_000;
/** How long a closing connection may take to read our last bytes and close its side. */
const LINGER_MS = 5000;
/** Pipelined bytes held while an answer is in flight before the socket stops being read. */
const PENDING_LIMIT = 64 * 1024;

/**
 * H1Connection: one HTTP/1.1 client connection. Requests are parsed (request-parser.ts) and each
 * is answered before the next is read (pipelined bytes wait, as node's server orders answers);
 * keep-alive, HTTP/1.0, half-closed clients, upgrades and refusals behave as they did on node's
 * http.Server, whose place this takes on the proxy listeners. A refused request is answered
 * (400 / 431 / 505 with Connection: close) unless its bytes came while an earlier answer was in
 * flight: then that answer finishes and the connection closes. The connection's listeners are
 * the only closures; requests allocate their two objects and the engine's Attempt.
 */
export class H1Connection implements RequestSink, BodySource, ResponseOwner {
  private readonly parser = new RequestParser(this);
  private req: H1Request | null = null;
  private res: H1Response | null = null;
  private upgradeHead: RequestHead | null = null;
  private pending: Buffer | null = null;
  private phase = Phase.Head;
  private since: number;
  /** Answers completed on this connection. */
  private served = 0;
  private parsing = false;
  private clientEnded = false;
  /** Held requests wait until the client reads what was already answered ('drain'). */
  private awaitingDrain = false;
  private readonly onData = (chunk: Buffer): void => this.read(chunk);

  constructor(
    private readonly host: ConnectionHost,
    readonly socket: net.Socket,
  ) {
    this.since = host.now;
    socket.on('data', this.onData);
    socket.on('end', () => this.clientEnd());
    socket.on('close', () => this.closed());
    socket.on('drain', () => this.drained());
    socket.on('timeout', () => socket.destroy());
    socket.on('error', ignore); // 'close' follows and is what the engine hears
    socket.resume();
  }

  /** idleKeepAlive: answered at least once and waiting for a next request that has not begun. */
  get idleKeepAlive(): boolean {
    return this.phase === Phase.Idle && this.served > 0;
  }

  /** tick: the server's sweep; enforces headersTimeout and keepAliveTimeout. */
  tick(now: number): void {
    if (this.phase === Phase.Head && now - this.since > HEADERS_TIMEOUT_MS) this.refuse(408, false);
    else if (this.phase === Phase.Idle && now - this.since > KEEP_ALIVE_TIMEOUT_MS) this.socket.destroy();
    // A body that stops coming after its answer went out would hold the connection for ever.
    else if (this.phase === Phase.Discard && now - this.since > HEADERS_TIMEOUT_MS) this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    if (this.phase === Phase.Closing || this.phase === Phase.Upgraded) return;
    if (this.parser.done || this.pending !== null) return this.hold(chunk);
    if (this.phase === Phase.Idle) this.beginHead();
    this.safeParse(chunk, false);
  }

  /** safeParse: a bug must cost one connection, never the process (this runs in socket events). */
  private safeParse(buf: Buffer, held: boolean): void {
    try {
      this.parse(buf, held);
    } catch (err) {
      this.host.ctx.log.error({ err }, 'HTTP/1.1 connection failed');
      this.socket.destroy();
    }
  }

  /** hold keeps pipelined bytes until the answer in flight is done. */
  private hold(chunk: Buffer): void {
    this.pending = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.pending.length > PENDING_LIMIT) this.socket.pause();
  }

  private beginHead(): void {
    this.phase = Phase.Head;
    this.since = this.host.now;
  }

  /** parse feeds `buf`; `held`: its bytes came while an earlier answer was in flight. */
  private parse(buf: Buffer, held: boolean): void {
    let pos = 0;
    this.parsing = true;
    try {
      for (;;) {
        const next = this.parser.execute(buf, pos);
        if (next < 0) return this.refused(held);
        if (this.upgradeHead !== null) return this.upgrade(buf.subarray(next));
        pos = next;
        if (!this.parser.done) break;
        if (!this.res!.writableFinished) {
          if (pos < buf.length) this.hold(buf.subarray(pos));
          break;
        }
        if (!this.nextMessage() || pos >= buf.length) break;
        if (this.socket.writableNeedDrain) {
          // Answered ones are not being read: read no more requests until they are (as node's
          // server stops reading a socket whose answers back up).
          this.awaitingDrain = true;
          this.hold(buf.subarray(pos));
          break;
        }
        this.beginHead();
      }
    } finally {
      this.parsing = false;
    }
    if (this.res !== null && this.res.writableFinished && !this.parser.done) this.req!.resume();
    if (this.clientEnded) this.clientEnd();
  }

  onRequestHead(head: RequestHead): void {
    this.phase = Phase.Busy;
    this.host.stats.requests++;
    const req = new H1Request(head, foldHeaders(head.rawHeaders), this.socket, this);
    this.req = req;
    if (head.upgrade) {
      this.upgradeHead = head;
      return;
    }
    const res = new H1Response(this.socket, this, head.httpVersion === '1.1', head.method === 'HEAD', head.keepAlive && !this.host.draining);
    this.res = res;
    dispatch(this.host.ctx, req, res);
  }

  onRequestBody(chunk: Buffer): void {
    if (this.phase === Phase.Discard) this.since = this.host.now;
    this.req!.pushBody(chunk);
  }

  onRequestEnd(): void {
    this.req!.pushEnd();
  }

  pauseBody(): void {
    this.socket.pause();
  }

  resumeBody(): void {
    if (this.pending === null) this.socket.resume();
  }

  clientTimeout(ms: number): void {
    this.socket.setTimeout(ms);
  }

  /** responseDone: an answer ended (H1Response.end); the next request may be read. */
  responseDone(res: H1Response): void {
    if (res !== this.res) return;
    if (this.phase === Phase.Upgraded) return this.closeAfterAnswer();
    if (this.parsing) return; // the parse loop in progress takes it from here
    // The client's body is still coming: nobody reads it now, it is discarded (node's req._dump()).
    if (!this.parser.done) {
      this.phase = Phase.Discard;
      this.since = this.host.now;
      return void this.req!.resume();
    }
    if (this.nextMessage() && this.pending !== null) {
      if (this.socket.writableNeedDrain) this.awaitingDrain = true;
      else process.nextTick(parsePending, this);
    } else if (this.clientEnded) this.clientEnd();
  }

  private drained(): void {
    this.res?.emit('drain');
    if (!this.awaitingDrain) return;
    this.awaitingDrain = false;
    this.parsePending();
  }

  /** nextMessage: the request and its answer are both complete; false when the connection ends. */
  private nextMessage(): boolean {
    const res = this.res!;
    this.req = null;
    this.res = null;
    this.served++;
    if (res.socket.timeout !== undefined && res.socket.timeout > 0) this.socket.setTimeout(0);
    if (!res.keepAlive) {
      this.closeAfterAnswer();
      return false;
    }
    this.parser.reset();
    this.phase = Phase.Idle;
    this.since = this.host.now;
    return true;
  }

  parsePending(): void {
    const buf = this.pending;
    this.pending = null;
    if (buf === null || this.phase !== Phase.Idle) return;
    this.socket.resume();
    this.beginHead();
    this.safeParse(buf, true);
  }

  /** refused: the parser rejected the bytes (parser.error). */
  private refused(held: boolean): void {
    // The bad bytes are the framing of the current request's own body: it can never complete.
    if (this.req !== null && !this.req.complete) return void this.socket.destroy();
    if (held) return this.closeAfterAnswer();
    this.refuse(this.parser.error!.status, true);
  }

  /** refuse answers `status` with Connection: close and closes (nothing is in flight). */
  private refuse(status: number, force: boolean): void {
    if (!force && this.res !== null) return;
    this.phase = Phase.Closing;
    if (this.socket.writable) this.socket.end(errorAnswer(status), 'latin1');
    linger(this.socket);
  }

  private closeAfterAnswer(): void {
    this.phase = Phase.Closing;
    this.pending = null;
    if (this.socket.writable) this.socket.end();
    linger(this.socket);
  }

  /**
   * clientEnd: the client half-closed. What it sent is answered first (as node's server does with
   * httpAllowHalfOpen); a head or body it left unfinished can never complete.
   */
  private clientEnd(): void {
    this.clientEnded = true;
    if (this.phase === Phase.Closing || this.phase === Phase.Upgraded) return;
    if (this.req !== null && !this.req.complete) return void this.socket.destroy();
    if (this.res !== null || this.pending !== null) return; // answered when it is done
    if (this.parser.idle) this.closeAfterAnswer();
    else this.refuse(400, true);
  }

  private upgrade(rest: Buffer): void {
    const head = this.upgradeHead!;
    this.phase = Phase.Upgraded;
    this.socket.off('data', this.onData);
    this.socket.pause();
    // No CONNECT listener on node's server: it dropped the connection; berth tunnels no CONNECT.
    if (head.method === 'CONNECT') return void this.socket.destroy();
    const res = new H1Response(this.socket, this, head.httpVersion === '1.1', false, false);
    this.res = res;
    const client: UpgradeClient = { socket: this.socket, head: rest, response: res };
    dispatchUpgrade(this.host.ctx, this.req!, client);
  }

  private closed(): void {
    this.host.forget(this);
    this.req?.aborted();
    const res = this.res;
    if (res !== null && !res.released) res.emit('close');
  }
}

function parsePending(conn: H1Connection): void {
  conn.parsePending();
}

/** linger keeps reading (and dropping) until the client closes, so our last bytes are not reset. */
function linger(socket: net.Socket): void {
  socket.on('end', destroySelf);
  socket.resume();
  setTimeout(destroy, LINGER_MS, socket).unref();
}

function destroySelf(this: net.Socket): void {
  this.destroy();
}

function destroy(socket: net.Socket): void {
  socket.destroy();
}

function ignore(): void {}
