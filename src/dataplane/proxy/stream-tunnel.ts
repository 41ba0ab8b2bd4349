import { createHash } from 'node:crypto';
import type net from 'node:net';
import type { DownstreamRequest, DownstreamResponse } from './downstream.js';
import { headerValue } from './headers.js';
import type { TunnelOwner } from './tunnel.js';

/** TunnelStream: an HTTP/2 stream as the engine sees it (http2/downstream-stream.ts, http2/server-stream.ts). */
export type TunnelStream = DownstreamRequest & DownstreamResponse & {
  /** sendHead sends the head writeHead set now, not with the first body byte: a tunnel may stay quiet. */
  sendHead(): void;
};

/** RFC 6455 s1.3: the GUID the server appends to the key for its Sec-WebSocket-Accept. */
const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * StreamTunnelClient: the client side of a WebSocket bootstrapped on an HTTP/2 stream (RFC 8441),
 * whose upstream hop is the HTTP/1.1 upgrade http2/websocket-bootstrap.ts made of it. After the
 * upstream's 101 the stream answers 200 (s5) and carries the WebSocket bytes both ways in DATA
 * frames, with each side's flow control holding back the other: the client's END_STREAM becomes
 * the upstream's FIN and the other way round, a reset or an upstream that drops the connection
 * without FIN resets the stream (RFC 8441 s6: the stream's close stands for TCP's).
 */
export class StreamTunnelClient {
  private readonly key: string;

  constructor(readonly stream: TunnelStream) {
    this.key = String(stream.headers['sec-websocket-key']);
  }

  /**
   * accepts: the upstream's 101 carries the Sec-WebSocket-Accept of our key (RFC 6455 s4.2.2), so
   * it read the handshake as a WebSocket server; the client cannot check it (it never saw the key).
   */
  accepts(headers: readonly string[]): boolean {
    const expected = createHash('sha1').update(this.key + WEBSOCKET_GUID).digest('base64');
    return headerValue(headers, 'sec-websocket-accept')?.trim() === expected;
  }

  /** open answers 200 with the 101's end-to-end headers and pipes stream and socket until either ends. */
  open(owner: TunnelOwner, upstream: net.Socket, headers: readonly string[], rest: Buffer, idleMs: number): void {
    const tunnel = new StreamTunnel(owner, this.stream, upstream, idleMs);
    if (this.stream.destroyed) return tunnel.close();
    try {
      this.stream.writeHead(200, answerHeaders(headers));
      this.stream.sendHead();
    } catch {
      return tunnel.close(); // a header the HTTP/2 side refuses (the HTTP/1.1 parser let it through): reset
    }
    tunnel.pipe(rest);
  }
}

/** StreamTunnel: one open WebSocket between an HTTP/2 stream and the upstream's socket. */
class StreamTunnel {
  private open = true;
  private idledOut = false;
  /** The upstream's FIN came and the stream's END_STREAM was sent for it. */
  private sentEnd = false;
  private bytesIn = 0;
  private bytesOut = 0;

  constructor(
    private readonly owner: TunnelOwner,
    private readonly stream: TunnelStream,
    private readonly upstream: net.Socket,
    private readonly idleMs: number,
  ) {}

  /** pipe carries the bytes both ways, `rest` (what came after the 101) first, until either side ends. */
  pipe(rest: Buffer): void {
    const { stream, upstream } = this;
    const sendToClient = forward(upstream, stream);
    const toClient = (chunk: Buffer): void => {
      this.bytesOut += chunk.length;
      sendToClient(chunk);
    };
    if (rest.length > 0) toClient(rest);
    const sendUpstream = forward(stream, upstream);
    stream.on('data', (chunk: Buffer) => {
      this.bytesIn += chunk.length;
      sendUpstream(chunk);
    });
    stream.on('end', () => upstream.end());
    stream.on('close', () => this.close());
    upstream.setTimeout(this.idleMs);
    upstream.on('timeout', () => {
      this.idledOut = true;
      this.close();
    });
    upstream.on('data', toClient);
    upstream.on('end', () => {
      this.sentEnd = true;
      stream.end();
    });
    upstream.on('error', () => this.close());
    upstream.on('close', () => this.upstreamClosed());
  }

  /**
   * upstreamClosed: after the upstream's FIN the stream ends; once that END_STREAM has left, both
   * engines tell a client still sending to stop (RST_STREAM NO_ERROR, RFC 9113 s8.1). A client that
   * does not read what is queued before it is reset at the idle limit (the stream's own timeout).
   */
  private upstreamClosed(): void {
    if (this.sentEnd && !this.stream.destroyed) this.stream.setTimeout(this.idleMs);
    else this.close();
  }

  /** close ends both sides and reports the tunnel's bytes, once. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.upstream.destroy();
    if (!this.stream.destroyed) this.stream.destroy();
    this.owner.tunnelClosed(this.bytesIn, this.bytesOut, this.idledOut);
  }
}

interface Pausable {
  pause(): unknown;
  resume(): unknown;
}

interface Sink {
  write(chunk: Buffer): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/** forward: a writer of `from`'s chunks into `to` that pauses `from` while `to` is behind. */
function forward(from: Pausable, to: Sink): (chunk: Buffer) => void {
  let behind = false;
  const caughtUp = (): void => {
    behind = false;
    from.resume();
  };
  return (chunk) => {
    if (to.write(chunk) || behind) return;
    behind = true;
    from.pause();
    to.once('drain', caughtUp);
  };
}

/** The 101's headers for the 200: Sec-WebSocket-Accept answers the key of the HTTP/1.1 hop only. */
function answerHeaders(headers: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i]!.toLowerCase() !== 'sec-websocket-accept') out.push(headers[i]!, headers[i + 1]!);
  }
  return out;
}
