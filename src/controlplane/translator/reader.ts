import { objectKey, versionToken, type Snapshot } from '../snapshot.js';
import type { KubeObject } from '../types.js';

/** Dependency: one lookup a translation unit made, with what it saw. */
type Dependency =
  | { kind: 'object'; type: string; namespace: string | undefined; name: string; token: unknown }
  | { kind: 'slices'; namespace: string; service: string; tokens: unknown[] }
  | { kind: 'listIn'; type: string; namespace: string; tokens: unknown[] };

/**
 * Reader wraps a Snapshot for one translation unit (one HTTPRoute, one Ingress) and records
 * every lookup with the version it saw. The incremental translator reuses the unit's output
 * when `unchanged(next)` says every recorded lookup still gives the same version.
 */
export class Reader {
  private readonly deps: Dependency[] = [];

  constructor(readonly snapshot: Snapshot) {}

  /** get looks an object up and records the dependency (absence included). */
  get(type: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const obj = this.snapshot.get(type, namespace, name);
    this.deps.push({ kind: 'object', type, namespace, name, token: versionToken(obj) });
    return obj;
  }

  /** slicesFor returns a Service's EndpointSlices and records the set seen. */
  slicesFor(namespace: string, service: string): readonly KubeObject[] {
    const slices = this.snapshot.endpointSlicesFor(namespace, service);
    this.deps.push({ kind: 'slices', namespace, service, tokens: slices.map(versionToken) });
    return slices;
  }

  /** listIn reads the objects of a kind in one namespace and records the set seen. */
  listIn(type: string, namespace: string): readonly KubeObject[] {
    const objects = this.snapshot.listIn(type, namespace);
    this.deps.push({ kind: 'listIn', type, namespace, tokens: objects.map(versionToken) });
    return objects;
  }

  /** list reads every object of a kind; units that do this are never reused. */
  list(type: string): readonly KubeObject[] {
    this.deps.push({ kind: 'object', type, namespace: undefined, name: '\0list', token: {} });
    return this.snapshot.list(type);
  }

  /** unchanged reports whether every recorded lookup gives the same answer in `next`. */
  unchanged(next: Snapshot): boolean {
    for (const d of this.deps) {
      if (d.kind === 'object') {
        if (d.name === '\0list') return false;
        if (versionToken(next.get(d.type, d.namespace, d.name)) !== d.token) return false;
      } else if (d.kind === 'slices') {
        if (!sameTokens(next.endpointSlicesFor(d.namespace, d.service), d.tokens)) return false;
      } else if (!sameTokens(next.listIn(d.type, d.namespace), d.tokens)) return false;
    }
    return true;
  }

  /** key of an object, for callers that index by it. */
  static key(obj: KubeObject): string {
    return objectKey(obj.kind, obj.metadata.namespace, obj.metadata.name);
  }
}

function sameTokens(slices: readonly KubeObject[], tokens: unknown[]): boolean {
  if (slices.length !== tokens.length) return false;
  for (let i = 0; i < slices.length; i++) if (versionToken(slices[i]) !== tokens[i]) return false;
  return true;
}
