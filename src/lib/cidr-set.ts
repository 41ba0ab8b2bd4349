import { BlockList, isIP } from 'node:net';

/**
 * CidrSet: a set of IPv4 and IPv6 ranges (CIDRs, or single addresses). node's BlockList matches an
 * IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, what a dual-stack listener reports) against IPv4
 * ranges too.
 */
export class CidrSet {
  private readonly list = new BlockList();
  readonly empty: boolean;

  /** Throws a readable Error naming the bad entry; `what` names the entries in it ("trusted IP"). */
  constructor(readonly cidrs: readonly string[], what = 'address') {
    for (const cidr of cidrs) addCidr(this.list, cidr, what);
    this.empty = cidrs.length === 0;
  }

  /** has: `ip` must be a valid address (a socket's remoteAddress is), or '' (never in the set). */
  has(ip: string): boolean {
    if (this.empty || ip === '') return false;
    return this.list.check(ip, ip.includes(':') ? 'ipv6' : 'ipv4');
  }
}

function addCidr(list: BlockList, cidr: string, what: string): void {
  const slash = cidr.indexOf('/');
  const address = slash < 0 ? cidr : cidr.slice(0, slash);
  const family = isIP(address);
  if (family === 0) throw new Error(`invalid ${what} "${cidr}": not an IPv4 or IPv6 address`);
  const max = family === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : cidr.slice(slash + 1);
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max)) throw new Error(`invalid ${what} "${cidr}": prefix must be 0..${max}`);
  list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
}
