import { selectListener, type ListenerHostnames } from '../router/listener-hostnames.js';
import { selectContext, type TlsContexts } from '../proxy/tls.js';

/**
 * isMisdirected: a request on a TLS connection that the connection was not set up for (RFC 9110
 * s15.5.20: answered 421, and the client retries on a new connection). Browsers reuse an HTTP/2
 * connection for every name its certificate covers (RFC 9113 s9.1.1), so a request is refused
 * when its host selects another Gateway HTTPS listener than the connection's SNI did, or would be
 * served with another certificate. A host no listener takes is left to routing (404). `host` is
 * the lowercased host without port.
 */
export function isMisdirected(contexts: TlsContexts, listeners: ListenerHostnames, servername: string | undefined, host: string): boolean {
  if (host === '') return false;
  const sni = servername === undefined || servername === '' ? null : servername.toLowerCase();
  if (sni === host) return false;
  if (!listeners.trivial && sni !== null) {
    const hostListener = selectListener(listeners, host);
    if (hostListener !== null && hostListener !== selectListener(listeners, sni)) return true;
  }
  if (contexts.fallback === null) return false;
  const chosen = sni === null ? contexts.fallback : selectContext(contexts, sni);
  return selectContext(contexts, host) !== chosen;
}

export const MISDIRECTED_BODY = JSON.stringify({ message: 'misdirected request: this connection cannot serve that host' }) + '\n';
