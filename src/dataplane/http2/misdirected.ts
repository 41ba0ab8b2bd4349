import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { hostWithoutPort } from '../proxy/headers.js';
import { selectContext, type TlsContexts } from '../proxy/tls.js';

/**
 * isMisdirected: a request on a TLS connection whose host would select another certificate than
 * the one the connection was set up with (its SNI). Browsers reuse an HTTP/2 connection for every
 * name its certificate covers (RFC 9113 s9.1.1), so a name served with another certificate must
 * be refused with 421 and the client retries on a new connection (RFC 9110 s15.5.20). `host` is
 * the lowercased host without port.
 */
export function isMisdirected(contexts: TlsContexts, servername: string | undefined, host: string): boolean {
  if (host === '' || contexts.fallback === null) return false;
  const sni = servername === undefined || servername === '' ? null : servername.toLowerCase();
  if (sni === host) return false;
  const chosen = sni === null ? contexts.fallback : selectContext(contexts, sni);
  return selectContext(contexts, host) !== chosen;
}

export const MISDIRECTED_BODY = JSON.stringify({ message: 'misdirected request: this connection cannot serve that host' }) + '\n';

/**
 * rejectMisdirected answers 421 to an HTTP/1.1 request over TLS whose Host belongs to another
 * certificate than the connection's SNI; returns true when it did.
 */
export function rejectMisdirected(contexts: TlsContexts, req: IncomingMessage, res: ServerResponse): boolean {
  const socket = req.socket as TLSSocket;
  if (socket.encrypted !== true || !isMisdirected(contexts, typeof socket.servername === 'string' ? socket.servername : undefined, hostWithoutPort(req.headers.host))) return false;
  res.writeHead(421, ['Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(Buffer.byteLength(MISDIRECTED_BODY))]);
  res.end(MISDIRECTED_BODY);
  return true;
}
