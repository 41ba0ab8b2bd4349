import type net from 'node:net';

/** The client connection preface of HTTP/2 with prior knowledge (RFC 9113 s3.4). */
export const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/**
 * ClientPreface: the client connection preface (RFC 9113 s3.4) taken off a server connection's
 * first bytes, which may come in pieces.
 */
export class ClientPreface {
  private held: Buffer | null = null;
  /** The whole preface came: every later byte is frames. */
  done = false;

  /** take: the bytes after the preface once it came whole; null while it is incomplete; false when they are not the preface. */
  take(chunk: Buffer): Buffer | null | false {
    const buf = this.held === null ? chunk : Buffer.concat([this.held, chunk]);
    this.held = null;
    if (buf.length < H2_PREFACE.length) {
      this.held = buf;
      return null;
    }
    if (!buf.subarray(0, H2_PREFACE.length).equals(H2_PREFACE)) return false;
    this.done = true;
    return buf.subarray(H2_PREFACE.length);
  }
}

/** How long a new connection may stay silent before we know which protocol it speaks. */
export const SNIFF_TIMEOUT_MS = 60_000;

/**
 * prefaceVerdict: 'h2' when `head` starts with the whole preface, 'http1' as soon as it departs
 * from it, 'more' while it is a strict prefix of it (a client may send the preface in pieces).
 */
export function prefaceVerdict(head: Buffer): 'h2' | 'http1' | 'more' {
  const n = head.length < H2_PREFACE.length ? head.length : H2_PREFACE.length;
  for (let i = 0; i < n; i++) if (head[i] !== H2_PREFACE[i]) return 'http1';
  return n === H2_PREFACE.length ? 'h2' : 'more';
}

/**
 * sniffProtocol reads the first bytes of a plain connection, puts them back, and calls `decide`
 * once with the protocol, so HTTP/1.1 and h2c with prior knowledge share one port (as HAProxy's
 * `proto h2` detection and Envoy's codec auto-detection do). A connection that closes or stays
 * silent before deciding is dropped (readFirstBytes).
 */
export function sniffProtocol(socket: net.Socket, decide: (socket: net.Socket, h2: boolean) => void): void {
  let verdict: ReturnType<typeof prefaceVerdict> = 'more';
  readFirstBytes(socket, (head) => (verdict = prefaceVerdict(head)) !== 'more', SNIFF_TIMEOUT_MS, () => decide(socket, verdict === 'h2'));
}

/**
 * readFirstBytes reads a new connection until `enough` says the bytes so far are, puts them back
 * and calls `next`. A connection that has not sent enough within `timeoutMs` of its accept, or
 * closes first, is dropped: a deadline, not an idle timer, so a client trickling a byte at a time
 * cannot hold the socket past it. Closing includes a client's FIN alone: the listeners allow
 * half-open sockets (listeners.ts), so nothing else would close berth's side, and each TCP probe
 * that connects and closes (wrk's address check, a load balancer's or kubelet's tcpSocket check)
 * left a socket in CLOSE-WAIT until the timeout, which also held a shutdown that long.
 */
export function readFirstBytes(socket: net.Socket, enough: (head: Buffer) => boolean, timeoutMs: number, next: () => void): void {
  let buffered: Buffer | null = null;
  const onReadable = (): void => {
    let chunk: Buffer | null;
    while ((chunk = socket.read() as Buffer | null) !== null) buffered = buffered === null ? chunk : Buffer.concat([buffered, chunk]);
    if (buffered === null || !enough(buffered)) return;
    socket.off('readable', onReadable);
    clearTimeout(deadline);
    socket.off('end', drop);
    socket.off('close', stopDeadline);
    socket.unshift(buffered);
    next();
  };
  // What came before the FIN (if anything) was not enough to hand the connection on.
  const drop = (): void => void socket.destroy();
  const stopDeadline = (): void => clearTimeout(deadline);
  const deadline = setTimeout(drop, timeoutMs);
  socket.on('readable', onReadable);
  socket.once('end', drop);
  socket.once('close', stopDeadline);
  // A connection reset meanwhile must not surface as an unhandled 'error'.
  socket.on('error', () => socket.destroy());
}
