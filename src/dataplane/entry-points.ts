import type { ListenerConfig } from '../config/types.js';
import type { Logger } from '../lib/log.js';
import type { EntryPoint } from './router/entry-point.js';
import type { ListenAddress, ProxyServer } from './server.js';

/**
 * ListenerBinding: how Gateway listeners map to proxy sockets (`--gateway-listeners`).
 * `overrides` maps a listener name ("<ns>/<gateway>:<port>") or a bare listener port ("80") to
 * the socket that stands for it; with `auto`, every other listener is bound on its port, on the
 * Gateway's spec.addresses or else `defaultHost`.
 */
export interface ListenerBinding {
  auto: boolean;
  defaultHost: string;
  overrides: ReadonlyMap<string, ListenAddress>;
}

/** PlannedSocket: one socket to serve, the listener port it stands for and its listeners. */
export interface PlannedSocket {
  address: ListenAddress;
  port: number;
  names: Set<string>;
}

const key = (a: ListenAddress): string => (a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`);

function socketsFor(l: ListenerConfig, binding: ListenerBinding): ListenAddress[] {
  const override = binding.overrides.get(l.name) ?? binding.overrides.get(String(l.port));
  if (override !== undefined) return [override];
  if (!binding.auto) return [];
  const hosts = l.addresses?.length ? l.addresses : [binding.defaultHost];
  return hosts.map((host) => ({ host, port: l.port }));
}

/**
 * planSockets groups listeners by the socket they map to. Gateways sharing an address and port
 * share the socket (their routes are served together there); a socket asked to stand for two
 * different listener ports keeps the first and reports the rest in `conflicts`.
 */
export function planSockets(listeners: readonly ListenerConfig[], binding: ListenerBinding): { sockets: Map<string, PlannedSocket>; conflicts: string[] } {
  const sockets = new Map<string, PlannedSocket>();
  const conflicts: string[] = [];
  for (const l of listeners) {
    // TLS listeners are served by the --proxy-listen-tls socket, which takes every route.
    if (l.protocol === 'https') continue;
    for (const address of socketsFor(l, binding)) {
      const k = key(address);
      const planned = sockets.get(k);
      if (planned === undefined) sockets.set(k, { address, port: l.port, names: new Set([l.name]) });
      else if (planned.port === l.port) planned.names.add(l.name);
      else conflicts.push(`${l.name}: ${k} already stands for listener port ${planned.port}`);
    }
  }
  return { sockets, conflicts };
}

/**
 * EntryPoints keeps one proxy socket per planned address. A config change updates the listener
 * names of the sockets in place; a new address is bound; an address no listener maps to any more
 * keeps its socket but serves no Gateway route (sockets close with the proxy). A socket that
 * cannot be bound is logged and retried on the next change, never fatal.
 */
export class EntryPoints {
  private readonly bound = new Map<string, EntryPoint & { names: Set<string> }>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly proxy: ProxyServer,
    private readonly binding: ListenerBinding,
    private readonly log: Logger,
  ) {}

  /** sync serves `listeners` (calls are applied in order); resolves when sockets are bound. */
  sync(listeners: readonly ListenerConfig[]): Promise<void> {
    this.queue = this.queue.then(() => this.apply(listeners));
    return this.queue;
  }

  /** The sockets bound so far and the listener names each serves (admin, tests). */
  list(): Array<{ address: string; port: number; listeners: string[] }> {
    return [...this.bound].map(([address, e]) => ({ address, port: e.port, listeners: [...e.names].sort() }));
  }

  private async apply(listeners: readonly ListenerConfig[]): Promise<void> {
    const { sockets, conflicts } = planSockets(listeners, this.binding);
    for (const c of conflicts) this.log.warn({ conflict: c }, 'gateway listener not served');
    for (const [k, entry] of this.bound) if (!sockets.has(k)) entry.names.clear();
    for (const [k, planned] of sockets) {
      const entry = this.bound.get(k);
      if (entry !== undefined && entry.port === planned.port) {
        replaceAll(entry.names, planned.names);
        continue;
      }
      if (entry !== undefined) {
        this.log.warn({ address: k, port: planned.port, serving: entry.port }, 'socket already stands for another listener port');
        continue;
      }
      await this.bind(k, planned);
    }
  }

  private async bind(k: string, planned: PlannedSocket): Promise<void> {
    const entry = { port: planned.port, names: planned.names };
    try {
      const at = await this.proxy.listen(planned.address, entry);
      this.bound.set(k, entry);
      this.log.info({ address: at.host, port: at.port, listeners: [...planned.names] }, 'gateway listener serving');
    } catch (err) {
      this.log.error({ address: k, listeners: [...planned.names], err: (err as Error).message }, 'cannot listen for gateway listener');
    }
  }
}

function replaceAll(target: Set<string>, source: ReadonlySet<string>): void {
  for (const n of target) if (!source.has(n)) target.delete(n);
  for (const n of source) target.add(n);
}
