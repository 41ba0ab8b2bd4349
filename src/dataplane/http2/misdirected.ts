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
