import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../lib/log.js';
import type { KubeObject } from '../types.js';
import type { ObjectSource } from './source.js';
import { KindInformer } from './kube-informer.js';
import { WATCHED_KINDS } from './kube-kinds.js';

export { SOURCE_PERMISSIONS, WATCHED_KINDS } from './kube-kinds.js';

/** KubeSourceOptions: which cluster (kubeconfig file, else in-cluster, else the default) and namespaces. */
export interface KubeSourceOptions {
  kubeconfig?: string | KubeConfig;
  /** Namespaces to watch; empty = cluster-wide. */
  namespaces: string[];
  log: Logger;
  /** How often a kind whose CRD is not installed is looked for again (default 30 s). */
  notServedRetryMs?: number;
  /** How long a never-listed kind answered 403 is retried before it counts as forbidden by RBAC (default 3 s). */
  forbiddenGraceMs?: number;
}

/**
 * loadKubeConfig reads a kubeconfig file when given one, the pod's service account when running in a
 * cluster, and otherwise client-node's default lookup (KUBECONFIG, ~/.kube/config).
 */
export function loadKubeConfig(kubeconfig?: string | KubeConfig): KubeConfig {
  if (kubeconfig instanceof KubeConfig) return kubeconfig;
  const kc = new KubeConfig();
  if (kubeconfig) kc.loadFromFile(kubeconfig);
  else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error(`no cluster in kubeconfig ${kubeconfig ?? '(default)'}`);
  return kc;
}

/** createKubeSource watches every kind the translator reads: one informer per kind and namespace. */
export function createKubeSource(opts: KubeSourceOptions): ObjectSource {
  return new KubeSource(loadKubeConfig(opts.kubeconfig), opts.namespaces, opts.log, opts.notServedRetryMs, opts.forbiddenGraceMs);
}

/** KubeSource merges its informers' caches into one view and fans their changes out. */
class KubeSource implements ObjectSource {
  private readonly informers: KindInformer[] = [];
  private readonly listeners: Array<() => void> = [];

  constructor(kc: KubeConfig, namespaces: string[], log: Logger, notServedRetryMs?: number, forbiddenGraceMs?: number) {
    const scopes = namespaces.length > 0 ? namespaces : [undefined];
    for (const kind of WATCHED_KINDS) {
      // A cluster-scoped kind (GatewayClass) is watched once whatever the namespaces.
      for (const ns of kind.namespaced ? scopes : [undefined]) {
        this.informers.push(new KindInformer(kc, kind, ns, log, () => this.changed(), notServedRetryMs, forbiddenGraceMs));
      }
    }
  }

  get synced(): boolean {
    return this.informers.every((i) => i.isSynced);
  }

  async start(): Promise<void> {
    for (const informer of this.informers) informer.start();
    await Promise.all(this.informers.map((i) => i.synced));
  }

  async stop(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.stop()));
  }

  objects(): KubeObject[] {
    return this.informers.flatMap((i) => i.objects());
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
