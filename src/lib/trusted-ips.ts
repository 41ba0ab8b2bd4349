import { BlockList, isIP } from 'node:net';

/**
 * TrustedIps: Kong's `trusted_ips`, a list of CIDRs (or single addresses), IPv4 and IPv6. A peer
 * inside one of them may send X-Forwarded-* / Forwarded headers that berth keeps and extends.
 * node's BlockList matches an IPv4-mapped IPv6 peer (`::ffff:10.0.0.1`, what a dual-stack
 * listener reports) against IPv4 ranges too.
 */
export class TrustedIps {
  private readonly list = new BlockList();
  /** False when nothing is trusted: the per-request check is then one field read. */
  readonly any: boolean;

  constructor(readonly cidrs: readonly string[]) {
    for (const cidr of cidrs) addCidr(this.list, cidr);
    this.any = cidrs.length > 0;
  }

  /** trusts: `ip` is a socket's remoteAddress (always a valid address, or empty when closed). */
  trusts(ip: string): boolean {
    if (!this.any || ip === '') return false;
    return this.list.check(ip, ip.includes(':') ? 'ipv6' : 'ipv4');
  }
}

/** NO_TRUSTED_IPS: the default, as today: every incoming X-Forwarded-* is replaced. */
export const NO_TRUSTED_IPS = new TrustedIps([]);

/** parseTrustedIps parses a comma list; throws a readable Error naming the bad entry. */
export function parseTrustedIps(value: string | readonly string[]): TrustedIps {
  const entries = (typeof value === 'string' ? value.split(',') : value).map((s) => s.trim()).filter((s) => s !== '');
  return new TrustedIps(entries);
}

function addCidr(list: BlockList, cidr: string): void {
  const slash = cidr.indexOf('/');
  const address = slash < 0 ? cidr : cidr.slice(0, slash);
  const family = isIP(address);
  if (family === 0) throw new Error(`invalid trusted IP "${cidr}": not an IPv4 or IPv6 address`);
  const max = family === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : cidr.slice(slash + 1);
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max)) throw new Error(`invalid trusted IP "${cidr}": prefix must be 0..${max}`);
  list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
}
