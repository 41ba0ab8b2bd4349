import { ANY_LISTENER_HOSTNAME, type ListenerConfig } from '../../config/types.js';

/**
 * ListenerHostnames: the hostnames of the Gateway HTTPS listeners the TLS socket serves
 * (config `listeners[].hostnames`), for telling which listener a name selects.
 */
export interface ListenerHostnames {
  readonly exact: ReadonlySet<string>;
  /** Wildcard listeners by the suffix they match, with its dot: "*.example.com" -> ".example.com". */
  readonly wildcardSuffixes: ReadonlySet<string>;
  readonly any: boolean;
  /** Fewer than two listeners: a name cannot select another listener than the SNI did. */
  readonly trivial: boolean;
}

export const NO_LISTENER_HOSTNAMES: ListenerHostnames = { exact: new Set(), wildcardSuffixes: new Set(), any: false, trivial: true };

export function buildListenerHostnames(listeners: readonly ListenerConfig[] | undefined): ListenerHostnames {
  const exact = new Set<string>();
  const wildcardSuffixes = new Set<string>();
  let any = false;
  for (const l of listeners ?? []) {
    if (l.protocol !== 'https') continue;
    for (const raw of l.hostnames ?? []) {
      const hostname = raw.toLowerCase();
      if (hostname === ANY_LISTENER_HOSTNAME) any = true;
      else if (hostname.startsWith('*.')) wildcardSuffixes.add(hostname.slice(1));
      else exact.add(hostname);
    }
  }
  const count = exact.size + wildcardSuffixes.size + (any ? 1 : 0);
  return count === 0 ? NO_LISTENER_HOSTNAMES : { exact, wildcardSuffixes, any, trivial: count < 2 };
}

/**
 * selectListener: the hostname of the listener `name` (lowercase) selects, or null when none
 * takes it. The most specific wins, as Gateway API listeners are matched: the exact name, then the
 * wildcard with the longest suffix ("*.example.com" takes "a.b.example.com" but not
 * "example.com"), then a listener without hostname.
 */
export function selectListener(hostnames: ListenerHostnames, name: string): string | null {
  if (hostnames.exact.has(name)) return name;
  for (let dot = name.indexOf('.'); dot > 0; dot = name.indexOf('.', dot + 1)) {
    const suffix = name.slice(dot);
    if (hostnames.wildcardSuffixes.has(suffix)) return '*' + suffix;
  }
  return hostnames.any ? ANY_LISTENER_HOSTNAME : null;
}
