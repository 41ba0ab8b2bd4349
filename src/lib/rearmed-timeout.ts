/**
 * RearmedTimeout: one Timeout for its owner's whole life, re-armed with refresh() rather than
 * made anew each time: the access log arms its timers every few milliseconds under load
 * (dataplane/access-log/). arm() does nothing while armed, so the first arming sets the deadline.
 * cancel() forgets the Timeout it clears: refresh() on a cleared Timeout never fires, so the
 * next arm() makes a new one.
 */
export class RearmedTimeout {
  private timer: NodeJS.Timeout | null = null;
  private armed = false;
  private readonly fire = (): void => {
    this.armed = false;
    this.onFire();
  };

  constructor(
    private readonly onFire: () => void,
    private readonly ms: number,
  ) {}

  /** arm: onFire runs `ms` from now, unless already armed (then at the earlier deadline). */
  arm(): void {
    if (this.armed) return;
    this.armed = true;
    if (this.timer === null) this.timer = setTimeout(this.fire, this.ms).unref();
    else this.timer.refresh();
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.armed = false;
  }
}
