/**
 * Restarts: the delay before replacing a dead worker. A worker that dies right after starting
 * (bad host, a crash on the config) would otherwise be forked in a tight loop; one that served
 * for a while is replaced at once.
 */
export class Restarts {
  private recent = 0;
  private last = 0;

  constructor(
    private readonly firstMs = 100,
    private readonly maxMs = 5_000,
    /** A death this long after the previous one starts the backoff over. */
    private readonly calmMs = 30_000,
  ) {}

  next(now: number): number {
    this.recent = now - this.last > this.calmMs ? 0 : this.recent + 1;
    this.last = now;
    return Math.min(this.maxMs, this.firstMs * 2 ** this.recent);
  }
}
