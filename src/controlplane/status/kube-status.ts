import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../lib/log.js';
import type { StatusSink } from '../sinks.js';
import { loadKubeConfig } from '../sources/kube.js';
import { WATCHED_KINDS, type Permission } from '../sources/kube-kinds.js';
import type { ObjectSource } from '../sources/source.js';
import type { ObjectRef, ObjectStatus, TranslateResult } from '../types.js';
import { EventRecorder } from './events.js';
import { stableJson } from './stable-json.js';

/** StatusTarget is a kind whose status the translator reports and this sink writes. */
interface StatusTarget {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

/** Kinds whose status subresource berth writes (all through the custom objects API). */
const STATUS_KINDS = new Set(['GatewayClass', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'Ingress', 'KongUpstreamPolicy']);

/** STATUS_TARGETS: the watched kinds whose status berth writes. */
export const STATUS_TARGETS: readonly StatusTarget[] = WATCHED_KINDS.filter((k) => STATUS_KINDS.has(k.kind));

/** STATUS_PERMISSIONS: a JSON patch on each target's /status subresource. */
export const STATUS_PERMISSIONS: readonly Permission[] = STATUS_TARGETS.map((t) => ({
  group: t.group, resource: `${t.plural}/status`, verbs: ['patch'],
}));

export interface KubeStatusSinkOptions {
  kubeconfig?: string | KubeConfig;
  log: Logger;
  /** reportingController on Events. */
  controllerName?: string;
  /** When given, a status equal to the object's current one (as the source last saw it) is not written. */
  source?: ObjectSource;
}

/**
 * KubeStatusSink writes the translator's statuses to status subresources, only when they differ
 * from what was last written (and, with a source, from what is already there), and creates Events.
 * A failed write is forgotten so the next publish retries it; publish rejects so the controller
 * schedules that retry. It never throws past publish.
 */
export class KubeStatusSink implements StatusSink {
  private readonly api: CustomObjectsApi;
  private readonly events: EventRecorder;
  private readonly written = new Map<string, string>();
  private readonly log: Logger;
  private readonly source: ObjectSource | undefined;

  constructor(opts: KubeStatusSinkOptions) {
    const kc = loadKubeConfig(opts.kubeconfig);
    this.api = kc.makeApiClient(CustomObjectsApi);
    this.log = opts.log;
    this.source = opts.source;
    this.events = new EventRecorder(kc, opts.controllerName ?? 'berth.dev/controller', opts.log);
  }

  async publish(result: TranslateResult): Promise<void> {
    const current = this.currentStatuses();
    let failed = 0;
    for (const status of result.statuses) {
      if (!(await this.write(status, current))) failed++;
    }
    this.forgetGone(result.statuses);
    failed += await this.events.record(result.events);
    if (failed > 0) throw new Error(`${failed} status or event writes failed`);
  }

  /** write patches one status when it changed; false when the write failed. */
  private async write(s: ObjectStatus, current: Map<string, unknown>): Promise<boolean> {
    const target = STATUS_TARGETS.find((t) => t.kind === s.ref.kind && apiVersion(t) === s.ref.apiVersion);
    if (!target) return true;
    const key = refKey(s.ref);
    const desired = stableJson(s.status);
    if (this.written.get(key) === desired) return true;
    if (current.has(key) && stableJson(current.get(key)) === desired) return true;
    try {
      await this.patch(target, s);
      this.written.set(key, desired);
      return true;
    } catch (err) {
      this.written.delete(key);
      if (codeOf(err) === 404) return true;
      this.log.warn({ err: String(err), object: key }, 'writing status failed; will retry');
      return false;
    }
  }

  private patch(t: StatusTarget, s: ObjectStatus): Promise<unknown> {
    // "add" replaces an existing member, so this sets the whole status whether or not one exists.
    const body = [{ op: 'add', path: '/status', value: s.status }];
    const options = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
    const base = { group: t.group, version: t.version, plural: t.plural, name: s.ref.name, body };
    return t.namespaced
      ? this.api.patchNamespacedCustomObjectStatus({ ...base, namespace: s.ref.namespace ?? 'default' }, options)
      : this.api.patchClusterCustomObjectStatus(base, options);
  }

  /** forgetGone drops what was written for objects the translator no longer reports on. */
  private forgetGone(statuses: readonly ObjectStatus[]): void {
    const live = new Set(statuses.map((s) => refKey(s.ref)));
    for (const key of this.written.keys()) if (!live.has(key)) this.written.delete(key);
  }

  /** currentStatuses maps each object's key to its status as the source last saw it (serialized only when compared). */
  private currentStatuses(): Map<string, unknown> {
    const out = new Map<string, unknown>();
    for (const obj of this.source?.objects() ?? []) {
      if (obj.status !== undefined) out.set(refKey({ ...obj.metadata, apiVersion: obj.apiVersion, kind: obj.kind }), obj.status);
    }
    return out;
  }
}

function apiVersion(t: StatusTarget): string {
  return `${t.group}/${t.version}`;
}

function refKey(r: Pick<ObjectRef, 'apiVersion' | 'kind' | 'name' | 'namespace'>): string {
  return `${r.apiVersion}|${r.kind}|${r.namespace ?? ''}|${r.name}`;
}

function codeOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? Number((err as { code: unknown }).code) : undefined;
}
