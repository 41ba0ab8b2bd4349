import type { IncomingHttpHeaders } from 'node:http';
import type { StickyOutcome } from '../balancers/balancer.js';
import type { RequestTrace } from '../tracing/tracing.js';
import type { ProxyErrorCode } from './errors.js';

/** Protocol of the client side of a finished request; `ws` is any upgraded tunnel. */
export type ClientProtocol = 'http/1.0' | 'http/1.1' | 'h2' | 'ws';

/**
 * FinishedRequest: the read-only view an observer gets of one finished request or tunnel. It is
 * the engine's own per-request object seen through this interface (no copy is made), so read it
 * during the call and copy what you keep.
 */
export interface FinishedRequest {
  /** Epoch milliseconds when the request head was received. */
  readonly startTime: number;
  readonly clientAddress: string;
  readonly method: string;
  /** Lowercased Host without the port ('' when absent). */
  readonly host: string;
  /** Normalized request path, without the query string. */
  readonly path: string;
  readonly protocol: ClientProtocol;
  /** Status sent to the client (101 for a tunnel); 0 when the client left before any answer. */
  readonly status: number;
  /** Body bytes received from the client (a tunnel: every byte the client sent after its head). */
  readonly bytesIn: number;
  /** Body bytes sent to the client (a tunnel: every byte the upstream sent after its 101). */
  readonly bytesOut: number;
  /** Milliseconds from the request head to the last byte of the answer (a tunnel: to its close). */
  readonly totalLatencyMs: number;
  /** Milliseconds from the last try's dial to its response head; -1 when no upstream answered. */
  readonly upstreamLatencyMs: number;
  readonly routeName: string | null;
  readonly serviceName: string | null;
  readonly upstreamName: string | null;
  /** host:port of the last target tried, or null when none was picked. */
  readonly targetAddress: string | null;
  /** The last target's identity (pod UID from the EndpointSlice, else its address). */
  readonly targetIdentity: string | null;
  /** What the sticky layer did for the last pick ('none': not a sticky upstream, or no pick). */
  readonly sticky: StickyOutcome | 'none';
  /** Tries after the first (retries on other targets and stale keep-alive connections). */
  readonly retries: number;
  /** Set when the proxy answered itself (no route, no peer, timeouts, bad upstream, ...). */
  readonly errorCode: ProxyErrorCode | null;
  /** The client's request headers (user-agent, referer, x-forwarded-for for the access log). */
  readonly headers: IncomingHttpHeaders;
  /** The peer is in --trusted-ips (its X-Forwarded-For chain is believed). */
  readonly trustedPeer: boolean;
  /** The request's W3C trace (its span is ended by the observer that exports it). */
  readonly trace: RequestTrace | null;
}

/**
 * RequestObserver: called once per finished request or tunnel (access log, tracing). With no
 * observer installed the engine skips the call entirely. It must not throw (a throw is caught and
 * logged, costing only the observation).
 */
export interface RequestObserver {
  onRequestEnd(request: FinishedRequest): void;
}

/** combineObservers: one observer that calls each of `observers` in order. */
export function combineObservers(observers: readonly RequestObserver[]): RequestObserver | null {
  if (observers.length === 0) return null;
  if (observers.length === 1) return observers[0]!;
  const list = observers.slice();
  return {
    onRequestEnd(request: FinishedRequest): void {
      for (const o of list) o.onRequestEnd(request);
    },
  };
}
