import { keyOf, listAllKey, listKey, objectKey, slicesKey, type Snapshot } from '../snapshot.js';
import type { KubeObject } from '../types.js';

/**
 * Reader wraps a Snapshot for one translation unit (one HTTPRoute, one Ingress) and records the
 * key of every lookup it makes. The incremental translator redoes a unit only when one of those
 * keys is among the snapshot's changed keys (Snapshot.changedKeys uses the same key scheme).
 */
export class Reader {
  private readonly keys = new Set<string>();

  constructor(readonly snapshot: Snapshot) {}

  /** get looks an object up and records the dependency (absence included). */
  get(type: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const key = objectKey(type, namespace, name);
    this.keys.add(key);
    return this.snapshot.getByKey(key);
  }

  /** slicesFor returns a Service's EndpointSlices and records the dependency. */
  slicesFor(namespace: string, service: string): readonly KubeObject[] {
    this.keys.add(slicesKey(namespace, service));
    return this.snapshot.endpointSlicesFor(namespace, service);
  }

  /** listIn reads the objects of a kind in one namespace and records the dependency. */
  listIn(type: string, namespace: string): readonly KubeObject[] {
    this.keys.add(listKey(type, namespace));
    return this.snapshot.listIn(type, namespace);
  }

  /** listAll reads the objects of a kind in every namespace and records the dependency. */
  listAll(type: string): readonly KubeObject[] {
    this.keys.add(listAllKey(type));
    return this.snapshot.list(type);
  }

  /** adopt records what another reader read for this unit (work shared by several units). */
  adopt(keys: ReadonlySet<string>): void {
    for (const key of keys) this.keys.add(key);
  }

  /** dependencies: the keys this unit's output depends on. */
  dependencies(): ReadonlySet<string> {
    return this.keys;
  }

  /** key of an object, for callers that index by it. */
  static key(obj: KubeObject): string {
    return keyOf(obj);
  }
}
