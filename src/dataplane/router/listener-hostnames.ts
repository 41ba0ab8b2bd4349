import { ANY_LISTENER_HOSTNAME, type ListenerConfig } from '../../config/types.js';

/**
 * ListenerHostnames: the hostnames of a set of Gateway listeners (`*` for one without), for
 * telling which listener a request's name selects: the HTTPS listeners the TLS socket serves
 * (http2/misdirected.ts), or the listeners of a route's Gateway port (listener isolation, entry.ts).
 */
export interface ListenerHostnames {
  readonly exact: ReadonlySet<string>;
  /** Wildcard listeners by the suffix they match, with its dot: "*.example.com" -> ".example.com". */
  readonly wildcardSuffixes: ReadonlySet<string>;
  readonly any: boolean;
  /** Fewer than two listeners: a name cannot select another listener than any other name does. */
  readonly trivial: boolean;
}

export const NO_LISTENER_HOSTNAMES: ListenerHostnames = { exact: new Set(), wildcardSuffixes: new Set(), any: false, trivial: true };

export function listenerHostnames(hostnames: Iterable<string>): ListenerHostnames {
  const exact = new Set<string>();
  const wildcardSuffixes = new Set<string>();
  let any = false;
  for (const raw of hostnames) {
    const hostname = raw.toLowerCase();
    if (hostname === ANY_LISTENER_HOSTNAME) any = true;
    else if (hostname.startsWith('*.')) wildcardSuffixes.add(hostname.slice(1));
    else exact.add(hostname);
  }
  const count = exact.size + wildcardSuffixes.size + (any ? 1 : 0);
  return count === 0 ? NO_LISTENER_HOSTNAMES : { exact, wildcardSuffixes, any, trivial: count < 2 };
}

/** httpsListenerHostnames: the hostnames of every HTTPS listener in the config (all on the TLS socket). */
export function httpsListenerHostnames(listeners: readonly ListenerConfig[] | undefined): ListenerHostnames {
  return listenerHostnames((listeners ?? []).flatMap((l) => (l.protocol === 'https' ? l.hostnames ?? [] : [])));
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

/**
 * ListenerIsolation: Gateway API listener isolation for one route (config `listener_isolation`):
 * a request is the route's only when the listener its host selects among the route's Gateway
 * port's listeners is one the route is attached through.
 */
export class ListenerIsolation {
  private readonly hostnames: ListenerHostnames;
  private readonly served: ReadonlySet<string>;

  constructor(config: { served: readonly string[]; other: readonly string[] }) {
    this.hostnames = listenerHostnames([...config.served, ...config.other]);
    this.served = new Set(config.served.map((h) => h.toLowerCase()));
  }

  /** serves: the route may answer `host` (lowercase, no port). A host no listener takes is not refused here. */
  serves(host: string): boolean {
    const selected = selectListener(this.hostnames, host);
    return selected === null || this.served.has(selected);
  }
}
