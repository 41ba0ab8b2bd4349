import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Logger } from '../../lib/log.js';
import type { TargetState } from './target.js';

/** lookup as node's net.connect does it (getaddrinfo: /etc/hosts, then DNS); rejects when it cannot. */
export type HostLookup = (host: string) => Promise<unknown>;

export interface DnsTimings {
  /** After a name resolved (Kong refreshes by the record's TTL; cluster DNS uses 30 s). */
  readonly okMs: number;
  /** After a "no such name" (Kong's dns_not_found_ttl, 30 s). */
  readonly notFoundMs: number;
  /** After any other failure, a timeout or a refused query (Kong's dns_error_ttl, 1 s). */
  readonly errorMs: number;
}

export const KONG_DNS_TIMINGS: DnsTimings = { okMs: 30_000, notFoundMs: 30_000, errorMs: 1_000 };

const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NONAME', 'EAI_NODATA']);

/**
 * TargetResolver: looks up the host names among one upstream's targets, now and then again, and
 * marks a target whose name does not resolve as DNS_ERROR (TargetState.dnsError): it takes no
 * traffic until a later lookup succeeds, as Kong's balancer does. Targets given by IP address
 * (every EndpointSlice target) are never looked up. Connections still dial the name (node looks
 * it up again then); this only decides whether the target is offered traffic and what operators
 * see in /upstreams/{u}/health and the dashboard.
 */
export class TargetResolver {
  /** Per host name: the timer of its next lookup, or null while a lookup is under way. */
  private readonly timers = new Map<string, NodeJS.Timeout | null>();
  private stopped = false;

  constructor(
    private readonly targets: () => readonly TargetState[],
    /** A target's DNS state flipped: its balancer must be updated. */
    private readonly onChange: (target: TargetState) => void,
    private readonly log: Logger,
    private readonly timings: DnsTimings = KONG_DNS_TIMINGS,
    private readonly resolve: HostLookup = (host) => lookup(host),
  ) {}

  /** sync starts lookups for host names not seen before and forgets those that left (call after each reload). */
  sync(): void {
    if (this.stopped) return;
    const names = new Set<string>();
    for (const t of this.targets()) if (isIP(t.host) === 0) names.add(t.host);
    for (const [name, timer] of this.timers) {
      if (names.has(name)) continue;
      if (timer !== null) clearTimeout(timer);
      this.timers.delete(name);
    }
    for (const name of names) if (!this.timers.has(name)) void this.check(name);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) if (timer !== null) clearTimeout(timer);
    this.timers.clear();
  }

  private async check(name: string): Promise<void> {
    this.timers.set(name, null);
    let failure: NodeJS.ErrnoException | null = null;
    try {
      await this.resolve(name);
    } catch (err) {
      failure = err as NodeJS.ErrnoException;
    }
    if (this.stopped || !this.timers.has(name)) return;
    for (const t of this.targets()) {
      if (t.host !== name || t.dnsError === (failure !== null)) continue;
      t.dnsError = failure !== null;
      this.log.warn(
        { upstream: t.upstream, target: t.address, dnsError: t.dnsError, reason: failure?.code ?? failure?.message },
        failure !== null ? 'target name does not resolve: no traffic until it does' : 'target name resolves again',
      );
      this.onChange(t);
    }
    const next = failure === null ? this.timings.okMs : NOT_FOUND.has(failure.code ?? '') ? this.timings.notFoundMs : this.timings.errorMs;
    this.timers.set(name, setTimeout(() => void this.check(name), next).unref());
  }
}
