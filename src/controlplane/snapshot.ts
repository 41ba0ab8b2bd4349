import type { KubeObject } from './types.js';

/**
 * KIND_VERSIONS: the kinds the translator reads and the apiVersions it understands for each. An
 * object of another group (say, a CRD named `Gateway`) or of an older shape (Ingress
 * networking.k8s.io/v1beta1 has `serviceName`/`servicePort`) is ignored rather than misread.
 */
const KIND_VERSIONS: Record<string, readonly string[]> = {
  GatewayClass: ['gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1beta1'],
  Gateway: ['gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1beta1'],
  HTTPRoute: ['gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1beta1'],
  // Conformance manifests still write GRPCRoute as v1alpha2 (same schema).
  GRPCRoute: ['gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1alpha2'],
  ReferenceGrant: ['gateway.networking.k8s.io/v1beta1', 'gateway.networking.k8s.io/v1'],
  Ingress: ['networking.k8s.io/v1'],
  IngressClass: ['networking.k8s.io/v1'],
  Service: ['v1'],
  Secret: ['v1'],
  Namespace: ['v1'],
  EndpointSlice: ['discovery.k8s.io/v1'],
  KongUpstreamPolicy: ['configuration.konghq.com/v1beta1'],
};

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** objectKey is the index key of a namespaced (or cluster-scoped, ns "") object. */
export function objectKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

/** Entry: what indexing needs from an object, computed once per object (sources reuse them). */
interface Entry {
  key: string;
  /** listKey of its kind and namespace, or slicesKey of its Service for an EndpointSlice. */
  group: string | undefined;
}

const entries = new WeakMap<object, Entry | null>();

/**
 * entryOf returns an object's index entry, or null when the snapshot drops it. Cached per
 * object: sources hand the same objects to snapshot after snapshot, and reusing one key string
 * (hash computed once) makes indexing and Snapshot.changedKeys pointer comparisons.
 */
function entryOf(obj: unknown): Entry | null {
  if (obj === null || typeof obj !== 'object') return null;
  let entry = entries.get(obj);
  if (entry === undefined) {
    const ok = isWellFormed(obj) && KIND_VERSIONS[obj.kind]?.includes(obj.apiVersion) === true;
    entry = ok ? { key: objectKey(obj.kind, obj.metadata.namespace, obj.metadata.name), group: groupKey(obj) } : null;
    entries.set(obj, entry);
  }
  return entry;
}

/** keyOf is objectKey() of an object, cached per object. */
export function keyOf(obj: KubeObject): string {
  return entryOf(obj)?.key ?? objectKey(obj.kind, obj.metadata.namespace, obj.metadata.name);
}

/** slicesKey is the dependency key of "the EndpointSlices of one Service". */
export function slicesKey(namespace: string, service: string): string {
  return `slices/${namespace}/${service}`;
}

/** listKey is the dependency key of "the objects of one kind in one namespace". */
export function listKey(kind: string, namespace: string): string {
  return `list/${kind}/${namespace}`;
}

/** listAllKey is the dependency key of "the objects of one kind in every namespace". */
export function listAllKey(kind: string): string {
  return `list-all/${kind}`;
}

/**
 * versionToken identifies one version of an object: uid+resourceVersion when the source gives
 * them (the cluster does), else the object reference itself (folder sources re-create objects
 * only when the file changed). Compared with `===` by the incremental translator.
 */
export function versionToken(obj: KubeObject | undefined): unknown {
  if (obj === undefined) return undefined;
  const { uid, resourceVersion } = obj.metadata;
  return uid !== undefined && resourceVersion !== undefined ? `${uid}@${resourceVersion}` : obj;
}

/** DNS-1123 subdomain (object names) and label (namespaces), as the API server enforces them. */
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * isWellFormed: the shape every object from an API server has. Names end up in entity names of
 * the config (upstream names must be hostnames), so a name no API server would accept, which a
 * hand-written manifest can carry, keeps the object out rather than the whole config.
 */
function isWellFormed(obj: unknown): obj is KubeObject {
  if (obj === null || typeof obj !== 'object') return false;
  const o = obj as Partial<KubeObject>;
  if (typeof o.kind !== 'string' || typeof o.apiVersion !== 'string') return false;
  const meta = o.metadata;
  if (typeof meta !== 'object' || meta === null || typeof meta.name !== 'string') return false;
  if (meta.name.length > 253 || !SUBDOMAIN.test(meta.name)) return false;
  return meta.namespace === undefined || (typeof meta.namespace === 'string' && meta.namespace.length <= 63 && LABEL.test(meta.namespace));
}

/**
 * Snapshot: an immutable view of the Kubernetes objects the translator reads, with the lookups
 * it needs (by kind/namespace/name, EndpointSlices by their Service, lists per kind). Sources
 * build one per change; objects of kinds the translator does not read, or of an unexpected API
 * group, are dropped, and malformed objects are skipped, never thrown on. Objects are treated
 * as immutable: a source replaces an object to change it (as informers do), never edits it.
 */
export class Snapshot {
  private readonly byKey = new Map<string, KubeObject>();
  private readonly byKind = new Map<string, KubeObject[]>();
  /** By listKey (kind + namespace) or, for EndpointSlices, by slicesKey (their Service). */
  private readonly byGroup = new Map<string, KubeObject[]>();

  private constructor() {}

  /** from indexes the objects; later duplicates of one kind/namespace/name win. */
  static from(objects: Iterable<unknown>): Snapshot {
    const snap = new Snapshot();
    for (const obj of objects) {
      const entry = entryOf(obj);
      if (entry !== null) snap.add(obj as KubeObject, entry);
    }
    for (const [kind, list] of snap.byKind) snap.byKind.set(kind, Object.freeze(list) as KubeObject[]);
    Object.freeze(snap);
    return snap;
  }

  private add(obj: KubeObject, entry: Entry): void {
    const previous = this.byKey.get(entry.key);
    this.byKey.set(entry.key, obj);
    append(this.byKind, obj.kind, obj, previous);
    if (previous !== undefined) {
      const old = entryOf(previous)!.group;
      if (old !== undefined) append(this.byGroup, old, undefined, previous);
    }
    if (entry.group !== undefined) append(this.byGroup, entry.group, obj, undefined);
  }

  /** get returns one object, or undefined. Cluster-scoped kinds use namespace undefined or "". */
  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.byKey.get(objectKey(kind, namespace, name));
  }

  /**
   * changedKeys lists what differs between two snapshots, as dependency keys: the objectKey of
   * every added, removed or changed object, plus the slicesKey / listKey of the groups it is in.
   * Unchanged objects are usually the same references, so this is one Map lookup per object.
   */
  static changedKeys(prev: Snapshot, next: Snapshot): Set<string> {
    const changed = new Set<string>();
    let kept = 0;
    for (const [key, obj] of next.byKey) {
      const old = prev.byKey.get(key);
      if (old !== undefined) kept++;
      if (old === obj || (old !== undefined && versionToken(old) === versionToken(obj))) continue;
      markChanged(changed, key, obj, old);
    }
    if (kept === prev.byKey.size) return changed;
    for (const [key, old] of prev.byKey) if (!next.byKey.has(key)) markChanged(changed, key, undefined, old);
    return changed;
  }

  /** getByKey looks an object up by its objectKey(). */
  getByKey(key: string): KubeObject | undefined {
    return this.byKey.get(key);
  }

  /** list returns every object of a kind in source order (do not mutate). */
  list(kind: string): readonly KubeObject[] {
    return this.byKind.get(kind) ?? [];
  }

  /** listIn returns the objects of a kind in one namespace (EndpointSlices excepted). */
  listIn(kind: string, namespace: string): readonly KubeObject[] {
    return this.byGroup.get(listKey(kind, namespace)) ?? [];
  }

  /** endpointSlicesFor returns the slices labelled `kubernetes.io/service-name: <service>`. */
  endpointSlicesFor(namespace: string, service: string): readonly KubeObject[] {
    return this.byGroup.get(slicesKey(namespace, service)) ?? [];
  }

  /** secret returns a Secret by namespace and name. */
  secret(namespace: string, name: string): KubeObject | undefined {
    return this.get('Secret', namespace, name);
  }

  /** all iterates every indexed object. */
  all(): IterableIterator<KubeObject> {
    return this.byKey.values();
  }

  /** size is the number of indexed objects. */
  get size(): number {
    return this.byKey.size;
  }
}

/** append adds `obj` (if any) to a keyed list, removing `previous` (if any) first. */
function append(map: Map<string, KubeObject[]>, key: string, obj: KubeObject | undefined, previous: KubeObject | undefined): void {
  let list = map.get(key);
  if (list === undefined) {
    list = [];
    map.set(key, list);
  }
  if (previous !== undefined && list.includes(previous)) list.splice(list.indexOf(previous), 1);
  if (obj !== undefined) list.push(obj);
}

function groupKey(obj: KubeObject): string | undefined {
  if (obj.kind !== 'EndpointSlice') return listKey(obj.kind, obj.metadata.namespace ?? '');
  const service = obj.metadata.labels?.[SERVICE_NAME_LABEL];
  return service === undefined ? undefined : slicesKey(obj.metadata.namespace ?? '', service);
}

function markChanged(changed: Set<string>, key: string, now: KubeObject | undefined, old: KubeObject | undefined): void {
  changed.add(key);
  for (const obj of [now, old]) {
    const group = obj === undefined ? undefined : entryOf(obj)?.group;
    if (group !== undefined) changed.add(group);
  }
  if (specChanged(now, old)) changed.add(listAllKey((now ?? old)!.kind));
}

/**
 * specChanged: the object came, went, or its spec may differ. metadata.generation moves with the
 * spec only (a status write leaves it), so units that read every object of a kind (listAllKey)
 * are not redone for each status the controller writes; without a generation, any change counts.
 * An object deleted and created again between two snapshots (kubectl replace --force) starts
 * over at generation 1 with a new uid, maybe in the same second.
 */
function specChanged(now: KubeObject | undefined, old: KubeObject | undefined): boolean {
  if (now === undefined || old === undefined) return true;
  const generation = now.metadata.generation;
  return generation === undefined || generation !== old.metadata.generation || now.metadata.uid !== old.metadata.uid ||
    now.metadata.creationTimestamp !== old.metadata.creationTimestamp;
}
