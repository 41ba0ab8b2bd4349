import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

const kLastResponse = Symbol('berth.lastResponse');
const kErrored = Symbol('berth.clientErrored');
type Tagged = Duplex & { [kLastResponse]?: ServerResponse; [kErrored]?: boolean };

/** How long a connection that sent garbage may take to read our answer and close its side. */
const LINGER_MS = 5000;

/** trackResponse remembers the latest response on a connection (one property write per request). */
export function trackResponse(socket: Duplex, res: ServerResponse): void {
  (socket as Tagged)[kLastResponse] = res;
}

/**
 * idleKeepAlive: the connection's last answer is complete and promised to keep it open, and no
 * request followed. A connection that has not sent its first request yet is not idle: its client
 * is about to, and closing it would reset that request.
 */
export function idleKeepAlive(socket: Duplex): boolean {
  const last = (socket as Tagged)[kLastResponse];
  return last !== undefined && last.writableFinished && last.shouldKeepAlive;
}

/**
 * onClientError: node's parser rejected bytes from a client ('clientError'). Node's default
 * answers 400 and destroys the socket at once, which throws away the answer to an earlier, valid
 * request on the same connection that is still in flight (the backend ran it, the client never
 * saw it). Here an answer in flight finishes first and the connection then closes; otherwise the
 * client gets 400 / 431 / 408 and a FIN, and its unread bytes are drained rather than reset.
 */
export function onClientError(this: unknown, err: NodeJS.ErrnoException, socket: Duplex): void {
  const s = socket as Tagged;
  if (s[kErrored] === true) return; // node reports every later read of the same connection too
  s[kErrored] = true;
  const inFlight = s[kLastResponse];
  // The bad bytes are the framing of the last request's own body (node reports some after the
  // head, e.g. a Transfer-Encoding without chunked): that request can never complete.
  if (inFlight !== undefined && !inFlight.req.complete && !inFlight.writableFinished) return void socket.destroy();
  if (inFlight !== undefined && !inFlight.writableFinished && !inFlight.destroyed) {
    if (!inFlight.headersSent) inFlight.shouldKeepAlive = false;
    inFlight.once('finish', endAfterAnswer);
    inFlight.once('close', destroySocket);
    return;
  }
  if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
  socket.end(errorAnswer(err.code));
  linger(socket);
}

function endAfterAnswer(this: ServerResponse): void {
  const socket = this.socket;
  if (socket === null || socket.destroyed) return;
  if (socket.writable) socket.end();
  linger(socket);
}

function destroySocket(this: ServerResponse): void {
  const socket = this.socket;
  if (socket !== null && !socket.writable) linger(socket);
}

/** linger keeps reading (and dropping) until the client closes, so our last bytes are not reset. */
function linger(socket: Duplex): void {
  socket.on('end', destroySelf);
  socket.resume();
  setTimeout(destroy, LINGER_MS, socket).unref();
}

function destroySelf(this: Duplex): void {
  this.destroy();
}

function destroy(socket: Duplex): void {
  socket.destroy();
}

function errorAnswer(code: string | undefined): string {
  const [status, reason, message] =
    code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large', 'Request header or cookie too large']
      : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request Timeout', 'Request timeout']
        : [400, 'Bad Request', 'Bad request'];
  const body = JSON.stringify({ message }) + '\n';
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
}
