import { fileURLToPath } from 'node:url';
import type { ListenAddress } from '../server.js';

/** WorkerSettings: a worker's flags, passed by the primary in its environment (no secrets: keys go over IPC). */
export interface WorkerSettings {
  proxyListen: ListenAddress;
  proxyListenTls?: ListenAddress;
  shutdownTimeoutMs: number;
  /** --shutdown-delay: a worker told SIGTERM directly drains as the primary does. */
  shutdownDelayMs?: number;
  /** This worker's share of --max-connections (0 = no limit). */
  maxConnections?: number;
  /** --http2-engine. */
  http2Engine?: 'node' | 'berth';
  /** --upstream-keepalive-* (each worker keeps its own pools). */
  upstreamKeepalive?: { poolSize: number; maxRequests: number; idleTimeoutMs: number };
  logLevel: string;
  /** --gateway-listeners as given (cli/listener-flags.ts); each worker serves those sockets too. */
  gatewayListeners?: string;
  /** The access log, trusted proxies and tracing flags, as given (each worker opens its own). */
  observability: {
    accessLog?: string;
    accessLogFormat?: 'json' | 'combined';
    trustedIps?: readonly string[];
    otlpEndpoint?: string;
    traceSampleRatio?: number;
  };
}

export const WORKER_SETTINGS_ENV = 'BERTH_WORKER_SETTINGS';

/** The script node:cluster runs in each worker: src/cli/worker.ts (.js once built). */
export const WORKER_ENTRY = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../../cli/worker.ts' : '../../cli/worker.js', import.meta.url));

/** workerSettingsFrom reads what the primary put in the environment; throws a readable error otherwise. */
export function workerSettingsFrom(env: NodeJS.ProcessEnv): WorkerSettings {
  const raw = env[WORKER_SETTINGS_ENV];
  if (raw === undefined) throw new Error(`${WORKER_SETTINGS_ENV} is not set: a worker is started by \`berth gateway|run --workers N\``);
  return JSON.parse(raw) as WorkerSettings;
}
