/** What a set needs of the pool of one target (session-pool.ts, berth-session-pool.ts). */
export interface TargetPool {
  /** Live sessions (connecting, busy or idle). */
  readonly open: number;
  /** No new sessions; live ones finish their streams. */
  close(): void;
}

/** Makes the pool of one target on first use. */
export type TargetPoolFactory<P extends TargetPool> = (host: string, port: number, tls: boolean) => P;

/**
 * H2PoolSet: every upstream HTTP/2 pool of the process by scheme + address, for either client
 * engine, so a target that survives a reload keeps its sessions (the h2 counterpart of
 * proxy/pool.ts's PoolSet).
 */
export class H2PoolSet<P extends TargetPool> {
  /**
   * By address, one map per scheme: TargetState.address is a long-lived string whose hash V8
   * caches, where a "scheme://address" key built per request is hashed anew each time.
   */
  private readonly plain = new Map<string, P>();
  private readonly secure = new Map<string, P>();

  constructor(private readonly create: TargetPoolFactory<P>) {}

  get(address: string, host: string, port: number, tls: boolean): P {
    const pools = tls ? this.secure : this.plain;
    let pool = pools.get(address);
    if (pool === undefined) {
      pool = this.create(host, port, tls);
      pools.set(address, pool);
    }
    return pool;
  }

  openSessions(address: string): number {
    return (this.plain.get(address)?.open ?? 0) + (this.secure.get(address)?.open ?? 0);
  }

  /** retire: a target left the config; its sessions close once their streams end. */
  retire(address: string): void {
    for (const pools of [this.plain, this.secure]) {
      pools.get(address)?.close();
      pools.delete(address);
    }
  }

  closeAll(): void {
    for (const pools of [this.plain, this.secure]) {
      for (const pool of pools.values()) pool.close();
      pools.clear();
    }
  }
}
