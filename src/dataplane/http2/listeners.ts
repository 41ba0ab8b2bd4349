import type { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { readFirstBytes, sniffProtocol } from './preface.js';

/**
 * H2Acceptor: an HTTP/2 front end the listeners hand connections to: node's http2 (front-end.ts)
 * or berth's own (berth-front-end.ts), as --http2-engine selects.
 */
export interface H2Acceptor {
  accept(socket: net.Socket | tls.TLSSocket): void;
  /** GOAWAY to every client; streams in flight finish (RFC 9113 s6.8). */
  shutdown(): void;
  /** Cut whatever is still open at the shutdown deadline. */
  destroyAll(): void;
}

/**
 * plainListener: one TCP port for HTTP/1.1 and h2c with prior knowledge (RFC 9113 s3.3). Each
 * connection is sniffed for the HTTP/2 preface and handed to the HTTP/1.1 server or the HTTP/2
 * front end; neither of them listens itself. (h2c via `Upgrade: h2c` is not offered: RFC 9113
 * deprecates it and gRPC clients use prior knowledge.)
 */
export function plainListener(h1: EventEmitter, h2: H2Acceptor): net.Server {
  const decide = (socket: net.Socket, isH2: boolean): void => {
    if (isH2) h2.accept(socket);
    else h1.emit('connection', socket);
  };
  // allowHalfOpen as node's http server sets it on its own listener (httpAllowHalfOpen relies on it).
  return net.createServer({ noDelay: true, allowHalfOpen: true }, (socket) => sniffProtocol(socket, decide));
}

/**
 * How long a TLS connection may take from its first byte to the end of its handshake (node's own
 * default is 120 s), and may stay silent before that first byte. A real handshake takes
 * milliseconds to a second.
 */
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** TlsListener: the TCP port's listener, and the TLS server its connections are handed to. */
export interface TlsListener {
  readonly listener: net.Server;
  readonly tls: tls.Server;
}

/**
 * tlsListener: the TLS port offers ALPN h2 and http/1.1 (RFC 7301) and hands each connection to
 * the front end its client chose; clients without ALPN speak HTTP/1.1. A plain listener accepts
 * the connections and gives them to the TLS server once their ClientHello's record came whole:
 * node's TLS server shows no socket before the handshake, so on a listener that allows half-open
 * sockets a client that connects and closes before or during its ClientHello (a tcpSocket probe,
 * a scanner) was only closed by the handshake timeout; readFirstBytes closes it at once.
 */
export function tlsListener(h1: EventEmitter, h2: H2Acceptor, sni: tls.TlsOptions['SNICallback'],
  handshakeTimeout = TLS_HANDSHAKE_TIMEOUT_MS): TlsListener {
  const server = tls.createServer({ noDelay: true, allowHalfOpen: true, ALPNProtocols: ['h2', 'http/1.1'], SNICallback: sni, handshakeTimeout });
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    if (socket.alpnProtocol === 'h2') h2.accept(socket);
    else h1.emit('connection', socket);
  });
  // A failed handshake costs that connection only.
  server.on('tlsClientError', (_err, socket) => socket.destroy());
  // The TLS server takes over a socket whose first record was read and put back (node's TLSSocket
  // feeds what the socket had buffered to the handshake).
  const listener = net.createServer({ noDelay: true, allowHalfOpen: true }, (socket) =>
    readFirstBytes(socket, firstRecordComplete, handshakeTimeout, () => server.emit('connection', socket)));
  return { listener, tls: server };
}

/** The largest record a TLS peer may send (RFC 8446 s5.1: 2^14 bytes of plaintext). */
const MAX_RECORD = 16_384;

/**
 * firstRecordComplete: the connection's first TLS record (its ClientHello) came whole (RFC 8446
 * s5.1: type, version, a 16-bit length, then the fragment). Node's TLS server acts on a client's
 * FIN neither before nor during the handshake, so a client that sends part of a ClientHello and
 * closes was held for the handshake timeout; waiting for the whole record here lets readFirstBytes
 * close it at once. Bytes that are not a handshake record, or announce more than a record may
 * hold, go to the TLS server at once, which refuses them.
 */
export function firstRecordComplete(head: Buffer): boolean {
  if (head[0] !== 0x16 /* handshake */) return true;
  if (head.length < 5) return false;
  const length = head.readUInt16BE(3);
  return length > MAX_RECORD || head.length >= 5 + length;
}
