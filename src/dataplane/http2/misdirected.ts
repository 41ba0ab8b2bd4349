import { selectListener, type ListenerHostnames } from '../router/listener-hostnames.js';
import { selectContext, type TlsContexts } from '../proxy/tls.js';

/**
 * isMisdirected: a request on a TLS connection that the connection was not set up for (RFC 9110
 * s15.5.20: answered 421, and the client retries on a new connection). Browsers reuse an HTTP/2
 * connection for every name its certificate covers (RFC 9113 s9.1.1). With Gateway HTTPS
 * listeners, a request is refused when its host selects another listener than the connection's
 * SNI did; one whose host no listener takes is left to routing, which answers 404
 * (apis/v1/gateway_types.go, Listener.Hostname). Without them, when its host would be served with
 * another certificate. `host` is the lowercased host without port; a trailing dot (an absolute
 * name, which a client leaves out of its SNI) is not part of the comparison.
 */
export function isMisdirected(contexts: TlsContexts, listeners: ListenerHostnames, servername: string | undefined, rawHost: string): boolean {
  const host = rawHost.endsWith('.') ? rawHost.slice(0, -1) : rawHost;
  if (host === '') return false;
  const sni = servername === undefined || servername === '' ? null : servername.toLowerCase();
  if (sni === host) return false;
  if (!listeners.trivial && sni !== null) {
    const hostListener = selectListener(listeners, host);
    return hostListener !== null && hostListener !== selectListener(listeners, sni);
  }
  if (contexts.fallback === null) return false;
  const chosen = sni === null ? contexts.fallback : selectContext(contexts, sni);
  return selectContext(contexts, host) !== chosen;
}

export const MISDIRECTED_BODY = JSON.stringify({ message: 'misdirected request: this connection cannot serve that host' }) + '\n';
