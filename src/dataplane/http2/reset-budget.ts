/** Rapid reset (CVE-2023-44487): client resets and refused streams, a token bucket as nghttp2's. */
const RESET_BURST = 1000;
const RESET_PER_SECOND = 33;

/**
 * ResetBudget: how many streams a client connection may still reset (or have refused) before it
 * counts as a rapid-reset attack: a burst, refilled at a steady rate.
 */
export class ResetBudget {
  private tokens = RESET_BURST;
  private stamp = Date.now();

  /** spend takes one reset; false once the client is past the rate. */
  spend(): boolean {
    const now = Date.now();
    this.tokens = Math.min(RESET_BURST, this.tokens + ((now - this.stamp) * RESET_PER_SECOND) / 1000);
    this.stamp = now;
    return --this.tokens >= 0;
  }
}
