/**
 * Syntax checks the API server would make through the Gateway API / Ingress CRD schemas, done
 * again here because objects may come from a folder of manifests: a value that fails them is
 * reported on its object instead of reaching the config, where the gateway would reject the
 * whole config over it.
 */

/** TOKEN: an RFC 7230 token (header names, cookie names, query parameter names). */
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
/** HOSTNAME: Gateway API's hostname pattern (lowercase labels, optional leading `*.`). */
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** PATH: Gateway API's path characters (RFC 3986 pchar and `/`). */
const PATH = /^\/(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})*$/;

export function isToken(s: unknown): s is string {
  return typeof s === 'string' && TOKEN.test(s);
}

/** isHostname: a DNS name, `*.`-wildcard allowed only when `wildcard`. */
export function isHostname(s: unknown, wildcard = true): s is string {
  return typeof s === 'string' && s.length <= 253 && HOSTNAME.test(s) && (wildcard || !s.startsWith('*'));
}

/** isPath: an absolute path without `//`, dot segments, `?` or `#`. */
export function isPath(s: unknown): s is string {
  return typeof s === 'string' && PATH.test(s) && !/\/\/|\/\.\.?(\/|$)/.test(s);
}

/** regexProblem: why a regex (as the gateway compiles it) is unusable, or undefined. */
export function regexProblem(source: string, flags = ''): string | undefined {
  try {
    new RegExp(source, flags);
    return undefined;
  } catch (err) {
    return `regex ${JSON.stringify(source)} does not compile: ${(err as Error).message}`;
  }
}
