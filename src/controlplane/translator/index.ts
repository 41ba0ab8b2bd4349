import { Snapshot } from '../snapshot.js';
import type { KubeObject, TranslateOptions, TranslateResult } from '../types.js';
import { publishedAddresses } from './addresses.js';
import { Assembler } from './assemble.js';
import { buildGatewayWorld, type GatewayWorld } from './gateway.js';
import { gatewayStatuses } from './gateway-status.js';
import { translateGRPCRoute } from './grpcroute.js';
import { translateHTTPRoute } from './httproute.js';
import { RouteClaims, type Decisions } from './route-kind-conflicts.js';
import { translateIngress } from './ingress.js';
import { gatewayListeners } from './listeners.js';
import { policyStatuses } from './policy-status.js';
import { Reader } from './reader.js';
import { TRANSLATION_FAILED, emptyOutput, warning, type UnitOutput } from './status.js';

/** Clock gives the lastTransitionTime for conditions that change in this translation. */
export type Clock = () => string;

/** systemClock is the default Clock; tests and golden files inject a fixed one. */
export const systemClock: Clock = () => new Date().toISOString();

interface CachedUnit {
  deps: ReadonlySet<string>;
  output: UnitOutput;
}

function scopeFilter(opts: TranslateOptions): ((o: KubeObject) => boolean) | undefined {
  if (opts.watchNamespaces.length === 0) return undefined;
  const watched = new Set(opts.watchNamespaces);
  return (o) => o.metadata.namespace === undefined || watched.has(o.metadata.namespace);
}

/** UnitPlan: the units of one update, in snapshot order, and which of them were redone. */
interface UnitPlan {
  keys: string[];
  outputs: UnitOutput[];
  redone: Set<number>;
}

/**
 * IncrementalTranslator translates snapshot after snapshot. Each HTTPRoute and Ingress is a
 * unit whose translation records the keys it looked up (the object, its Gateways, Services,
 * EndpointSlices, policies, grants, Secrets); a unit is redone only when one of those keys is in
 * Snapshot.changedKeys(previous, next), and the merge patches only the redone units' entities.
 * Gateways and shared statuses are redone each time: they are small. The result equals
 * `translate()` on the same snapshot.
 */
export class IncrementalTranslator {
  private units = new Map<string, CachedUnit>();
  private previous: Snapshot | undefined;
  /** Which HTTPRoutes and GRPCRoutes yield to each other, as last decided (route-kind-conflicts.ts). */
  private kindDecisions: Decisions | undefined;
  private readonly assembler = new Assembler();

  constructor(
    private readonly opts: TranslateOptions,
    private readonly clock: Clock = systemClock,
  ) {}

  update(input: Snapshot): TranslateResult {
    const filter = scopeFilter(this.opts);
    const snapshot = filter === undefined ? input : Snapshot.from([...input.all()].filter(filter));
    const changed = this.previous === undefined ? undefined : [...Snapshot.changedKeys(this.previous, snapshot)];
    const now = this.clock();
    const world = buildGatewayWorld(snapshot, this.opts);
    const plan = this.translateUnits(snapshot, world, now, changed);
    this.previous = snapshot;
    const dirty = changed === undefined ? undefined : plan.redone;
    const merged = this.assembler.assemble(plan.keys, plan.outputs, dirty, world.certificates);
    const listeners = gatewayListeners(world);
    if (listeners.length > 0) merged.config = { ...merged.config, listeners };
    const policies = policyStatuses(snapshot, merged.policyUses, this.opts.controllerName, now);
    return {
      config: merged.config,
      statuses: [...gatewayStatuses(world, merged.attached, publishedAddresses(new Reader(snapshot), this.opts), now), ...merged.statuses, ...policies.statuses],
      events: [...world.events, ...merged.events, ...policies.events],
    };
  }

  private translateUnits(snapshot: Snapshot, world: GatewayWorld, now: string, changed: string[] | undefined): UnitPlan {
    const plan: UnitPlan = { keys: [], outputs: [], redone: new Set() };
    const next = new Map<string, CachedUnit>();
    const claims = new RouteClaims(snapshot, world, this.kindDecisions, changed);
    const ctx = { world, claims, controllerName: this.opts.controllerName, drainSupport: this.opts.enableDrainSupport, now };
    const run = (obj: KubeObject, work: (reader: Reader) => UnitOutput): void => {
      const key = Reader.key(obj);
      let unit = this.units.get(key);
      if (unit === undefined || changed === undefined || isDirty(unit.deps, changed)) {
        const reader = new Reader(snapshot);
        unit = { output: contained(obj, reader, work), deps: reader.dependencies() };
        plan.redone.add(plan.keys.length);
      }
      next.set(key, unit);
      plan.keys.push(key);
      plan.outputs.push(unit.output);
    };
    for (const route of snapshot.list('HTTPRoute')) run(route, (reader) => translateHTTPRoute(reader, route, ctx));
    for (const route of snapshot.list('GRPCRoute')) run(route, (reader) => translateGRPCRoute(reader, route, ctx));
    for (const ing of snapshot.list('Ingress')) run(ing, (reader) => translateIngress(reader, ing, this.opts));
    this.units = next;
    this.kindDecisions = claims.carried();
    return plan;
  }
}

/**
 * contained runs one unit so that a translator bug on one object costs that object only: it is
 * reported as an event and the rest of the config is still produced.
 */
function contained(obj: KubeObject, reader: Reader, work: (reader: Reader) => UnitOutput): UnitOutput {
  try {
    return work(reader);
  } catch (err) {
    const out = emptyOutput();
    out.events.push(warning(obj, TRANSLATION_FAILED, `internal error translating this object: ${err instanceof Error ? err.message : String(err)}`));
    return out;
  }
}

/** isDirty: did anything the unit looked up change? `changed` is usually a handful of keys. */
function isDirty(deps: ReadonlySet<string>, changed: readonly string[]): boolean {
  for (let i = 0; i < changed.length; i++) if (deps.has(changed[i]!)) return true;
  return false;
}

/**
 * translate turns a snapshot into gateway config, statuses and events. Pure apart from the
 * clock, which only stamps new condition transitions (pass a fixed one for reproducible output).
 */
export function translate(snapshot: Snapshot, opts: TranslateOptions, clock: Clock = systemClock): TranslateResult {
  return new IncrementalTranslator(opts, clock).update(snapshot);
}

export { Snapshot };
