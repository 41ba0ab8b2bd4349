import { createServer, type Server } from 'node:http';
import type { Command } from 'commander';
import type { KubeConfig } from '@kubernetes/client-node';
import { Controller } from '../../controlplane/controller.js';
import { IncrementalTranslator } from '../../controlplane/translator/index.js';
import { createLogger, type Logger } from '../../lib/log.js';
import { addControllerFlags, kubeconfigFrom, translateOptionsFrom, type ControllerFlagValues } from '../controller-flags.js';
import { addAdminTokenFlags, loadAdminToken, type AdminTokenFlags } from '../admin-token.js';
import { listOption, parseListen, valueOption } from '../flags.js';
import { onShutdown } from '../shutdown.js';

interface ControllerCommandFlags extends ControllerFlagValues, AdminTokenFlags {
  gatewayAdminUrl?: string[];
  gatewayAdminService?: string;
  electionId: string;
  electionNamespace?: string;
  healthListen: string;
  logLevel: string;
}

/** registerControllerCommand adds `berth controller`: split mode, pushing config to `berth gateway` replicas. */
export function registerControllerCommand(program: Command): void {
  const cmd = program
    .command('controller')
    .description('run the ingress controller alone; it pushes config to `berth gateway` replicas (split mode)')
    .addOption(listOption('--gateway-admin-url', 'gateway admin API URLs (comma list)', 'CONTROLLER_GATEWAY_ADMIN_URL'))
    .addOption(valueOption('--gateway-admin-service', 'namespace/name of the Service whose EndpointSlices list the gateways (port "admin")',
      'CONTROLLER_GATEWAY_ADMIN_SERVICE'))
    .addOption(valueOption('--election-id', 'name of the Lease used to elect the single writing replica',
      'CONTROLLER_ELECTION_ID', 'berth-controller-leader'))
    .addOption(valueOption('--election-namespace', 'namespace of that Lease (default: POD_NAMESPACE, else the kubeconfig namespace)',
      'CONTROLLER_ELECTION_NAMESPACE'))
    .addOption(valueOption('--health-listen', 'address of /healthz and /readyz', 'CONTROLLER_HEALTH_LISTEN', '0.0.0.0:10254'))
    .addOption(valueOption('--log-level', 'log level (trace, debug, info, warn, error, silent)', 'BERTH_LOG_LEVEL', 'info'));
  addControllerFlags(addAdminTokenFlags(cmd, 'send')).action(async (flags: ControllerCommandFlags) => runController(flags));
}

async function runController(flags: ControllerCommandFlags): Promise<void> {
  const log = createLogger(flags.logLevel);
  if (!flags.gatewayAdminUrl?.length && !flags.gatewayAdminService) {
    throw new Error('berth controller needs --gateway-admin-url or --gateway-admin-service');
  }
  const { elector, pusher, controller, source, namespace } = await wireController(flags, log);
  const health = await serveHealth(parseListen(flags.healthListen), () => source.synced, log);
  elector.start();
  pusher.start();
  await controller.start();
  log.info({ identity: elector.identity, lease: `${namespace}/${flags.electionId}` }, 'berth controller is running');
  onShutdown(log, async () => {
    await elector.stop();
    await pusher.stop();
    await controller.stop();
    health.close();
  });
}

/** wireController builds the controller's parts from the flags: the Lease, the watch, the pushes, the statuses. */
async function wireController(flags: ControllerCommandFlags, log: Logger) {
  // Loaded here, not at the top: @kubernetes/client-node costs ~80 MB of RSS in every other
  // command (`berth gateway` and its --workers processes), which never talk to an API server.
  const [{ LeaderElector, leaderOnlyStatusSink }, { GatewayPusher, parseAdminService }, { createKubeSource, loadKubeConfig }, { KubeStatusSink }] =
    await Promise.all([
      import('../../controlplane/lease.js'), import('../../controlplane/pusher.js'),
      import('../../controlplane/sources/kube.js'), import('../../controlplane/status/kube-status.js'),
    ]);
  const kc = loadKubeConfig(kubeconfigFrom(flags));
  const namespace = flags.electionNamespace || process.env.POD_NAMESPACE || contextNamespace(kc);
  const elector = new LeaderElector({ kubeconfig: kc, namespace, name: flags.electionId, identity: process.env.POD_NAME, log });
  const source = createKubeSource({ kubeconfig: kc, namespaces: flags.watchNamespace ?? [], log });
  const isLeader = (): boolean => elector.isLeader;
  const pusher = new GatewayPusher({
    urls: flags.gatewayAdminUrl,
    service: flags.gatewayAdminService ? parseAdminService(flags.gatewayAdminService, namespace) : undefined,
    kubeconfig: kc, log, active: isLeader, token: loadAdminToken(flags),
  });
  const controller = new Controller({
    source,
    translator: new IncrementalTranslator(translateOptionsFrom(flags)),
    configSinks: [pusher],
    statusSink: leaderOnlyStatusSink(new KubeStatusSink({ kubeconfig: kc, log, source }), isLeader),
    log,
  });
  // A new leader re-translates at once; before the first full sync that would push an empty config.
  elector.onChange((leader) => {
    if (leader && source.synced) void controller.sync();
  });
  return { elector, pusher, controller, source, namespace };
}

function contextNamespace(kc: KubeConfig): string {
  return kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
}

/** serveHealth answers /healthz (the process is up) and /readyz (the first full view is loaded). */
function serveHealth(listen: { host: string; port: number }, ready: () => boolean, log: Logger): Promise<Server> {
  const server = createServer((req, res) => {
    const ok = req.url === '/healthz' || (req.url === '/readyz' && ready());
    res.writeHead(ok ? 200 : req.url === '/readyz' ? 503 : 404, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'not ready');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      log.info({ health: server.address() }, 'health endpoints listening');
      resolve(server);
    });
  });
}

