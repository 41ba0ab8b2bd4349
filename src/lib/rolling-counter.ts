/**
 * RollingCounter: events in the last `windowSeconds`, in one-second buckets. Used for "requests
 * routed by cookie in the last 60 s" per target; O(1) per event.
 *
 * The buckets are allocated on the first event: most targets of a large config never see a
 * sticky request, and two typed arrays each (their ArrayBuffers, backing stores and bookkeeping)
 * were the largest part of a target's memory, ~60 MB of 300 at 50,000 targets (bench/memory.ts).
 */
export class RollingCounter {
  /** [second, count] per bucket, interleaved in one array; null until the first event. */
  private slots: Uint32Array | null = null;

  constructor(private readonly windowSeconds = 60) {}

  /** copyFrom: `other`'s events, as if they had been counted here. */
  copyFrom(other: RollingCounter): void {
    this.slots = other.slots === null || other.windowSeconds !== this.windowSeconds ? null : other.slots.slice();
  }

  add(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    const slots = this.slots ?? (this.slots = new Uint32Array(2 * this.windowSeconds));
    const i = 2 * (second % this.windowSeconds);
    // Epoch seconds fit a Uint32 until 2106.
    if (slots[i] !== second) {
      slots[i] = second;
      slots[i + 1] = 0;
    }
    slots[i + 1]++;
  }

  count(nowMs: number): number {
    const slots = this.slots;
    if (slots === null) return 0;
    const now = Math.floor(nowMs / 1000);
    let total = 0;
    for (let i = 0; i < slots.length; i += 2) {
      if (now - slots[i]! < this.windowSeconds) total += slots[i + 1]!;
    }
    return total;
  }

  /**
   * history: events per second for the last `windowSeconds` seconds, oldest first, the current
   * (partial) second last. For the dashboard's sparkline; called per admin poll, not per request.
   */
  history(nowMs: number): number[] {
    const now = Math.floor(nowMs / 1000);
    const out = new Array<number>(this.windowSeconds).fill(0);
    const slots = this.slots;
    if (slots === null) return out;
    for (let age = 0; age < this.windowSeconds; age++) {
      const second = now - age;
      const i = 2 * (((second % this.windowSeconds) + this.windowSeconds) % this.windowSeconds);
      if (slots[i] === second) out[this.windowSeconds - 1 - age] = slots[i + 1]!;
    }
    return out;
  }
}
