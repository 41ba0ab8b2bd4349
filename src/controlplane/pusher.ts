import type { KubeConfig } from '@kubernetes/client-node';
import type { GatewayConfig } from '../config/types.js';
import type { Logger } from '../lib/log.js';
import type { ConfigSink } from './sinks.js';
import { discoverReplicas, type AdminService } from './pusher-replicas.js';

export { DISCOVERY_PERMISSIONS, parseAdminService, type AdminService } from './pusher-replicas.js';

export interface GatewayPusherOptions {
  /** Fixed admin URLs (`--gateway-admin-url`). */
  urls?: string[];
  /** Or discover replicas from this Service's EndpointSlices. */
  service?: AdminService;
  kubeconfig?: KubeConfig;
  log: Logger;
  /** How often each replica's GET /status is checked (and the replica list refreshed). */
  pollMs?: number;
  timeoutMs?: number;
  /** Push only while this says so (the lease): a standby controller must not write. */
  active?: () => boolean;
  /** Bearer token the gateways' admin API requires (`--admin-token`). */
  token?: string;
}

/** ReplicaState: what was pushed to one gateway and what it reported afterwards. */
export interface ReplicaState {
  url: string;
  /** The controller's hash of the config last accepted by this replica. */
  pushedHash?: string;
  /** The replica's configuration_hash right after that push; null = it rejected the config. */
  liveHash?: string | null;
  queue: Promise<void>;
}

/**
 * GatewayPusher is the split-mode ConfigSink: it POSTs each config to every gateway replica's admin
 * /config, skips replicas that already have that config, and every pollMs compares each replica's
 * GET /status configuration_hash with what it reported after our push: a different hash means the
 * replica restarted (or someone else configured it), so it gets the config again.
 */
export class GatewayPusher implements ConfigSink {
  private readonly replicas = new Map<string, ReplicaState>();
  private current: { body: string; hash: string } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly pollMs: number;
  private readonly timeoutMs: number;
  private readonly auth: Record<string, string>;

  constructor(private readonly opts: GatewayPusherOptions) {
    if (!opts.urls?.length && !opts.service) throw new Error('GatewayPusher needs admin URLs or an admin Service');
    if (opts.service && !opts.kubeconfig) throw new Error('discovering replicas from a Service needs a kubeconfig');
    for (const url of opts.urls ?? []) this.replicas.set(trimSlash(url), { url: trimSlash(url), queue: Promise.resolve() });
    this.pollMs = opts.pollMs ?? 2000;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.auth = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
  }

  /** start begins the periodic replica check. */
  start(): void {
    const tick = async (): Promise<void> => {
      await this.poll();
      if (this.timer) this.timer = setTimeout(() => void tick(), this.pollMs);
    };
    this.timer = setTimeout(() => void tick(), this.pollMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await Promise.all([...this.replicas.values()].map((r) => r.queue));
  }

  /** state lists the replicas and what they were last pushed (diagnostics and tests). */
  state(): ReplicaState[] {
    return [...this.replicas.values()];
  }

  async push(config: GatewayConfig, hash: string): Promise<void> {
    this.current = { body: JSON.stringify(config), hash };
    if (!this.active()) return;
    if (this.opts.service) await this.refresh();
    const results = await Promise.all([...this.replicas.values()].map((r) => this.enqueue(r, false)));
    const failed = [...this.replicas.keys()].filter((_url, i) => !results[i]);
    if (failed.length > 0) throw new Error(`pushing config ${hash} failed for ${failed.join(', ')}`);
  }

  /** poll refreshes the replica list and re-pushes to any replica whose live config changed under us. */
  async poll(): Promise<void> {
    if (!this.active() || !this.current) return;
    if (this.opts.service) await this.refresh().catch((err: unknown) => this.opts.log.warn({ err: String(err) }, 'replica discovery failed'));
    await Promise.all([...this.replicas.values()].map((r) => this.enqueue(r, true)));
  }

  private active(): boolean {
    return this.opts.active?.() ?? true;
  }

  private async refresh(): Promise<void> {
    const urls = await discoverReplicas(this.opts.kubeconfig!, this.opts.service!);
    for (const url of this.replicas.keys()) if (!urls.includes(url)) this.replicas.delete(url);
    for (const url of urls) if (!this.replicas.has(url)) this.replicas.set(url, { url, queue: Promise.resolve() });
  }

  /** enqueue serializes work per replica so a poll and a push never race on the same gateway. */
  private enqueue(r: ReplicaState, check: boolean): Promise<boolean> {
    const run = r.queue.then(() => (check ? this.check(r) : this.sync(r)));
    r.queue = run.then(() => undefined, () => undefined);
    return run;
  }

  /** check asks the replica for its live hash and pushes again when it is not what it reported. */
  private async check(r: ReplicaState): Promise<boolean> {
    if (r.pushedHash === this.current?.hash && r.liveHash === null) return true;
    try {
      const res = await fetch(`${r.url}/status`, { headers: this.auth, signal: AbortSignal.timeout(this.timeoutMs) });
      const live = ((await res.json()) as { configuration_hash?: string }).configuration_hash;
      if (res.ok && live === r.liveHash && r.pushedHash === this.current?.hash) return true;
      if (r.liveHash !== undefined) this.opts.log.info({ replica: r.url, live, expected: r.liveHash }, 'replica config changed (restarted?); pushing again');
    } catch (err) {
      this.opts.log.warn({ replica: r.url, err: String(err) }, 'replica status check failed');
      return false;
    }
    r.pushedHash = undefined;
    return this.sync(r);
  }

  /** sync pushes the current config unless this replica already has it. */
  private async sync(r: ReplicaState): Promise<boolean> {
    const current = this.current;
    if (!current || r.pushedHash === current.hash) return true;
    try {
      const res = await fetch(`${r.url}/config`, {
        method: 'POST', headers: { 'content-type': 'application/json', ...this.auth }, body: current.body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const body = (await res.json().catch(() => ({}))) as { configuration_hash?: string; message?: string };
      r.pushedHash = current.hash;
      r.liveHash = res.ok ? body.configuration_hash : null;
      if (res.ok) return true;
      this.opts.log.error({ replica: r.url, status: res.status, message: body.message }, 'replica rejected the config');
      return false;
    } catch (err) {
      r.pushedHash = undefined;
      this.opts.log.warn({ replica: r.url, err: String(err) }, 'pushing config to replica failed; will retry');
      return false;
    }
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
