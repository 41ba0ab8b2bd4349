import cluster, { type Worker } from 'node:cluster';
import type { GatewayConfig } from '../../config/types.js';
import type { AccessLogSink } from '../access-log/writer.js';
import type { Logger } from '../../lib/log.js';
import type { Runtime } from '../runtime.js';
import type { ListenAddress } from '../server.js';
import type { SessionKeyring } from '../sticky/token.js';
import type { TargetCounters } from '../targets/counters.js';
import type { TargetState } from '../targets/target.js';
import type { GroupMember } from './member.js';
import { isMessage, type LiveConfig, type MetricsJson, type ProxyStats, type TargetRef, type ToPrimary, type ToWorker } from './messages.js';
import { Restarts } from './restarts.js';
import { WORKER_ENTRY, WORKER_SETTINGS_ENV, type WorkerSettings } from './settings.js';
import { relayLines } from './stdout-relay.js';

const QUERY_TIMEOUT_MS = 2_000;
const LIVE_TIMEOUT_MS = 10_000;
/** After the drain deadline, how long a worker may take to exit before it is killed. */
const EXIT_GRACE_MS = 5_000;

type Reply = Extract<ToPrimary, { t: 'reply' }>;

interface Member {
  readonly worker: Worker;
  /** Said hello: listens to the channel, so messages to it arrive. */
  greeted: boolean;
  ready: boolean;
  /** Sequence number of the last config this worker acknowledged. */
  appliedSeq: number;
  /** Its stdout relayed to the primary's access log (stdout-relay.ts): settles at the pipe's end. */
  relayed: Promise<void>;
}

export interface WorkerGroupOptions {
  count: number;
  keyring: SessionKeyring;
  log: Logger;
  /** What each worker needs besides keys and config (src/cli/worker.ts reads it from its environment). */
  worker: WorkerSettings;
  /**
   * The primary's access log when it goes to stdout: each worker then writes its lines to a pipe
   * of its own and the primary relays them (stdout-relay.ts), the only writer of stdout.
   */
  stdoutAccessLog?: AccessLogSink | null;
}

/**
 * WorkerGroup: the primary of `--workers N` (node:cluster). It forks N workers that listen on the
 * proxy addresses, hands each the session keys, every config and every health change, restarts
 * a worker that dies, and answers the admin API's questions by asking all of them. The primary
 * itself serves no proxy traffic: it runs the controller, the admin API and the active health
 * checks, so those exist once however many workers there are.
 *
 * Connections are spread by cluster's round-robin scheduling (SCHED_RR): the primary accepts and
 * hands each connection to the next worker. Node's docs warn that leaving accept() to the kernel
 * on a shared socket (SCHED_NONE) loads a few workers with most connections; passing a handle
 * costs once per connection, never per request on a keep-alive connection.
 */
export class WorkerGroup implements GroupMember {
  readonly activeHealthChecks = true;
  private readonly members = new Map<number, Member>();
  private runtime: () => Runtime = () => {
    throw new Error('WorkerGroup used before attach()');
  };
  private seq = 0;
  private current: LiveConfig | null = null;
  private stopping = false;
  private nextQueryId = 1;
  private readonly pending = new Map<number, (reply: Reply | null) => void>();
  private liveWaiters: Array<{ seq: number; resolve: () => void }> = [];
  private readonly restarts = new Restarts();
  private bound: { proxy: ListenAddress; tls: ListenAddress | null } | null = null;
  /** Set once every first worker listens: from then on a dead worker, ready or not, is replaced. */
  private started = false;

  constructor(private readonly opts: WorkerGroupOptions) {}

  /** attach gives the group the primary's live runtime (health reports from workers land there). */
  attach(runtime: () => Runtime): void {
    this.runtime = runtime;
  }

  async startProxies(): Promise<{ proxy: ListenAddress; tls: ListenAddress | null }> {
    cluster.schedulingPolicy = cluster.SCHED_RR;
    // A worker runs src/cli/worker.ts, not the whole CLI: it loads only the data plane and starts sooner.
    // stdout a pipe per worker only when the access log goes there: berth's own logs are on stderr.
    const stdio = this.opts.stdoutAccessLog ? ['ignore', 'pipe', 'inherit', 'ipc'] : undefined;
    cluster.setupPrimary({ exec: WORKER_ENTRY, args: [], serialization: 'advanced', stdio });
    const ready = Array.from({ length: this.opts.count }, () => this.fork());
    await Promise.all(ready);
    this.started = true;
    this.opts.log.info({ workers: this.opts.count }, 'workers ready');
    return this.bound!;
  }

  configApplied(config: GatewayConfig, hash: string): void {
    this.current = { config, hash };
    this.seq++;
    this.broadcast({ t: 'config', seq: this.seq, config, hash });
  }

  targetHealthChanged(t: TargetState): void {
    this.broadcast({ t: 'health', upstream: t.upstream, key: t.key, healthy: t.healthy });
  }

  live(): Promise<void> {
    const seq = this.seq;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.opts.log.warn({ seq }, 'a worker did not confirm the configuration in time');
        resolve();
      }, LIVE_TIMEOUT_MS);
      timer.unref();
      this.liveWaiters.push({ seq, resolve: () => (clearTimeout(timer), resolve()) });
      this.settleLive();
    });
  }

  async peerTargetCounters(upstreams: readonly string[]): Promise<Array<Map<string, TargetCounters>>> {
    const replies = await this.query((id) => ({ t: 'query', id, what: 'targets', upstreams }));
    return replies.map((r) => new Map(r.targets ?? []));
  }

  async peerMetrics(): Promise<MetricsJson[]> {
    return (await this.query((id) => ({ t: 'query', id, what: 'metrics' }))).flatMap((r) => (r.metrics ? [r.metrics] : []));
  }

  async peerStats(): Promise<ProxyStats[]> {
    return (await this.query((id) => ({ t: 'query', id, what: 'metrics' }))).flatMap((r) => (r.stats ? [r.stats] : []));
  }

  drainProxies(): void {
    this.broadcast({ t: 'drain' });
  }

  reopenAccessLogs(): void {
    this.broadcast({ t: 'reopen-access-log' });
  }

  /** stopProxies: every worker stops accepting and drains (up to timeoutMs); stragglers are killed. */
  async stopProxies(timeoutMs: number): Promise<void> {
    this.stopping = true;
    const exits = [...this.members.values()].map(({ worker, relayed }) => {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      if (worker.isConnected()) worker.send({ t: 'stop' } satisfies ToWorker);
      const timer = setTimeout(() => worker.process.kill('SIGKILL'), timeoutMs + EXIT_GRACE_MS);
      // Its last lines are relayed once its stdout has ended, which may come after 'exit'.
      return Promise.all([exited, relayed]).finally(() => clearTimeout(timer));
    });
    await Promise.all(exits);
  }

  /** fork starts one worker; resolves when it listens with the live config, rejects if it dies first. */
  private fork(): Promise<void> {
    const worker = cluster.fork({ [WORKER_SETTINGS_ENV]: JSON.stringify(this.opts.worker) });
    const sink = this.opts.stdoutAccessLog;
    const relayed = sink && worker.process.stdout ? relayLines(worker.process.stdout, sink) : Promise.resolve();
    const member: Member = { worker, greeted: false, ready: false, appliedSeq: 0, relayed };
    this.members.set(worker.id, member);
    return new Promise((resolve, reject) => {
      worker.on('message', (m: unknown) => {
        if (!isMessage<ToPrimary>(m)) return;
        if (m.t === 'hello') {
          member.greeted = true;
          member.appliedSeq = this.seq;
          send(worker, this.initMessage());
        } else if (m.t === 'ready') {
          member.ready = true;
          this.bound ??= { proxy: m.proxy, tls: m.tls };
          resolve();
        } else this.onMessage(member, m);
      });
      worker.once('exit', (code, signal) => {
        this.onExit(member, code, signal);
        if (!member.ready) reject(new Error(`worker ${worker.id} exited before it was ready (${signal ?? `code ${code}`})`));
      });
    });
  }

  private initMessage(): ToWorker {
    const keyring = this.opts.keyring;
    return { t: 'init', keys: [...keyring.keys], generatedKeys: keyring.generated, seq: this.seq, config: this.current, unhealthy: this.unhealthyTargets() };
  }

  private unhealthyTargets(): TargetRef[] {
    const out: TargetRef[] = [];
    for (const up of this.runtime().upstreams.values()) {
      for (const t of up.targets) if (!t.healthy) out.push({ upstream: up.name, key: t.key });
    }
    return out;
  }

  private onMessage(member: Member, m: ToPrimary): void {
    switch (m.t) {
      case 'applied':
        if (!m.ok) this.opts.log.error({ worker: member.worker.id, seq: m.seq, error: m.error }, 'a worker rejected a configuration the primary accepted');
        member.appliedSeq = m.seq;
        this.settleLive();
        break;
      case 'health':
        this.peerHealth(member, m);
        break;
      case 'reply':
        this.pending.get(m.id)?.(m);
        break;
    }
  }

  /** peerHealth: a worker's passive check marked a target down; the primary decides and broadcasts. */
  private peerHealth(member: Member, ref: TargetRef & { healthy: boolean }): void {
    // Passive checks never re-enable a target (semantics.md s5); only the primary's probes do.
    if (ref.healthy) return;
    const up = this.runtime().upstreams.get(ref.upstream);
    const target = up?.targets.find((t) => t.key === ref.key);
    if (target === undefined || up?.health == null) return;
    up.health.setManual(target, false, `passive check in worker ${member.worker.id}`);
  }

  private onExit(member: Member, code: number | null, signal: string | null): void {
    this.members.delete(member.worker.id);
    this.settleLive();
    // Before start-up completed, a dying worker fails startProxies instead (e.g. the port is taken).
    if (this.stopping || !this.started) return;
    const delay = this.restarts.next(Date.now());
    this.opts.log.error({ worker: member.worker.id, code, signal, restartInMs: delay }, 'worker died; starting a new one');
    setTimeout(() => {
      if (this.stopping) return;
      this.fork().catch((err: unknown) => this.opts.log.error({ err }, 'replacement worker failed to start'));
    }, delay).unref();
  }

  private settleLive(): void {
    const done = (seq: number): boolean => [...this.members.values()].every((m) => !m.ready || m.appliedSeq >= seq);
    const waiting = this.liveWaiters;
    this.liveWaiters = waiting.filter((w) => !done(w.seq));
    for (const w of waiting) if (done(w.seq)) w.resolve();
  }

  private broadcast(message: ToWorker): void {
    for (const { worker, greeted } of this.members.values()) if (greeted) send(worker, message);
  }

  /** query asks every ready worker and collects the replies that come within QUERY_TIMEOUT_MS. */
  private async query(build: (id: number) => ToWorker): Promise<Reply[]> {
    const asks = [...this.members.values()].filter((m) => m.ready).map(({ worker }) => {
      const id = this.nextQueryId++;
      return new Promise<Reply | null>((resolve) => {
        const timer = setTimeout(() => finish(null), QUERY_TIMEOUT_MS);
        const onExit = (): void => finish(null);
        const finish = (reply: Reply | null): void => {
          clearTimeout(timer);
          worker.off('exit', onExit);
          this.pending.delete(id);
          resolve(reply);
        };
        this.pending.set(id, finish);
        worker.once('exit', onExit);
        send(worker, build(id));
      });
    });
    return (await Promise.all(asks)).filter((r): r is Reply => r !== null);
  }
}

function send(worker: Worker, message: ToWorker): void {
  // A worker that is exiting has no channel; its replacement gets the state in its init message.
  if (worker.isConnected()) worker.send(message);
}
