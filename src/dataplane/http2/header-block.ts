/** SETTINGS_MAX_HEADER_LIST_SIZE we advertise on both sides (node's http2 default maxHeaderListSize is 64 KiB too). */
export const MAX_HEADER_LIST_SIZE = 65_536;
/** Compressed header block octets (HEADERS + CONTINUATION) we take at most: the CONTINUATION flood cap. */
const MAX_HEADER_BLOCK = 2 * MAX_HEADER_LIST_SIZE;
const MAX_CONTINUATIONS = 128;

/**
 * HeaderBlock: a header block in progress, a HEADERS without END_HEADERS and then its
 * CONTINUATION frames (RFC 9113 s6.10), for a connection of either side. Its fragments are held
 * as views into the bytes read until the block is whole; a peer that sends more than
 * MAX_HEADER_BLOCK octets or MAX_CONTINUATIONS frames is flooding (CVE-2024-27316 and kin).
 */
export class HeaderBlock {
  /** The stream the block is for; 0 when no block is in progress. */
  stream = 0;
  /** The HEADERS frame's flags (END_STREAM). */
  flags = 0;
  /** Its priority names its own stream as the dependency (s5.3.1). */
  selfDependent = false;
  private parts: Buffer[] = [];
  private size = 0;

  get open(): boolean {
    return this.stream !== 0;
  }

  begin(stream: number, flags: number, fragment: Buffer, selfDependent: boolean): void {
    this.stream = stream;
    this.flags = flags;
    this.selfDependent = selfDependent;
    this.parts = [fragment];
    this.size = fragment.length;
  }

  /** add takes a CONTINUATION's fragment; false when the block passed a flood cap. */
  add(fragment: Buffer): boolean {
    this.size += fragment.length;
    this.parts.push(fragment);
    return this.size <= MAX_HEADER_BLOCK && this.parts.length <= MAX_CONTINUATIONS;
  }

  /** take returns the whole block and ends it. */
  take(): Buffer {
    const whole = Buffer.concat(this.parts);
    this.stream = 0;
    this.parts = [];
    return whole;
  }
}
