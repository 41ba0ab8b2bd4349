import { ANY_LISTENER_HOSTNAME, type ListenerConfig } from '../../config/types.js';

/**
 * ListenerHostnames: the hostnames of a set of Gateway listeners (`*` for one without), for
 * telling which listener a request's name selects: the HTTPS listeners the TLS socket serves
 * (http2/misdirected.ts), or the listeners of a route's Gateway port (listener isolation, entry.ts).
 */
export interface ListenerHostnames {
  readonly exact: ReadonlySet<string>;
  /** Wildcard listeners, longest suffix first: "*.example.com" as { suffix: ".example.com", hostname }. */
  readonly wildcards: ReadonlyArray<{ readonly suffix: string; readonly hostname: string }>;
  readonly any: boolean;
  /** No listener, or only one without hostname: every name selects the same (none or that one). */
  readonly trivial: boolean;
}

export const NO_LISTENER_HOSTNAMES: ListenerHostnames = { exact: new Set(), wildcards: [], any: false, trivial: true };

export function listenerHostnames(hostnames: Iterable<string>): ListenerHostnames {
  const exact = new Set<string>();
  const wildcards = new Map<string, { suffix: string; hostname: string }>();
  let any = false;
  for (const raw of hostnames) {
    const hostname = raw.toLowerCase();
    if (hostname === ANY_LISTENER_HOSTNAME) any = true;
    else if (hostname.startsWith('*.')) wildcards.set(hostname, { suffix: hostname.slice(1), hostname });
    else exact.add(hostname);
  }
  const count = exact.size + wildcards.size + (any ? 1 : 0);
  if (count === 0) return NO_LISTENER_HOSTNAMES;
  const longestFirst = [...wildcards.values()].sort((a, b) => b.suffix.length - a.suffix.length);
  return { exact, wildcards: longestFirst, any, trivial: count === 1 && any };
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
  // Compared in place (no substring per label): a Gateway port has a handful of wildcards.
  const wildcards = hostnames.wildcards;
  for (let i = 0; i < wildcards.length; i++) {
    const w = wildcards[i]!;
    if (name.length > w.suffix.length && name.endsWith(w.suffix)) return w.hostname;
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
