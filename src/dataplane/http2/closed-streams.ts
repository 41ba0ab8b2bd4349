/** Closed stream ids remembered, to tell late frames on streams we reset from protocol errors. */
const CLOSED_STREAMS_KEPT = 1024;

/**
 * ClosedStreams: a server connection's recently closed streams: true for those we reset, whose
 * late frames are ignored (RFC 9113 s5.1 "closed"), false for those the client closed or reset,
 * whose frames are STREAM_CLOSED errors. Bounded: the oldest is forgotten first, and a forgotten
 * id counts as never opened.
 */
export class ClosedStreams {
  private readonly byId = new Map<number, boolean>();

  note(id: number, resetByUs: boolean): void {
    this.byId.set(id, resetByUs);
    if (this.byId.size > CLOSED_STREAMS_KEPT) this.byId.delete(this.byId.keys().next().value!);
  }

  /** resetByUs: as noted for `id`; undefined when it is not remembered. */
  resetByUs(id: number): boolean | undefined {
    return this.byId.get(id);
  }
}
