/**
 * RollingCounter: events in the last `windowSeconds`, in one-second buckets. Used for "requests
 * routed by cookie in the last 60 s" per target; O(1) per event, no allocation after construction.
 */
export class RollingCounter {
  private readonly buckets: Uint32Array;
  private readonly stamps: Float64Array;

  constructor(private readonly windowSeconds = 60) {
    this.buckets = new Uint32Array(windowSeconds);
    this.stamps = new Float64Array(windowSeconds);
  }

  add(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    const i = second % this.windowSeconds;
    if (this.stamps[i] !== second) {
      this.stamps[i] = second;
      this.buckets[i] = 0;
    }
    this.buckets[i]++;
  }

  count(nowMs: number): number {
    const now = Math.floor(nowMs / 1000);
    let total = 0;
    for (let i = 0; i < this.windowSeconds; i++) {
      if (now - this.stamps[i]! < this.windowSeconds) total += this.buckets[i]!;
    }
    return total;
  }

  /**
   * history: events per second for the last `windowSeconds` seconds, oldest first, the current
   * (partial) second last. For the dashboard's sparkline; called per admin poll, not per request.
   */
  history(nowMs: number): number[] {
    const now = Math.floor(nowMs / 1000);
    const out = new Array<number>(this.windowSeconds);
    for (let age = 0; age < this.windowSeconds; age++) {
      const second = now - age;
      const i = ((second % this.windowSeconds) + this.windowSeconds) % this.windowSeconds;
      out[this.windowSeconds - 1 - age] = this.stamps[i] === second ? this.buckets[i]! : 0;
    }
    return out;
  }
}
