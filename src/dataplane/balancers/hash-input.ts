import type { HashOn, UpstreamConfig } from '../../config/types.js';
import type { PickRequest } from './balancer.js';
import { cookieValue } from './cookies.js';

/** HashSource: one hash input (Kong's hash_on or hash_fallback) with the name it reads. */
export interface HashSource {
  readonly on: HashOn;
  /** Header (lowercased), cookie, query argument or capture name. */
  readonly name: string | undefined;
}

/** hashSources: the upstream's hash_on and hash_fallback as sources. */
export function hashSources(u: UpstreamConfig): { primary: HashSource; fallback: HashSource } {
  const nameFor = (on: HashOn | undefined, primary: boolean): string | undefined => {
    if (on === 'header') return (primary ? u.hash_on_header : u.hash_fallback_header)?.toLowerCase();
    if (on === 'cookie') return u.hash_on_cookie;
    if (on === 'query_arg') return primary ? u.hash_on_query_arg : u.hash_fallback_query_arg;
    if (on === 'uri_capture') return primary ? u.hash_on_uri_capture : u.hash_fallback_uri_capture;
    return undefined;
  };
  return {
    primary: { on: u.hash_on ?? 'none', name: nameFor(u.hash_on, true) },
    fallback: { on: u.hash_fallback ?? 'none', name: nameFor(u.hash_fallback, false) },
  };
}

/**
 * hashInput: the request's value for one source, or undefined when it has none (the caller then
 * tries the fallback). `consumer` is always undefined: berth has no consumers (no auth plugins).
 */
export function hashInput(src: HashSource, req: PickRequest): string | undefined {
  switch (src.on) {
    case 'ip':
      return req.clientIp || undefined;
    case 'path':
      return req.path;
    case 'header':
      return headerValue(req.headers[src.name!]);
    case 'cookie':
      return cookieValue(req.headers.cookie, src.name!);
    case 'query_arg':
      return queryValue(req.query, src.name!);
    case 'uri_capture':
      return req.uriCaptures?.[src.name!] || undefined;
    default:
      return undefined;
  }
}

function headerValue(v: string | string[] | undefined): string | undefined {
  if (v === undefined) return undefined;
  const s = typeof v === 'string' ? v : v.join(',');
  return s === '' ? undefined : s;
}

/** queryValue: every value of one query argument joined by ',' (Kong joins repeated args). */
function queryValue(query: string, name: string): string | undefined {
  if (query === '' || !query.includes(name)) return undefined;
  let out: string | undefined;
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    if (safeDecode(eq < 0 ? part : part.slice(0, eq)) !== name) continue;
    const value = eq < 0 ? '' : safeDecode(part.slice(eq + 1));
    out = out === undefined ? value : `${out},${value}`;
  }
  return out === '' ? undefined : out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
