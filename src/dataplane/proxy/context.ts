import type { Logger } from '../../lib/log.js';
import type { TrustedIps } from '../../lib/trusted-ips.js';
import type { Tracing } from '../tracing/tracing.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import type { Runtime } from '../runtime.js';
import type { RequestObserver } from './observer.js';
import type { PoolSet } from './pool.js';
import type { H2Upstreams } from '../http2/engine.js';

/**
 * ProxyContext: what every request reads. `runtime` is replaced by one assignment on reload; a
 * request reads it once when it starts, so it finishes on the config it started with.
 */
export interface ProxyContext {
  runtime: Runtime;
  readonly metrics: GatewayMetrics;
  readonly pools: PoolSet;
  /** HTTP/2 session pools for services with protocol grpc/grpcs (the --http2-engine's client). */
  readonly h2Pools: H2Upstreams;
  readonly log: Logger;
  /** Told about every finished request and tunnel; null = nobody asked (the call is skipped). */
  observer: RequestObserver | null;
  /** Peers whose X-Forwarded-* / Forwarded headers are believed (--trusted-ips). */
  readonly trustedIps: TrustedIps;
  /** W3C trace context and span export; begins a request's trace only when it takes part in one. */
  readonly tracing: Tracing;
}
