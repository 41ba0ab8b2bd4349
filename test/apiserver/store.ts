import { randomUUID } from 'node:crypto';
import { apiVersionOf, type Resource } from './resources.js';
import type { Selector } from './selectors.js';
import { generateName } from './names.js';

/** WatchEventType is what the API server streams on a watch. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

interface HistoryEntry {
  rv: number;
  resource: Resource;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: any;
}

/** Watcher is one open watch: which objects it wants and where to send them. */
export interface Watcher {
  resource: Resource;
  namespace?: string;
  labels: Selector;
  fields: Selector;
  /** The client asked for BOOKMARK events (allowWatchBookmarks=true). */
  bookmarks: boolean;
  send(type: WatchEventType, object: any): void;
  close(): void;
}

/** StoreError carries the HTTP status and reason the API server answers with. */
export class StoreError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string, readonly details?: object) {
    super(message);
  }
}

/**
 * Store is the stand-in's etcd: one resourceVersion counter for everything, the objects, a history
 * of changes for watches to replay, and a compaction point before which a watch gets 410 Gone.
 */
export class Store {
  private rv = 1;
  private readonly objects = new Map<string, any>();
  private history: HistoryEntry[] = [];
  private compactedRv = 0;
  readonly watchers = new Set<Watcher>();

  get resourceVersion(): string {
    return String(this.rv);
  }

  key(res: Resource, namespace: string | undefined, name: string): string {
    return `${res.group}/${res.plural}/${res.namespaced ? namespace ?? '' : ''}/${name}`;
  }

  get(res: Resource, namespace: string | undefined, name: string): any {
    const obj = this.objects.get(this.key(res, namespace, name));
    if (!obj) throw new StoreError(404, 'NotFound', `${qualified(res)} "${name}" not found`);
    return structuredClone(obj);
  }

  list(res: Resource, namespace: string | undefined, labels: Selector, fields: Selector): any[] {
    const out: any[] = [];
    for (const obj of this.objects.values()) {
      if (matches(res, obj, namespace, labels, fields)) out.push(structuredClone(obj));
    }
    return out.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  }

  create(res: Resource, obj: any): any {
    const meta = obj.metadata ?? {};
    if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
    if (!meta.name) throw new StoreError(422, 'Invalid', 'metadata.name: Required value');
    const key = this.key(res, meta.namespace, meta.name);
    if (this.objects.has(key)) throw new StoreError(409, 'AlreadyExists', `${qualified(res)} "${meta.name}" already exists`);
    const stored = {
      ...obj,
      apiVersion: apiVersionOf(res),
      kind: res.kind,
      metadata: { ...meta, uid: randomUUID(), creationTimestamp: nowStamp(), generation: 1 },
    };
    if (!res.namespaced) delete stored.metadata.namespace;
    return this.commit(res, key, stored, 'ADDED');
  }

  /** update replaces an object; `mode` says which part the caller may change. */
  update(res: Resource, obj: any, mode: 'main' | 'status'): any {
    const meta = obj.metadata ?? {};
    const key = this.key(res, meta.namespace, meta.name);
    const old = this.objects.get(key);
    if (!old) throw new StoreError(404, 'NotFound', `${qualified(res)} "${meta.name}" not found`);
    if (meta.resourceVersion && meta.resourceVersion !== old.metadata.resourceVersion) throw conflict(res, meta.name);
    const next = mode === 'status' ? { ...old, status: obj.status } : mainUpdate(res, old, obj);
    if (JSON.stringify(next) === JSON.stringify(old)) return structuredClone(old);
    return this.commit(res, key, next, 'MODIFIED');
  }

  delete(res: Resource, namespace: string | undefined, name: string): any {
    const key = this.key(res, namespace, name);
    const old = this.objects.get(key);
    if (!old) throw new StoreError(404, 'NotFound', `${qualified(res)} "${name}" not found`);
    this.objects.delete(key);
    this.rv++;
    const gone = { ...old, metadata: { ...old.metadata, resourceVersion: String(this.rv) } };
    this.record(res, 'DELETED', gone);
    return structuredClone(gone);
  }

  /** compact forgets the history: watches from any older resourceVersion now get 410 Gone. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history = [];
  }

  /** replay sends a new watcher every change after `fromRv`; false = too old (410 Gone). */
  replay(watcher: Watcher, fromRv: number): boolean {
    if (fromRv < this.compactedRv) return false;
    for (const entry of this.history) {
      if (entry.rv > fromRv && entry.resource === watcher.resource) deliver(watcher, entry.type, entry.object);
    }
    return true;
  }

  private commit(res: Resource, key: string, obj: any, type: 'ADDED' | 'MODIFIED'): any {
    this.rv++;
    obj.metadata.resourceVersion = String(this.rv);
    this.objects.set(key, obj);
    this.record(res, type, obj);
    return structuredClone(obj);
  }

  private record(res: Resource, type: HistoryEntry['type'], object: any): void {
    const entry = { rv: this.rv, resource: res, type, object: structuredClone(object) };
    this.history.push(entry);
    for (const w of this.watchers) if (w.resource === res) deliver(w, type, entry.object);
  }
}

/** conflict: apierrors.NewConflict's Status (staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go, OptimisticLockErrorMsg). */
function conflict(res: Resource, name: string): StoreError {
  return new StoreError(409, 'Conflict',
    `Operation cannot be fulfilled on ${qualified(res)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group: res.group, kind: res.plural });
}

/** qualified: "plural.group" as the API server names a resource in its messages. */
function qualified(res: Resource): string {
  return res.group ? `${res.plural}.${res.group}` : res.plural;
}

function deliver(w: Watcher, type: WatchEventType, obj: any): void {
  if (matches(w.resource, obj, w.namespace, w.labels, w.fields)) w.send(type, obj);
}

function matches(res: Resource, obj: any, namespace: string | undefined, labels: Selector, fields: Selector): boolean {
  if (obj.apiVersion !== apiVersionOf(res) || obj.kind !== res.kind) return false;
  if (namespace !== undefined && obj.metadata.namespace !== namespace) return false;
  return labels(obj) && fields(obj);
}

/** mainUpdate keeps the stored status (when there is a subresource) and bumps generation on a spec change. */
function mainUpdate(res: Resource, old: any, obj: any): any {
  const next = {
    ...obj,
    apiVersion: old.apiVersion,
    kind: old.kind,
    metadata: { ...obj.metadata, uid: old.metadata.uid, creationTimestamp: old.metadata.creationTimestamp,
      generation: old.metadata.generation, resourceVersion: old.metadata.resourceVersion },
  };
  if (res.status) next.status = old.status;
  if (next.status === undefined) delete next.status;
  if (JSON.stringify(bodyOf(next)) !== JSON.stringify(bodyOf(old))) next.metadata.generation = (old.metadata.generation ?? 1) + 1;
  return next;
}

/** bodyOf is everything that counts as "spec" for the generation: all but metadata and status. */
function bodyOf(obj: any): unknown {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest;
}

function keyOf(obj: any): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

function nowStamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}
