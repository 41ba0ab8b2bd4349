import { networkInterfaces } from 'node:os';
import { Command, Option } from 'commander';
import { Controller } from '../../controlplane/controller.js';
import { GatewayConfigSink } from '../../controlplane/gateway-sink.js';
import { MemoryStatusSink } from '../../controlplane/memory-status.js';
import type { StatusSink } from '../../controlplane/sinks.js';
import { createFolderSource } from '../../controlplane/sources/folder.js';
import type { ObjectSource } from '../../controlplane/sources/source.js';
import { IncrementalTranslator } from '../../controlplane/translator/index.js';
import type { TranslateOptions } from '../../controlplane/types.js';
import { Gateway } from '../../dataplane/gateway.js';
import { createLogger, type Logger } from '../../lib/log.js';
import { addControllerFlags, kubeconfigFrom, translateOptionsFrom, type ControllerFlagValues } from '../controller-flags.js';
import { addGatewayFlags, gatewayOptionsFrom, type GatewayFlagValues } from './gateway.js';
import { parseListen } from '../flags.js';
import { onReopenSignal } from '../../dataplane/access-log/reopen-signal.js';
import { onShutdown } from '../shutdown.js';

type RunFlags = ControllerFlagValues & GatewayFlagValues & { manifests?: string };

/**
 * registerRunCommand adds `berth run`: the controller and the gateway in one process. With
 * --manifests DIR the objects come from a folder and statuses are served on the admin API;
 * otherwise from the cluster (kubeconfig, KUBECONFIG or in-cluster) with statuses written back.
 */
export function registerRunCommand(program: Command): void {
  const cmd = program
    .command('run')
    .description('run the ingress controller and the gateway in one process')
    .addOption(new Option('--manifests <dir>', 'read Kubernetes manifests from a folder instead of a cluster').env('BERTH_MANIFESTS'));
  addControllerFlags(addGatewayFlags(cmd)).action(async (flags: RunFlags) => run(flags));
}

async function run(flags: RunFlags): Promise<void> {
  const log = createLogger(flags.logLevel ?? 'info');
  // A folder of manifests has no cluster to give Gateways addresses: their listener ports are
  // served on the proxy host unless --gateway-listeners says otherwise.
  const gateway = new Gateway(gatewayOptionsFrom({ ...flags, gatewayListeners: flags.gatewayListeners ?? (flags.manifests ? 'auto' : undefined) }, log));
  const { source, statusSink } = await sourceAndStatus(flags, gateway, log);
  const controller = new Controller({
    source,
    translator: new IncrementalTranslator(runTranslateOptions(flags)),
    configSinks: [new GatewayConfigSink(gateway)],
    statusSink,
    log,
    // The folder source already coalesces file events; a second wait would only add latency.
    debounceMs: flags.manifests ? 1 : undefined,
  });
  onReopenSignal(log, () => gateway.reopenAccessLog());
  // Listeners first: a slow or unreachable API server must not keep the admin API (health) down.
  await gateway.start();
  await controller.start();
  log.info({ proxy: gateway.proxyAddress(), admin: gateway.adminAddress(), mode: flags.manifests ? 'manifests' : 'kubernetes' }, 'berth is running');
  onShutdown(log, async (signal) => {
    // The controller keeps the config current while the gateway still answers (the delay).
    await gateway.drain(signal);
    await controller.stop();
    await gateway.stop();
  });
}

/**
 * runTranslateOptions: a folder of manifests has no cluster to give Gateways an address, so unless
 * --publish-* says otherwise they report the proxy's listen host (127.0.0.1 for a wildcard host);
 * and the proxy runs on this host, so a Gateway's static address must be one of its interfaces'.
 */
function runTranslateOptions(flags: RunFlags): TranslateOptions {
  const opts = translateOptionsFrom(flags);
  if (!flags.manifests) return opts;
  const host = parseListen(flags.proxyListen ?? '0.0.0.0:8000').host;
  return { ...opts, defaultStatusAddresses: [host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host], bindableAddresses: hostAddresses() };
}

/**
 * hostAddresses: what a socket on this host can bind: each interface's address, and the whole of
 * a loopback interface's range (Linux answers every 127.0.0.0/8 address on lo).
 */
function hostAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) out.push(a.internal && a.family === 'IPv4' && a.cidr !== null ? a.cidr : a.address);
  }
  return out;
}

/**
 * sourceAndStatus: the objects come from the folder or the cluster; statuses and events are always
 * kept in memory for the admin API (GET /kubernetes/status|events, the dashboard) and, from a
 * cluster, also written back to it.
 */
async function sourceAndStatus(flags: RunFlags, gateway: Gateway, log: Logger): Promise<{ source: ObjectSource; statusSink: StatusSink }> {
  const memory = new MemoryStatusSink();
  memory.register(gateway);
  if (flags.manifests) return { source: createFolderSource(flags.manifests, log), statusSink: memory };
  // Loaded only in cluster mode: @kubernetes/client-node costs ~80 MB of RSS.
  const [{ createKubeSource, loadKubeConfig }, { KubeStatusSink }] = await Promise.all([
    import('../../controlplane/sources/kube.js'), import('../../controlplane/status/kube-status.js'),
  ]);
  const kubeconfig = loadKubeConfig(kubeconfigFrom(flags));
  const source = createKubeSource({ kubeconfig, namespaces: flags.watchNamespace ?? [], log });
  const cluster = new KubeStatusSink({ kubeconfig, log, source });
  return {
    source,
    statusSink: { publish: async (result) => void (await Promise.all([memory.publish(result), cluster.publish(result)])) },
  };
}

