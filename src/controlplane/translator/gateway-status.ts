import type { ObjectStatus } from '../types.js';
import { GATEWAY_GROUP, ROUTE_KINDS, isValidListener, type GatewayModel, type GatewayWorld, type ListenerModel } from './gateway.js';
import type { StatusAddress } from './addresses.js';
import { ConditionFactory, refOf, type Condition } from './status.js';

function listenerConditions(l: ListenerModel, f: ConditionFactory, gatewayRejected: boolean): Condition[] {
  let accepted = f.make('Accepted', true, 'Accepted');
  if (!l.supported) accepted = f.make('Accepted', false, 'UnsupportedProtocol', `protocol ${l.protocol} is not supported (HTTP, HTTPS with TLS termination)`);
  else if (l.badHostname) accepted = f.make('Accepted', false, 'UnsupportedValue', `hostname ${JSON.stringify(l.hostname)} is not a valid hostname`);
  let resolved = f.make('ResolvedRefs', true, 'ResolvedRefs');
  if (l.certProblem !== undefined) resolved = f.make('ResolvedRefs', false, l.certProblem.reason, l.certProblem.message);
  else if (l.invalidKinds.length > 0) resolved = f.make('ResolvedRefs', false, 'InvalidRouteKinds', `unsupported route kinds: ${l.invalidKinds.join(', ')}`);
  const conflicted = l.conflicted
    ? f.make('Conflicted', true, 'HostnameConflict', 'another listener uses the same port and hostname')
    : f.make('Conflicted', false, 'NoConflicts');
  const ok = accepted.status === 'True' && resolved.status === 'True' && !l.conflicted;
  const programmed = gatewayRejected ? f.make('Programmed', false, 'Invalid', 'the Gateway is not accepted')
    : ok ? f.make('Programmed', true, 'Programmed') : f.make('Programmed', false, 'Invalid', 'listener is not valid');
  return [accepted, resolved, conflicted, programmed];
}

function gatewayStatus(gw: GatewayModel, attached: Map<string, number>, published: StatusAddress[], now: string): ObjectStatus {
  const previous: any[] = Array.isArray(gw.obj.status?.listeners) ? gw.obj.status.listeners : [];
  const gen = gw.obj.metadata.generation;
  const listeners = gw.listeners.map((l) => {
    const prev = previous.find((p) => p?.name === l.name);
    return {
      name: l.name,
      supportedKinds: l.supported ? ROUTE_KINDS.filter((k) => l.kindsAllowed.has(k)).map((kind) => ({ group: GATEWAY_GROUP, kind })) : [],
      attachedRoutes: attached.get(`${gw.key}\0${l.name}`) ?? 0,
      conditions: listenerConditions(l, new ConditionFactory(now, gen, prev?.conditions), gw.rejected !== undefined),
    };
  });
  const f = new ConditionFactory(now, gen, gw.obj.status?.conditions);
  // Not valid: not accepted, or in conflict with another listener (gateway_types.go, ListenersNotValid).
  const notValid = gw.listeners.filter((l) => !isValidListener(l)).map((l) => l.name);
  const conditions = gatewayConditions(gw, notValid, listeners.length, f);
  // A Gateway with static addresses is served on them (entry-points.ts), so those it can be
  // reached on are its addresses; one without (or with an IPAddress left for berth to assign)
  // reports the published ones; one not accepted is served nowhere.
  const { static: asked, usable } = gw.addresses;
  const own = usable.map((value): StatusAddress => ({ type: 'IPAddress', value }));
  const addresses = gw.rejected !== undefined ? [] : asked.length > 0 ? own : published;
  return { ref: refOf(gw.obj), status: addresses.length > 0 ? { addresses, conditions, listeners } : { conditions, listeners } };
}

/**
 * gatewayConditions: a Gateway rejected as a whole is not accepted with its reason. Otherwise
 * Gateway API's GatewayReasonListenersNotValid (apis/v1/gateway_types.go) is the Accepted reason
 * when a listener is not accepted or conflicted, True or False as the Gateway is accepted or not:
 * True while another listener is valid (the Gateway serves that one), False when none is.
 */
function gatewayConditions(gw: GatewayModel, notValid: string[], listenerCount: number, f: ConditionFactory): Condition[] {
  if (gw.rejected !== undefined) {
    return [f.make('Accepted', false, gw.rejected.reason, gw.rejected.message), f.make('Programmed', false, 'Invalid', 'the Gateway is not accepted')];
  }
  if (notValid.length === listenerCount) {
    return [f.make('Accepted', false, 'ListenersNotValid', 'no listener is valid'), f.make('Programmed', false, 'Invalid', 'no listener is valid')];
  }
  const accepted = notValid.length > 0
    ? f.make('Accepted', true, 'ListenersNotValid', `listeners not valid: ${notValid.join(', ')}`)
    : f.make('Accepted', true, 'Accepted');
  const unusable = gw.addresses.unusable;
  if (unusable.length > 0) {
    return [accepted, f.make('Programmed', false, 'AddressNotUsable', `no interface of this host has ${unusable.join(', ')}`)];
  }
  return [accepted, f.make('Programmed', true, 'Programmed')];
}

/** gatewayStatuses writes the status of every managed GatewayClass and Gateway. */
export function gatewayStatuses(world: GatewayWorld, attached: Map<string, number>, published: StatusAddress[], now: string): ObjectStatus[] {
  const out: ObjectStatus[] = [];
  for (const gc of world.classes.values()) {
    const f = new ConditionFactory(now, gc.metadata.generation, gc.status?.conditions);
    out.push({ ref: refOf(gc), status: { conditions: [f.make('Accepted', true, 'Accepted')] } });
  }
  for (const gw of world.gateways.values()) out.push(gatewayStatus(gw, attached, published, now));
  return out;
}
