import { Snapshot } from '../snapshot.js';
import type { KubeObject, TranslateOptions, TranslateResult } from '../types.js';
import { assemble } from './assemble.js';
import { buildGatewayWorld, type GatewayWorld } from './gateway.js';
import { gatewayStatuses } from './gateway-status.js';
import { translateHTTPRoute } from './httproute.js';
import { isOurIngress, translateIngress } from './ingress.js';
import { policyStatuses } from './policy-status.js';
import { Reader } from './reader.js';
import type { UnitOutput } from './status.js';

/** Clock gives the lastTransitionTime for conditions that change in this translation. */
export type Clock = () => string;

/** systemClock is the default Clock; tests and golden files inject a fixed one. */
export const systemClock: Clock = () => new Date().toISOString();

interface CachedUnit {
  reader: Reader;
  output: UnitOutput;
}

function scopeFilter(opts: TranslateOptions): ((o: KubeObject) => boolean) | undefined {
  if (opts.watchNamespaces.length === 0) return undefined;
  const watched = new Set(opts.watchNamespaces);
  return (o) => o.metadata.namespace === undefined || watched.has(o.metadata.namespace);
}

/**
 * IncrementalTranslator translates snapshot after snapshot, reusing the output of every
 * HTTPRoute and Ingress whose inputs (the object, its Gateways, Services, EndpointSlices,
 * policies, grants, Secrets: whatever its translation looked up) have the same versions as last
 * time. Gateways, statuses of shared objects and the final merge are redone each time; they
 * are small or linear. The result equals `translate()` on the same snapshot.
 */
export class IncrementalTranslator {
  private units = new Map<string, CachedUnit>();

  constructor(
    private readonly opts: TranslateOptions,
    private readonly clock: Clock = systemClock,
  ) {}

  update(input: Snapshot): TranslateResult {
    const filter = scopeFilter(this.opts);
    const snapshot = filter === undefined ? input : Snapshot.from([...input.all()].filter(filter));
    const now = this.clock();
    const world = buildGatewayWorld(snapshot, this.opts, () => true);
    const next = new Map<string, CachedUnit>();
    const outputs = this.translateUnits(snapshot, world, now, next);
    this.units = next;
    const merged = assemble(outputs, world.certificates);
    const policies = policyStatuses(snapshot, merged.policyUses, this.opts.controllerName, now);
    return {
      config: merged.config,
      statuses: [...gatewayStatuses(world, merged.attached, now), ...merged.statuses, ...policies.statuses],
      events: [...world.events, ...merged.events, ...policies.events],
    };
  }

  private translateUnits(snapshot: Snapshot, world: GatewayWorld, now: string, next: Map<string, CachedUnit>): UnitOutput[] {
    const outputs: UnitOutput[] = [];
    const ctx = { world, controllerName: this.opts.controllerName, drainSupport: this.opts.enableDrainSupport, now };
    const run = (key: string, work: (reader: Reader) => UnitOutput): void => {
      const cached = this.units.get(key);
      const unit = cached !== undefined && cached.reader.unchanged(snapshot) ? cached : fresh(snapshot, work);
      next.set(key, unit);
      outputs.push(unit.output);
    };
    for (const route of snapshot.list('HTTPRoute')) {
      run(Reader.key(route), (reader) => translateHTTPRoute(reader, route, ctx));
    }
    for (const ing of snapshot.list('Ingress')) {
      if (isOurIngress(ing, this.opts)) run(Reader.key(ing), (reader) => translateIngress(reader, ing, this.opts.enableDrainSupport));
    }
    return outputs;
  }
}

function fresh(snapshot: Snapshot, work: (reader: Reader) => UnitOutput): CachedUnit {
  const reader = new Reader(snapshot);
  return { reader, output: work(reader) };
}

/**
 * translate turns a snapshot into gateway config, statuses and events. Pure apart from the
 * clock, which only stamps new condition transitions (pass a fixed one for reproducible output).
 */
export function translate(snapshot: Snapshot, opts: TranslateOptions, clock: Clock = systemClock): TranslateResult {
  return new IncrementalTranslator(opts, clock).update(snapshot);
}

export { Snapshot };
