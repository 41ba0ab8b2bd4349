// Raw-socket test peers: a backend that records the exact bytes each connection received and
// answers with a script, and a client that sends exact bytes and reads until close or a deadline.
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** RawBackend: `received[i]` is every byte connection i sent us, as latin1. */
export interface RawBackend {
  readonly address: string;
  readonly received: string[];
  readonly sockets: net.Socket[];
  close(): Promise<void>;
}

/**
 * startRawBackend listens on host:0; `answer(socket, soFar, index)` runs after each read with
 * everything that connection sent so far.
 */
export async function startRawBackend(host: string, answer: (socket: net.Socket, soFar: string, index: number) => void): Promise<RawBackend> {
  const received: string[] = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    const index = received.push('') - 1;
    sockets.push(socket);
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      received[index] += chunk.toString('latin1');
      answer(socket, received[index]!, index);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
  return {
    address: `${host}:${(server.address() as AddressInfo).port}`,
    received,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** RawClient: an open client connection whose bytes read and close are recorded as they come. */
export interface RawClient {
  readonly socket: net.Socket;
  /** Everything read so far, as latin1. */
  readonly text: string;
  readonly closed: boolean;
}

/** openRawClient connects to `addr` and resolves once the connection is up (rejects if it fails). */
export function openRawClient(addr: { host: string; port: number }): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(addr.port, addr.host);
    const client = { socket, text: '', closed: false };
    socket.on('data', (d: Buffer) => (client.text += d.toString('latin1')));
    socket.on('close', () => (client.closed = true));
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {}); // 'close' follows and is what the tests read
      resolve(client);
    });
  });
}

/** RawReply: what the client read, and whether the server closed (else the deadline hit). */
export interface RawReply {
  text: string;
  closed: boolean;
  error: string | null;
}

/**
 * rawRequest writes `bytes` (string pieces are written one by one, `gapMs` apart) and reads until
 * the connection closes, `until` matches what arrived, or `timeoutMs` passes.
 */
export function rawRequest(
  addr: { host: string; port: number },
  bytes: string | string[],
  opts: { timeoutMs?: number; until?: RegExp; gapMs?: number; reset?: boolean; halfClose?: boolean } = {},
): Promise<RawReply> {
  const pieces = typeof bytes === 'string' ? [bytes] : bytes;
  return new Promise((resolve) => {
    const socket = net.connect(addr.port, addr.host);
    const reply: RawReply = { text: '', closed: false, error: null };
    const done = (): void => {
      clearTimeout(timer);
      // reset: leave with a TCP RST (a client that vanished), not a half-close the server may answer.
      if (opts.reset === true && !socket.destroyed) socket.resetAndDestroy();
      else socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(done, opts.timeoutMs ?? 3000);
    socket.on('data', (d: Buffer) => {
      reply.text += d.toString('latin1');
      if (opts.until?.test(reply.text)) done();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => (reply.error = err.code ?? err.message));
    socket.on('close', () => {
      reply.closed = true;
      done();
    });
    socket.on('connect', () => {
      let i = 0;
      const next = (): void => {
        if (i >= pieces.length || socket.destroyed) return;
        socket.write(pieces[i++]!, 'latin1');
        if (i < pieces.length) setTimeout(next, opts.gapMs ?? 20);
        else if (opts.halfClose === true) socket.end(); // the client is done sending (`printf | nc`)
      };
      next();
    });
  });
}
