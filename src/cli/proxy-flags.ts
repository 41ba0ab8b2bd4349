import { InvalidArgumentError, Option, type Command } from 'commander';

/** ProxyFlagValues: the proxy engine's shutdown and connection-cap flags (commander camel-cases them). */
export interface ProxyFlagValues {
  shutdownDelay?: number;
  maxConnections?: number;
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
    .addOption(countOption('--max-connections', 'open client connections the proxy accepts at most (0 = no limit); more are refused', 'BERTH_MAX_CONNECTIONS', 0));
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
export function proxyOptionsFrom(opts: ProxyFlagValues): { shutdownDelayMs: number; maxConnections: number } {
  return { shutdownDelayMs: opts.shutdownDelay ?? 5000, maxConnections: opts.maxConnections ?? 0 };
}
