/**
 * EntryPoint: what one proxy socket stands for in Gateway API terms: a Gateway listener port and
 * the listeners ("<namespace>/<gateway>:<port>") served there. The `--proxy-listen` socket has
 * none and serves every route. `names` is updated in place when Gateways change, so sockets
 * and their connections never need rebinding for that.
 */
export interface EntryPoint {
  readonly port: number;
  readonly names: Set<string>;
}

/** kEntryPoint tags an accepted socket with its EntryPoint (read once per request). */
export const kEntryPoint = Symbol('berth.entryPoint');

export type EntryPointTagged = { [kEntryPoint]?: EntryPoint };

/** servesAny: does the entry point serve one of a route's listeners? Hot path, no allocation. */
export function servesAny(entry: EntryPoint, listeners: readonly string[]): boolean {
  for (let i = 0; i < listeners.length; i++) if (entry.names.has(listeners[i]!)) return true;
  return false;
}
