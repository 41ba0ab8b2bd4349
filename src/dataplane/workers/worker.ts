import cluster from 'node:cluster';
import type { Logger } from '../../lib/log.js';
import { Gateway, type GatewayOptions } from '../gateway.js';
import { SessionKeyring } from '../sticky/token.js';
import type { TargetCounters } from '../targets/counters.js';
import type { TargetState } from '../targets/target.js';
import { onReopenSignal } from '../access-log/reopen-signal.js';
import type { GroupMember } from './member.js';
import { isMessage, type LiveConfig, type MetricsJson, type ProxyStats, type TargetRef, type ToPrimary, type ToWorker } from './messages.js';

/** WorkerOptions: the worker's share of GatewayOptions (no admin API, keys from the primary). */
export type WorkerOptions = Omit<GatewayOptions, 'keyring' | 'adminListen' | 'adminToken' | 'group'>;

/**
 * WorkerMember: a worker's side of the group. It runs no active probes; a passive check that marks
 * a target down here is reported to the primary, which broadcasts the verdict to every worker.
 */
class WorkerMember implements GroupMember {
  readonly activeHealthChecks = false;
  /** True while applying the primary's verdict, which must not be echoed back to it. */
  adopting = false;

  configApplied(): void {}

  targetHealthChanged(t: TargetState): void {
    if (this.adopting || t.healthy) return;
    toPrimary({ t: 'health', upstream: t.upstream, key: t.key, healthy: false });
  }

  live(): Promise<void> {
    return Promise.resolve();
  }

  async peerTargetCounters(): Promise<Array<Map<string, TargetCounters>>> {
    return [];
  }

  async peerMetrics(): Promise<MetricsJson[]> {
    return [];
  }

  async peerStats(): Promise<ProxyStats[]> {
    return [];
  }
}

/**
 * runWorker: the body of one `--workers` child process. It waits for the primary's init message
 * (session keys, config, health), listens on the proxy addresses (node:cluster shares the
 * primary's sockets) and then follows the primary: configs, health, questions, stop. It exits
 * after draining when told to stop, on SIGTERM/SIGINT, or when the primary goes away.
 */
export function runWorker(opts: WorkerOptions): void {
  const log = opts.log.child({ worker: cluster.worker?.id });
  const member = new WorkerMember();
  let gateway: Gateway | null = null;
  let stopping = false;
  const stop = (why: string, signal?: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log.info({ why }, 'worker draining');
    // A SIGTERM sent to the whole process group reaches workers too: they wait out the delay as well.
    const g = gateway;
    const done = g === null ? Promise.resolve() : (signal === undefined ? Promise.resolve() : g.drain(signal)).then(() => g.stop());
    done.then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'worker shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('message', (m: unknown) => {
    if (!isMessage<ToWorker>(m)) return;
    if (m.t === 'init') gateway = start(m, opts, log, member);
    else if (m.t === 'stop') stop('primary asked');
    else if (m.t === 'drain') gateway?.beginDrain();
    else if (m.t === 'reopen-access-log') gateway?.reopenAccessLog();
    else if (gateway !== null) follow(gateway, member, m, log);
  });
  process.on('SIGTERM', () => stop('SIGTERM', 'SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT', 'SIGINT'));
  // Signalled directly (e.g. `pkill -USR1 -f berth`) a worker reopens its own file; without this
  // listener node would open its inspector on SIGUSR1.
  onReopenSignal(log, () => gateway?.reopenAccessLog());
  process.on('disconnect', () => stop('primary gone'));
  toPrimary({ t: 'hello' });
}

function start(init: Extract<ToWorker, { t: 'init' }>, opts: WorkerOptions, log: Logger, member: WorkerMember): Gateway {
  const gateway = new Gateway({ ...opts, keyring: SessionKeyring.fromKeys(init.keys, init.generatedKeys), log, group: member });
  if (init.config !== null) applyConfig(gateway, init.seq, init.config, log, false);
  for (const ref of init.unhealthy) adoptHealth(gateway, member, ref, false);
  gateway.start().then(
    () => toPrimary({ t: 'ready', proxy: gateway.proxyAddress(), tls: gateway.proxyTlsAddress() }),
    (err: unknown) => {
      log.error({ err }, 'worker could not listen');
      process.exit(1);
    },
  );
  return gateway;
}

function follow(gateway: Gateway, member: WorkerMember, m: Exclude<ToWorker, { t: 'init' | 'stop' }>, log: Logger): void {
  switch (m.t) {
    case 'config':
      applyConfig(gateway, m.seq, m, log, true);
      break;
    case 'health':
      adoptHealth(gateway, member, m, m.healthy);
      break;
    case 'query':
      void answer(gateway, m);
      break;
  }
}

function applyConfig(gateway: Gateway, seq: number, live: LiveConfig, log: Logger, ack: boolean): void {
  const result = gateway.applyValidated(live.config, live.hash);
  if (!result.ok) log.error({ seq, error: result.error.message }, 'worker rejected a configuration');
  if (ack) toPrimary(result.ok ? { t: 'applied', seq, ok: true } : { t: 'applied', seq, ok: false, error: result.error.message });
}

/** adoptHealth applies the primary's verdict on a target (its balancer is re-fed as for a local flip). */
function adoptHealth(gateway: Gateway, member: WorkerMember, ref: TargetRef, healthy: boolean): void {
  const up = gateway.runtime.upstreams.get(ref.upstream);
  const target = up?.targets.find((t) => t.key === ref.key);
  if (target === undefined || up?.health == null || target.healthy === healthy) return;
  member.adopting = true;
  try {
    up.health.setManual(target, healthy, 'set by the primary');
  } finally {
    member.adopting = false;
  }
}

async function answer(gateway: Gateway, q: Extract<ToWorker, { t: 'query' }>): Promise<void> {
  if (q.what === 'targets') {
    const ups = q.upstreams.flatMap((name) => gateway.runtime.upstreams.get(name) ?? []);
    return toPrimary({ t: 'reply', id: q.id, targets: [...(await gateway.targetCounters(ups))] });
  }
  const metrics = await gateway.metrics.registry.getMetricsAsJSON();
  toPrimary({ t: 'reply', id: q.id, metrics, stats: gateway.localStats() });
}

function toPrimary(message: ToPrimary): void {
  if (process.connected) process.send!(message);
}
