import type { BackendGroup, ResolvedBackend } from './backends.js';

/**
 * MirrorGroups: the upstreams one rule's RequestMirror filters send copies to. Each distinct
 * backendRef becomes one upstream named after the rule, resolved once even when the filter is
 * translated for several matches.
 */
export class MirrorGroups {
  readonly groups: BackendGroup[] = [];
  private readonly byRef = new Map<string, string>();

  constructor(
    private readonly ruleName: string,
    private readonly drainSupport: boolean,
    /** Resolves a backendRef as the rule's own backendRefs are; null = reported and dropped. */
    private readonly resolve: (ref: unknown) => ResolvedBackend | null,
  ) {}

  /** upstreamFor returns the mirror upstream's name for a backendRef, or null when it does not resolve. */
  upstreamFor(ref: unknown): string | null {
    const key = JSON.stringify(ref ?? null);
    const known = this.byRef.get(key);
    if (known !== undefined) return known;
    const backend = this.resolve(ref);
    if (backend === null) return null;
    const name = `${this.ruleName}.mirror.${this.groups.length}`;
    // A mirror's weight is meaningless (the spec sends each copy to one endpoint): targets keep 100.
    this.groups.push({ name, backends: [{ service: backend.service, port: backend.port }], drainSupport: this.drainSupport });
    this.byRef.set(key, name);
    return name;
  }
}
