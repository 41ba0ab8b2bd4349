import type { IncomingHttpHeaders } from 'node:http';
import type { TargetState } from '../targets/target.js';

/**
 * What a balancer may read about the request being routed, plus the two things it may hand
 * back to the proxy: a Set-Cookie header value and the sticky outcome for metrics. The proxy
 * allocates one per request; balancers never keep a reference to it.
 */
export interface PickRequest {
  readonly method: string;
  /** Request path without the query string. */
  readonly path: string;
  /** Raw query string without '?', or '' */
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  readonly clientIp: string;
  /** The client connection is TLS (sticky cookies then get `Secure`). */
  readonly tls: boolean;
  /** Named captures of the matched route's regex path (for hash_on uri_capture). */
  readonly uriCaptures: Readonly<Record<string, string>> | undefined;
  /** Out: a complete Set-Cookie header value the response must carry. */
  setCookie: string | undefined;
  /** Out: a session header (name, value) the response must carry (header-based persistence). */
  setHeader: [string, string] | undefined;
  /** Out: what the sticky layer did, for metrics. */
  stickyOutcome: StickyOutcome | undefined;
}

export type StickyOutcome = 'kept' | 'new' | 'moved_gone' | 'moved_unhealthy' | 'invalid';

/**
 * Balancer: one load-balancing policy over one upstream's targets. `update` is called with
 * the whole target list whenever membership, weight or health changes, so a policy keeps its
 * own structure current and `pick` never scans every target per request.
 */
export interface Balancer {
  update(targets: readonly TargetState[]): void;
  /**
   * Picks a target for a request, or null when none can take it (the proxy answers 503).
   * `exclude` holds targets this request already failed on (retries).
   */
  pick(req: PickRequest, exclude?: ReadonlySet<TargetState>): TargetState | null;
  /** A proxied request to `target` finished after `latencyMs` (connect + response head). */
  done?(target: TargetState, latencyMs: number): void;
}
