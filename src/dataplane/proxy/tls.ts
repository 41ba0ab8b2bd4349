import tls from 'node:tls';
import type { CertificateConfig } from '../../config/types.js';

/**
 * TlsContexts: the config's certificates by SNI, built once per config (contexts are reused
 * across reloads when cert and key are unchanged). Lookup: exact name, then `*.` wildcard of the
 * parent domain, then the default (the first certificate).
 */
export interface TlsContexts {
  readonly exact: ReadonlyMap<string, tls.SecureContext>;
  readonly wildcard: ReadonlyMap<string, tls.SecureContext>;
  readonly fallback: tls.SecureContext | null;
  /** PEM of the default certificate, for connections without SNI (server.setSecureContext). */
  readonly fallbackPem: { cert: string; key: string } | null;
  /** Contexts by cert+key, so the next build can reuse them. */
  readonly cache: ReadonlyMap<string, tls.SecureContext>;
}

export const NO_TLS: TlsContexts = { exact: new Map(), wildcard: new Map(), fallback: null, fallbackPem: null, cache: new Map() };

/** buildTlsContexts throws when a certificate or key cannot be loaded (apply reports it). */
export function buildTlsContexts(certs: readonly CertificateConfig[] | undefined, prev: TlsContexts): TlsContexts {
  const exact = new Map<string, tls.SecureContext>();
  const wildcard = new Map<string, tls.SecureContext>();
  const cache = new Map<string, tls.SecureContext>();
  let fallback: tls.SecureContext | null = null;
  for (const cert of certs ?? []) {
    const cacheKey = cert.cert + '\u0000' + cert.key;
    const ctx = prev.cache.get(cacheKey) ?? cache.get(cacheKey) ?? tls.createSecureContext({ cert: cert.cert, key: cert.key });
    cache.set(cacheKey, ctx);
    fallback ??= ctx;
    for (const sni of cert.snis ?? []) {
      const name = (typeof sni === 'string' ? sni : sni.name).toLowerCase();
      if (name.startsWith('*.')) setOnce(wildcard, name.slice(2), ctx);
      else setOnce(exact, name, ctx);
    }
  }
  const first = certs?.[0];
  return { exact, wildcard, fallback, fallbackPem: first ? { cert: first.cert, key: first.key } : null, cache };
}

function setOnce(map: Map<string, tls.SecureContext>, key: string, ctx: tls.SecureContext): void {
  if (!map.has(key)) map.set(key, ctx);
}

/** selectContext: the context for a client's SNI name. */
export function selectContext(contexts: TlsContexts, servername: string): tls.SecureContext | null {
  const name = servername.toLowerCase();
  const exact = contexts.exact.get(name);
  if (exact !== undefined) return exact;
  const dot = name.indexOf('.');
  if (dot > 0) {
    const wild = contexts.wildcard.get(name.slice(dot + 1));
    if (wild !== undefined) return wild;
  }
  return contexts.fallback;
}
