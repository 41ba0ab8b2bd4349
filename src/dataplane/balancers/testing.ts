import { TargetState } from '../targets/target.js';
import type { PickRequest } from './balancer.js';

/** targets builds TargetStates "a", "b", ... of upstream "u" with the given weights (tests). */
export function targets(...weights: number[]): TargetState[] {
  return weights.map((w, i) => new TargetState('u', String.fromCharCode(97 + i), `10.0.0.${i + 1}`, 80, w));
}

/** pickRequest: a PickRequest with defaults (tests). */
export function pickRequest(extra: Partial<PickRequest> = {}): PickRequest {
  return {
    method: 'GET', path: '/', query: '', headers: {}, clientIp: '127.0.0.1', tls: false, uriCaptures: undefined,
    setCookie: undefined, setHeader: undefined, stickyOutcome: undefined, ...extra,
  };
}
