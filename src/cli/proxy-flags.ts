import { InvalidArgumentError, Option, type Command } from 'commander';
import { KONG_KEEPALIVE, type KeepaliveSettings } from '../dataplane/proxy/pool.js';
import { DEFAULT_HTTP2_ENGINE, HTTP2_ENGINES, type Http2Engine } from '../dataplane/http2/engine.js';

/** ProxyFlagValues: the proxy engine's shutdown and connection-cap flags (commander camel-cases them). */
export interface ProxyFlagValues {
  shutdownDelay?: number;
  maxConnections?: number;
  upstreamKeepalivePoolSize?: number;
  upstreamKeepaliveMaxRequests?: number;
  upstreamKeepaliveIdleTimeout?: number;
  http2Engine?: Http2Engine;
}

/**
 * addProxyFlags adds --shutdown-delay and --max-connections, each also from its BERTH_* variable.
 * The delay's default suits a Deployment without a preStop hook: on SIGTERM, Kubernetes removes
 * the pod from its endpoints at the same time, and kube-proxy / load balancers take a few seconds
 * to stop sending, so berth keeps answering (readiness failing, `Connection: close`) that long.
 */
export function addProxyFlags(cmd: Command): Command {
  return cmd
    .addOption(
      countOption('--shutdown-delay', 'ms to keep answering after SIGTERM (readiness fails, answers close their connections) before stopping', 'BERTH_SHUTDOWN_DELAY', 5000),
    )
    .addOption(countOption('--max-connections', 'open client connections the proxy accepts at most (0 = no limit); more are refused', 'BERTH_MAX_CONNECTIONS', 0))
    // Kong's kong.conf names and defaults.
    .addOption(countOption('--upstream-keepalive-pool-size', 'idle upstream connections kept per address (0 = no keep-alive)', 'BERTH_UPSTREAM_KEEPALIVE_POOL_SIZE', 512))
    .addOption(countOption('--upstream-keepalive-max-requests', 'requests per upstream connection before it is closed (0 = no limit)', 'BERTH_UPSTREAM_KEEPALIVE_MAX_REQUESTS', 10_000))
    .addOption(countOption('--upstream-keepalive-idle-timeout', 'seconds an idle upstream connection is kept (0 = until the upstream closes it)', 'BERTH_UPSTREAM_KEEPALIVE_IDLE_TIMEOUT', 60))
    .addOption(
      new Option('--http2-engine <engine>', "HTTP/2 implementation for h2 clients: node (node's http2) or berth (berth's own, on net sockets)")
        .env('BERTH_HTTP2_ENGINE')
        .choices(HTTP2_ENGINES)
        .default(DEFAULT_HTTP2_ENGINE),
    );
}

/** A non-negative integer flag with an environment variable and a default. */
function countOption(flag: string, description: string, env: string, defaultValue: number): Option {
  return new Option(`${flag} <n>`, description)
    .env(env)
    .argParser((v: string) => {
      const n = Number(v.trim());
      if (v.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative integer, got "${v}"`);
      return n;
    })
    .default(defaultValue);
}

/** proxyOptionsFrom: the GatewayOptions part these flags decide. */
export function proxyOptionsFrom(opts: ProxyFlagValues): { shutdownDelayMs: number; maxConnections: number; upstreamKeepalive: KeepaliveSettings; http2Engine: Http2Engine } {
  return {
    http2Engine: opts.http2Engine ?? DEFAULT_HTTP2_ENGINE,
    shutdownDelayMs: opts.shutdownDelay ?? 5000,
    maxConnections: opts.maxConnections ?? 0,
    upstreamKeepalive: {
      poolSize: opts.upstreamKeepalivePoolSize ?? KONG_KEEPALIVE.poolSize,
      maxRequests: opts.upstreamKeepaliveMaxRequests ?? KONG_KEEPALIVE.maxRequests,
      idleTimeoutMs: (opts.upstreamKeepaliveIdleTimeout ?? KONG_KEEPALIVE.idleTimeoutMs / 1000) * 1000,
    },
  };
}
