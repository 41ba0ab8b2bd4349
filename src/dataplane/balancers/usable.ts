import type { TargetState } from '../targets/target.js';

/** usable: may take this new request (serves new traffic, not already failed by it). */
export function usable(t: TargetState, exclude: ReadonlySet<TargetState> | undefined): boolean {
  return t.servesNew && (exclude === undefined || !exclude.has(t));
}

/** membershipKey: identifies a target list with its weights, to skip rebuilds when nothing changed. */
export function membershipKey(targets: readonly TargetState[], withHealth = true): string {
  let key = '';
  for (const t of targets) key += `${t.key}\u0001${t.weight}\u0001${withHealth && t.servesNew ? 1 : 0}\u0002`;
  return key;
}
