import { CidrSet } from './cidr-set.js';

/**
 * TrustedIps: Kong's `trusted_ips`, a list of CIDRs (or single addresses), IPv4 and IPv6. A peer
 * inside one of them may send X-Forwarded-* / Forwarded headers that berth keeps and extends.
 */
export class TrustedIps {
  private readonly set: CidrSet;

  constructor(readonly cidrs: readonly string[]) {
    this.set = new CidrSet(cidrs, 'trusted IP');
  }

  /**
   * trusts: `ip` is a socket's remoteAddress (always a valid address, or empty when closed). With
   * nothing trusted, the per-request check is one field read (CidrSet.has: `empty`).
   */
  trusts(ip: string): boolean {
    return this.set.has(ip);
  }
}

/** NO_TRUSTED_IPS: the default, as today: every incoming X-Forwarded-* is replaced. */
export const NO_TRUSTED_IPS = new TrustedIps([]);

/** parseTrustedIps parses a comma list; throws a readable Error naming the bad entry. */
export function parseTrustedIps(value: string | readonly string[]): TrustedIps {
  const entries = (typeof value === 'string' ? value.split(',') : value).map((s) => s.trim()).filter((s) => s !== '');
  return new TrustedIps(entries);
}
