import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from '../lib/log.js';
import type { StatusSink } from './sinks.js';
import { loadKubeConfig } from './sources/kube.js';
import type { Permission } from './sources/kube-kinds.js';
import type { TranslateResult } from './types.js';

/** LEASE_PERMISSIONS: read the Lease, create it the first time, take or renew it with an update. */
export const LEASE_PERMISSIONS: readonly Permission[] = [
  { group: 'coordination.k8s.io', resource: 'leases', verbs: ['get', 'create', 'update'] },
];

export interface LeaderElectorOptions {
  kubeconfig?: string | KubeConfig;
  namespace: string;
  name: string;
  /** Unique per replica (default: host name plus a random suffix). */
  identity?: string;
  log: Logger;
  /** client-go's defaults: 15 s lease, give up renewing after 10 s, retry every 2 s. */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  now?: () => number;
}

/**
 * LeaderElector holds a coordination.k8s.io/v1 Lease the way client-go does: a lease is valid for
 * leaseDuration after this replica last *saw* it change (so clock skew between replicas does not
 * matter), updates carry the resourceVersion read (so two candidates cannot both win), and a leader
 * that cannot renew within renewDeadline steps down before anyone else may take over.
 */
export class LeaderElector {
  readonly identity: string;
  private readonly api: CoordinationV1Api;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private readonly now: () => number;
  private readonly listeners: Array<(leader: boolean) => void> = [];
  private observed = '';
  private observedAt = 0;
  private renewedAt = 0;
  private leader = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;

  constructor(private readonly opts: LeaderElectorOptions) {
    this.api = loadKubeConfig(opts.kubeconfig).makeApiClient(CoordinationV1Api);
    this.identity = opts.identity ?? `${hostname()}_${randomUUID().slice(0, 8)}`;
    this.leaseMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryMs = opts.retryPeriodMs ?? 2_000;
    this.now = opts.now ?? Date.now;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  /** onChange is called with true when this replica becomes leader and false when it stops being it. */
  onChange(listener: (leader: boolean) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    this.stopped = false;
    void this.loop();
  }

  /** stop steps down and, when leading, releases the lease so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.leader) return;
    this.setLeader(false);
    try {
      const lease = await this.api.readNamespacedLease({ name: this.opts.name, namespace: this.opts.namespace });
      if (lease.spec?.holderIdentity !== this.identity) return;
      lease.spec = { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1, renewTime: micro(this.now()) };
      await this.api.replaceNamespacedLease({ name: this.opts.name, namespace: this.opts.namespace, body: lease });
    } catch (err) {
      this.opts.log.warn({ err: String(err) }, 'releasing the leader lease failed; it expires on its own');
    }
  }

  /** tryOnce makes one acquire-or-renew attempt; true when this replica holds the lease afterwards. */
  async tryOnce(): Promise<boolean> {
    try {
      const held = await this.acquireOrRenew();
      if (held) this.renewedAt = this.now();
      this.setLeader(held);
    } catch (err) {
      this.opts.log.warn({ err: String(err), lease: this.opts.name }, 'leader election: could not reach the lease');
      if (this.leader && this.now() - this.renewedAt > this.renewDeadlineMs) this.setLeader(false);
    }
    return this.leader;
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    await this.tryOnce();
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.loop(), this.retryMs);
  }

  private async acquireOrRenew(): Promise<boolean> {
    const { name, namespace } = this.opts;
    const lease = await this.read();
    const now = this.now();
    if (!lease) return this.create(now);
    const spec = lease.spec ?? {};
    const record = `${spec.holderIdentity ?? ''}|${String(spec.renewTime)}|${spec.leaseTransitions ?? 0}`;
    if (record !== this.observed) {
      this.observed = record;
      this.observedAt = now;
    }
    const heldByOther = !!spec.holderIdentity && spec.holderIdentity !== this.identity;
    const validMs = (spec.leaseDurationSeconds ?? this.leaseMs / 1000) * 1000;
    if (heldByOther && now < this.observedAt + validMs) return false;
    lease.spec = {
      ...spec,
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.leaseMs / 1000),
      renewTime: micro(now),
      acquireTime: spec.holderIdentity === this.identity ? spec.acquireTime : micro(now),
      leaseTransitions: (spec.leaseTransitions ?? 0) + (spec.holderIdentity === this.identity ? 0 : 1),
    };
    return this.settle(this.api.replaceNamespacedLease({ name, namespace, body: lease }));
  }

  private async read(): Promise<V1Lease | null> {
    try {
      return await this.api.readNamespacedLease({ name: this.opts.name, namespace: this.opts.namespace });
    } catch (err) {
      if (codeOf(err) === 404) return null;
      throw err;
    }
  }

  private create(now: number): Promise<boolean> {
    const body: V1Lease = {
      metadata: { name: this.opts.name, namespace: this.opts.namespace },
      spec: { holderIdentity: this.identity, leaseDurationSeconds: Math.ceil(this.leaseMs / 1000),
        acquireTime: micro(now), renewTime: micro(now), leaseTransitions: 0 },
    };
    return this.settle(this.api.createNamespacedLease({ namespace: this.opts.namespace, body }));
  }

  /** settle: a 409 means another candidate wrote first, which is losing, not failing. */
  private async settle(write: Promise<V1Lease>): Promise<boolean> {
    try {
      await write;
      return true;
    } catch (err) {
      if (codeOf(err) === 409) return false;
      throw err;
    }
  }

  private setLeader(leader: boolean): void {
    if (leader === this.leader) return;
    this.leader = leader;
    this.opts.log.info({ identity: this.identity, lease: `${this.opts.namespace}/${this.opts.name}` },
      leader ? 'became leader' : 'stopped leading');
    for (const listener of this.listeners) listener(leader);
  }
}

/** leaderOnlyStatusSink drops statuses while this replica is not the leader: only one replica writes. */
export function leaderOnlyStatusSink(sink: StatusSink, isLeader: () => boolean): StatusSink {
  return { publish: (result: TranslateResult) => (isLeader() ? sink.publish(result) : Promise.resolve()) };
}

/** micro stamps a Lease time: the API server parses MicroTime with exactly six fractional digits (kubernetes#89156), which V1MicroTime writes and a plain Date does not. */
function micro(ms: number): V1MicroTime {
  return new V1MicroTime(ms);
}

function codeOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? Number((err as { code: unknown }).code) : undefined;
}
