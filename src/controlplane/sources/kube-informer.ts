import {
  CoreV1Api, CustomObjectsApi, ListWatch, Watch,
  type KubeConfig, type KubernetesListObject, type KubernetesObject,
} from '@kubernetes/client-node';
import type { Logger } from '../../lib/log.js';
import type { KubeObject } from '../types.js';
import { collectionPath, type WatchedKind } from './kube-kinds.js';
import { toKubeObject } from './kube-normalize.js';

/**
 * BACKOFF_MIN_MS and BACKOFF_MAX_MS bound the restart delay of a failed list/watch: quick on a blip,
 * capped during an outage. The cap is low so that changes made while the API server was away (an
 * EndpointSlice drain) are seen within about a second of it answering again.
 */
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 1000;
/** REPEAT_WARN_MS: while the same failure repeats (a retry every second), it is logged again only this often. */
const REPEAT_WARN_MS = 30_000;
/** NOT_SERVED_RETRY_MS: how often a kind the API server does not serve (CRD not installed) is looked for again. */
export const NOT_SERVED_RETRY_MS = 30_000;
/**
 * FORBIDDEN_GRACE_MS: how long a kind never served yet is retried on 403 before it is parked as
 * forbidden: a kube-apiserver answers 403 for about a second after it starts (its RBAC authorizer's
 * cache is not ready), which is not an RBAC denial.
 */
export const FORBIDDEN_GRACE_MS = 3000;

/**
 * KindInformer lists then watches one kind (in one namespace or cluster-wide) through client-node's
 * ListWatch, which relists on 410 Gone but stops for good on any other error: this restarts it with
 * capped exponential backoff. Its cache survives errors, so objects() keeps the last known state
 * while the API server is away.
 */
export class KindInformer {
  private readonly lw: ListWatch<KubernetesObject>;
  private readonly normalized = new WeakMap<object, KubeObject>();
  private backoffMs = BACKOFF_MIN_MS;
  private timer: NodeJS.Timeout | null = null;
  private failedSinceStart = false;
  private stopped = true;
  private notServed = false;
  /** The kind has been listed at least once: any later error, a 403 included, is transient. */
  private served = false;
  /** When the first 403 of a never-served kind came (0 = none yet). */
  private forbiddenSince = 0;
  private lastStatus: number | undefined;
  /** Failures since the last successful list/watch, and when one was last logged (see REPEAT_WARN_MS). */
  private failures = 0;
  private warnedAt = 0;
  private firstSync!: () => void;
  /** synced resolves once the first list has been loaded. */
  readonly synced: Promise<void> = new Promise((resolve) => (this.firstSync = resolve));
  private loaded = false;

  constructor(
    kc: KubeConfig,
    private readonly kind: WatchedKind,
    private readonly namespace: string | undefined,
    private readonly log: Logger,
    onChange: () => void,
    private readonly notServedRetryMs = NOT_SERVED_RETRY_MS,
    private readonly forbiddenGraceMs = FORBIDDEN_GRACE_MS,
  ) {
    const path = collectionPath(kind, namespace);
    this.lw = new ListWatch(path, new Watch(kc), listFunction(kc, kind, namespace), false, undefined, kind.fieldSelector);
    this.lw.on('change', onChange);
    this.lw.on('error', (err) => this.onError(err));
  }

  /** isSynced: the first list has been loaded (or the kind is not served). */
  get isSynced(): boolean {
    return this.loaded;
  }

  start(): void {
    this.stopped = false;
    void this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.lw.stop();
  }

  objects(): KubeObject[] {
    return this.lw.list().map((obj) => {
      let plain = this.normalized.get(obj);
      if (!plain) {
        plain = toKubeObject(obj, this.kind);
        this.normalized.set(obj, plain);
      }
      return plain;
    });
  }

  /** run (re)starts the list+watch; ListWatch.start resolves once listed and the watch is open. */
  private async run(): Promise<void> {
    this.timer = null;
    this.failedSinceStart = false;
    await this.lw.start();
    if (this.failedSinceStart || this.stopped) return;
    this.backoffMs = BACKOFF_MIN_MS;
    if (this.notServed) this.log.info({ kind: this.kind.kind }, 'the API server serves this kind now');
    else if (this.failures > 0) this.log.info({ kind: this.kind.kind, failures: this.failures }, 'list/watch resumed');
    this.notServed = false;
    this.served = true;
    this.forbiddenSince = 0;
    this.lastStatus = undefined;
    this.failures = 0;
    this.markSynced();
  }

  private markSynced(): void {
    if (this.loaded) return;
    this.loaded = true;
    this.firstSync();
  }

  private onError(err: unknown): void {
    this.failedSinceStart = true;
    if (this.stopped || this.timer) return;
    const status = statusOf(err);
    const previous = this.lastStatus;
    const changed = this.failures === 0 || status !== previous;
    this.lastStatus = status;
    this.failures++;
    if (!this.served && status === 404) return this.onNotServed(status);
    if (!this.served && status === 403 && this.forbiddenTooLong()) return this.onNotServed(status);
    // An API server that answers again (even 403 while starting) gets prompt retries, not the outage's spacing.
    if (status === 403 && previous !== 403) this.backoffMs = BACKOFF_MIN_MS;
    const delay = this.backoffMs * (0.8 + Math.random() * 0.4);
    this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF_MAX_MS);
    if (changed || Date.now() - this.warnedAt >= REPEAT_WARN_MS) {
      this.warnedAt = Date.now();
      this.log.warn({ kind: this.kind.kind, namespace: this.namespace, status, err: describe(err), failures: this.failures, retryInMs: Math.round(delay) },
        status === 403 ? forbiddenMessage(this.served) : 'list/watch failed; keeping the last known objects and retrying');
    }
    this.timer = setTimeout(() => void this.run(), delay);
    this.timer.unref?.();
  }

  /** forbiddenTooLong: a never-served kind has been answered 403 for longer than an API server takes to start. */
  private forbiddenTooLong(): boolean {
    const now = Date.now();
    if (this.forbiddenSince === 0) this.forbiddenSince = now;
    return now - this.forbiddenSince >= this.forbiddenGraceMs;
  }

  /**
   * onNotServed parks a kind that has never been served: a 404 on the collection means its CRD is
   * not installed (a cluster with Ingress only, or without KongUpstreamPolicy), a 403 lasting past
   * FORBIDDEN_GRACE_MS that RBAC does not allow it. The kind counts as loaded and empty so the rest
   * of the cluster is still served, and it is looked for again now and then so installing the CRD
   * or fixing the ClusterRole later is noticed. A kind served before is never parked (onError).
   */
  private onNotServed(status: number): void {
    if (!this.notServed) {
      const why = status === 404 ? 'the API server does not serve this kind (CRD not installed?)'
        : `listing this kind has been forbidden (403) for ${Math.round(this.forbiddenGraceMs / 1000)} s since start-up: RBAC does not allow it (see deploy/rbac.yaml)`;
      this.log.warn({ kind: this.kind.kind, group: this.kind.group, status, retryInMs: this.notServedRetryMs },
        `${why}; treating it as empty until it is served`);
    }
    this.notServed = true;
    this.markSynced();
    this.timer = setTimeout(() => void this.run(), this.notServedRetryMs);
    this.timer.unref?.();
  }
}

type ListFn = () => Promise<KubernetesListObject<KubernetesObject>>;

/** listFunction lists through the typed core API or, for every group-qualified kind, the custom objects API (raw JSON). */
function listFunction(kc: KubeConfig, kind: WatchedKind, namespace: string | undefined): ListFn {
  const ns = kind.namespaced ? namespace : undefined;
  const fieldSelector = kind.fieldSelector;
  if (kind.group === '') {
    const core = kc.makeApiClient(CoreV1Api);
    if (kind.plural === 'services') {
      return () => (ns ? core.listNamespacedService({ namespace: ns, fieldSelector }) : core.listServiceForAllNamespaces({ fieldSelector }));
    }
    if (kind.plural === 'secrets') {
      return () => (ns ? core.listNamespacedSecret({ namespace: ns, fieldSelector }) : core.listSecretForAllNamespaces({ fieldSelector }));
    }
    throw new Error(`no core list function for ${kind.plural}`);
  }
  const custom = kc.makeApiClient(CustomObjectsApi);
  const base = { group: kind.group, version: kind.version, plural: kind.plural, fieldSelector };
  return () => (ns ? custom.listNamespacedCustomObject({ ...base, namespace: ns }) : custom.listClusterCustomObject(base));
}

/** statusOf reads the HTTP status from a list error (ApiException.code) or a watch error (statusCode). */
function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  return typeof e.code === 'number' ? e.code : typeof e.statusCode === 'number' ? e.statusCode : undefined;
}

/** forbiddenMessage says what a 403 means: for a kind served before, not an RBAC denial. */
function forbiddenMessage(served: boolean): string {
  return served
    ? 'the API server answers 403 for a kind it served before (it does so while starting up, until its RBAC cache is ready); keeping the last known objects and retrying'
    : 'forbidden (403) before this kind was ever listed: the API server may be starting up, or RBAC denies it; retrying';
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'object' && err !== null && 'type' in err ? String((err as { type: unknown }).type) : String(err);
}
