import type { UpstreamConfig } from '../../config/types.js';
import type { SessionKeyring } from '../sticky/token.js';
import type { Balancer } from './balancer.js';
import { ConsistentHashingBalancer } from './consistent-hashing.js';
import { LatencyBalancer } from './latency.js';
import { LeastConnectionsBalancer } from './least-connections.js';
import { RoundRobinBalancer } from './round-robin.js';
import { StickyBalancer, stickyOptionsFrom } from './sticky.js';
import { UnresolvedShareBalancer } from './unresolved-share.js';

/** BalancerDeps: what policies may not reach for globally (secrets, clock, randomness). */
export interface BalancerDeps {
  keyring: SessionKeyring;
  now: () => number;
  random: () => number;
}

/**
 * createBalancer builds the policy an upstream asks for. consistent-hashing with `hash_on: none`
 * is Kong's "weighted round-robin with no hashing"; sticky-sessions wraps round-robin, which is
 * how Kong picks a target for a session that has none yet. An `unresolved_weight` share is
 * taken off the top of every policy (unresolved-share.ts), except that a sticky session already
 * pinned keeps its target: the share splits the picks for sessions that have none (GEP-1619: a
 * session stays where it is, draining included).
 */
export function createBalancer(upstream: UpstreamConfig, deps: BalancerDeps): Balancer {
  const unresolved = upstream.unresolved_weight ?? 0;
  const share = (b: Balancer): Balancer => (unresolved > 0 ? new UnresolvedShareBalancer(b, unresolved) : b);
  if (upstream.algorithm === 'sticky-sessions') return new StickyBalancer(share(new RoundRobinBalancer()), stickyOptionsFrom(upstream), deps);
  return share(createPolicy(upstream, deps));
}

function createPolicy(upstream: UpstreamConfig, deps: BalancerDeps): Balancer {
  switch (upstream.algorithm ?? 'round-robin') {
    case 'consistent-hashing':
      if ((upstream.hash_on ?? 'none') === 'none') return new RoundRobinBalancer();
      return new ConsistentHashingBalancer(upstream, deps.random);
    case 'least-connections':
      return new LeastConnectionsBalancer();
    case 'latency':
      return new LatencyBalancer(deps.now);
    default:
      return new RoundRobinBalancer();
  }
}
