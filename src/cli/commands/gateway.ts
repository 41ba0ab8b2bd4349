import { InvalidArgumentError, type Command } from 'commander';
import { ConfigLoadError, loadConfigFile } from '../../config/load.js';
import { Gateway, type GatewayOptions } from '../../dataplane/gateway.js';
import { loadSessionSecrets } from '../../dataplane/sticky/token.js';
import { createLogger, type Logger } from '../../lib/log.js';
import { addAdminTokenFlags, loadAdminToken, type AdminTokenFlags } from '../admin-token.js';
import { parseWorkers, workerCount } from '../../dataplane/workers/cpus.js';
import { WorkerGroup } from '../../dataplane/workers/primary.js';
import { parseListen, valueOption } from '../flags.js';
import { parseListenerBinding } from '../listener-flags.js';
import { accessLogTarget, addObservabilityFlags, observabilityOptionsFrom, type ObservabilityFlagValues } from '../observability-flags.js';
import { addProxyFlags, proxyOptionsFrom, type ProxyFlagValues } from '../proxy-flags.js';
import { onReopenSignal } from '../../dataplane/access-log/reopen-signal.js';
import { onShutdown } from '../shutdown.js';

/** GatewayFlagValues: what addGatewayFlags parses (commander camel-cases the names). */
export interface GatewayFlagValues extends AdminTokenFlags, ObservabilityFlagValues, ProxyFlagValues {
  proxyListen?: string;
  proxyListenTls?: string;
  adminListen?: string;
  /** Only `berth gateway` has --config; in `berth run` the controller owns the configuration. */
  config?: string;
  logLevel?: string;
  sessionSecret?: string;
  sessionSecretFile?: string;
  shutdownTimeout?: string;
  workers?: number | 'auto';
  gatewayListeners?: string;
}

/** addGatewayFlags adds the data plane's flags (each also from its BERTH_* environment variable). */
export function addGatewayFlags(cmd: Command): Command {
  return addProxyFlags(addObservabilityFlags(addAdminTokenFlags(cmd, 'require')
    .addOption(valueOption('--proxy-listen', 'proxy listen address host:port', 'BERTH_PROXY_LISTEN', '0.0.0.0:8000'))
    .addOption(valueOption('--proxy-listen-tls', 'HTTPS proxy listen address host:port (certificates from the config)', 'BERTH_PROXY_LISTEN_TLS'))
    .addOption(valueOption('--admin-listen', 'admin API listen address host:port', 'BERTH_ADMIN_LISTEN', '127.0.0.1:8001'))
    .addOption(valueOption('--log-level', 'log level (trace, debug, info, warn, error, silent)', 'BERTH_LOG_LEVEL', 'info'))
    .addOption(valueOption('--session-secret', 'sticky session secrets, comma-separated; the first signs', 'BERTH_SESSION_SECRET'))
    .addOption(valueOption('--session-secret-file', 'file with one sticky session secret per line', 'BERTH_SESSION_SECRET_FILE'))
    .addOption(valueOption('--shutdown-timeout', 'ms to let in-flight requests finish on SIGTERM', 'BERTH_SHUTDOWN_TIMEOUT', '10000'))
    .addOption(valueOption('--gateway-listeners', 'sockets for Gateway listeners: auto, off, LISTENER=HOST:PORT (comma list; LISTENER is 80 or ns/name:80)', 'BERTH_GATEWAY_LISTENERS'))
    .addOption(
      valueOption('--workers', 'proxy processes: N, or auto = the CPUs this process may use (cgroup quota honoured)', 'BERTH_WORKERS', 'auto')
        .argParser(workersArg),
    )));
}

function workersArg(value: string): number | 'auto' {
  try {
    return parseWorkers(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** gatewayOptionsFrom turns parsed flags into GatewayOptions; warns when the keyring was generated. */
export function gatewayOptionsFrom(opts: GatewayFlagValues, log: Logger): GatewayOptions {
  const { keyring, warning } = loadSessionSecrets({ secret: opts.sessionSecret, secretFile: opts.sessionSecretFile });
  if (warning !== undefined) log.warn(warning);
  const shutdown = Number(opts.shutdownTimeout ?? 10_000);
  const proxyListen = parseListen(opts.proxyListen ?? '0.0.0.0:8000');
  const proxyListenTls = opts.proxyListenTls ? parseListen(opts.proxyListenTls) : undefined;
  const shutdownTimeoutMs = Number.isFinite(shutdown) && shutdown >= 0 ? shutdown : 10_000;
  const count = workerCount(opts.workers ?? 'auto');
  const { accessLog, accessLogFormat, trustedIps, otlpEndpoint, traceSampleRatio } = opts;
  const observability = { accessLog, accessLogFormat, trustedIps: trustedIps?.cidrs, otlpEndpoint, traceSampleRatio };
  const proxy = proxyOptionsFrom(opts);
  // The connection cap is for the whole proxy: each worker takes its share.
  const workerProxy = { ...proxy, maxConnections: Math.ceil(proxy.maxConnections / count) };
  const worker = { proxyListen, proxyListenTls, shutdownTimeoutMs, logLevel: opts.logLevel ?? 'info', observability, gatewayListeners: opts.gatewayListeners, ...workerProxy };
  const own = observabilityOptionsFrom(opts, log);
  // Workers' lines to stdout go through the primary, its only writer (workers/stdout-relay.ts).
  const stdoutAccessLog = accessLogTarget(opts) === 'stdout' ? own.accessLog?.sink ?? null : null;
  return {
    group: count > 1 ? new WorkerGroup({ count, keyring, log, worker, stdoutAccessLog }) : undefined,
    proxyListen,
    proxyListenTls,
    listenerBinding: opts.gatewayListeners === undefined ? undefined : parseListenerBinding(opts.gatewayListeners, proxyListen.host),
    adminListen: opts.adminListen ? parseListen(opts.adminListen) : undefined,
    keyring,
    log,
    adminToken: loadAdminToken(opts),
    shutdownTimeoutMs,
    ...own,
    ...proxy,
  };
}

/** registerGatewayCommand adds `berth gateway`: the data plane alone, configured by file or POST /config. */
export function registerGatewayCommand(program: Command): void {
  const cmd = program
    .command('gateway')
    .description('run the HTTP gateway (data plane) with a declarative config')
    .addOption(valueOption('--config', 'declarative config file (YAML or JSON, Kong format)', 'BERTH_CONFIG'));
  addGatewayFlags(cmd).action(async (flags: GatewayFlagValues) => runGateway(flags));
}

async function runGateway(flags: GatewayFlagValues): Promise<void> {
  const log = createLogger(flags.logLevel ?? 'info');
  const gateway = new Gateway(gatewayOptionsFrom(flags, log));
  if (flags.config) applyFile(gateway, flags.config);
  onReopenSignal(log, () => gateway.reopenAccessLog());
  await gateway.start();
  onShutdown(log, async (signal) => {
    await gateway.drain(signal);
    await gateway.stop();
  });
}

/** applyFile loads the start-up config; an invalid file stops start-up with a readable message. */
function applyFile(gateway: Gateway, path: string): void {
  try {
    const result = gateway.apply(loadConfigFile(path));
    if (!result.ok) throw new ConfigLoadError(`${path}: ${result.error.message}`);
  } catch (err) {
    if (err instanceof ConfigLoadError) {
      process.stderr.write(`berth: invalid configuration\n${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
