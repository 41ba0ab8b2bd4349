import type { UpstreamConfig } from '../../config/types.js';
import type { TargetState } from '../targets/target.js';
import type { Balancer, PickRequest } from './balancer.js';
import { randomToken } from './cookies.js';
import { hashInput, hashSources, type HashSource } from './hash-input.js';
import { KetamaRing, hash32 } from './ketama.js';
import { membershipKey } from './usable.js';

/**
 * ConsistentHashingBalancer: a ketama ring over the targets with weight > 0, keyed by the
 * upstream's hash_on input, then hash_fallback, then "". Hashing on a cookie the client does
 * not send generates one (Kong does the same) and asks the proxy to set it, so the client's
 * next requests hash the same way. The ring ignores health (an unhealthy target's keys go to the
 * next point clockwise while it is down) so health flips do not reshuffle keys.
 */
export class ConsistentHashingBalancer implements Balancer {
  private ring = new KetamaRing([], 10);
  private key = '';
  private readonly primary: HashSource;
  private readonly fallback: HashSource;
  private readonly cookiePath: string;
  private readonly slots: number;

  constructor(
    upstream: UpstreamConfig,
    private readonly random: () => number = Math.random,
  ) {
    ({ primary: this.primary, fallback: this.fallback } = hashSources(upstream));
    this.cookiePath = upstream.hash_on_cookie_path ?? '/';
    this.slots = upstream.slots ?? 10000;
  }

  update(targets: readonly TargetState[]): void {
    const members = targets.filter((t) => t.weight > 0 && !t.removed);
    const key = membershipKey(members, false);
    if (key === this.key) return;
    this.key = key;
    this.ring = new KetamaRing(members, this.slots);
  }

  /** pick: hot path. */
  pick(req: PickRequest, exclude?: ReadonlySet<TargetState>): TargetState | null {
    return this.ring.lookup(hash32(this.hashKey(req)), exclude);
  }

  private hashKey(req: PickRequest): string {
    const value = hashInput(this.primary, req);
    if (value !== undefined) return value;
    if (this.primary.on === 'cookie') return this.newCookie(req);
    return hashInput(this.fallback, req) ?? '';
  }

  private newCookie(req: PickRequest): string {
    const value = randomToken(this.random);
    req.setCookie = `${this.primary.name}=${value}; Path=${this.cookiePath}; HttpOnly; SameSite=Lax${req.tls ? '; Secure' : ''}`;
    return value;
  }
}
