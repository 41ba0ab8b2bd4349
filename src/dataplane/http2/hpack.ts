import { huffmanDecode } from './hpack-huffman.js';

/** RFC 7541 Appendix A: index 1..61. */
export const STATIC_TABLE: ReadonlyArray<readonly [string, string]> = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''],
  ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];

/** Each entry costs its octets plus 32 (RFC 7541 s4.1). */
const ENTRY_OVERHEAD = 32;
/** An integer past this is no header block of ours (and would lose precision): COMPRESSION_ERROR. */
const MAX_INTEGER = 1 << 28;

/**
 * HpackDecoder: one connection's header block decoder (RFC 7541 s3), with its dynamic table
 * bounded by the SETTINGS_HEADER_TABLE_SIZE we advertised. decode() returns the fields as a flat
 * [name, value, ...] list, or null on a malformed block (`error` says why): the caller treats that
 * as a connection error COMPRESSION_ERROR (RFC 9113 s4.3). Every block must be decoded, even for a
 * stream about to be refused, or the table drifts from the peer's.
 */
export class HpackDecoder {
  error = '';
  /** The last decode() passed `maxListSize` (RFC 9113 s6.5.2 counting): fields past it were dropped. */
  overflow = false;
  /** Dynamic table, oldest first from `head`; newest is index 62. */
  private names: string[] = [];
  private values: string[] = [];
  private head = 0;
  private size = 0;
  private capacity: number;

  /** `limit`: our SETTINGS_HEADER_TABLE_SIZE, the most a size update may ask for. */
  constructor(private readonly limit = 4096) {
    this.capacity = limit;
  }

  /** Entries in the dynamic table (for tests). */
  get dynamicSize(): number {
    return this.size;
  }

  decode(block: Buffer, start: number, end: number, maxListSize: number): string[] | null {
    const out: string[] = [];
    let listSize = 0;
    let pos = start;
    let fieldsSeen = false;
    this.overflow = false;
    while (pos < end) {
      const b = block[pos]!;
      let name: string;
      let value: string;
      if (b & 0x80) {
        // s6.1 indexed field
        const index = this.integer(block, pos, end, 7);
        if (index < 0) return null;
        pos = this.pos;
        if (!this.lookup(index)) return null;
        name = this.foundName;
        value = this.foundValue;
      } else if ((b & 0xe0) === 0x20) {
        // s6.3 dynamic table size update: only before the first field of a block (s4.2)
        if (fieldsSeen) return this.fail('table size update after a field');
        const size = this.integer(block, pos, end, 5);
        if (size < 0) return null;
        pos = this.pos;
        if (size > this.limit) return this.fail('table size update past SETTINGS_HEADER_TABLE_SIZE');
        this.capacity = size;
        this.evict(0);
        continue;
      } else {
        // s6.2 literal: with incremental indexing (01), without (0000) or never indexed (0001)
        const indexing = (b & 0xc0) === 0x40;
        const index = this.integer(block, pos, end, indexing ? 6 : 4);
        if (index < 0) return null;
        pos = this.pos;
        if (index === 0) {
          const literal = this.string(block, pos, end);
          if (literal === null) return null;
          name = literal;
          pos = this.pos;
        } else {
          if (!this.lookup(index)) return null;
          name = this.foundName;
        }
        const literal = this.string(block, pos, end);
        if (literal === null) return null;
        value = literal;
        pos = this.pos;
        if (indexing) this.add(name, value);
      }
      fieldsSeen = true;
      listSize += name.length + value.length + ENTRY_OVERHEAD;
      if (listSize > maxListSize) this.overflow = true;
      else out.push(name, value);
    }
    return out;
  }

  private pos = 0;
  private foundName = '';
  private foundValue = '';

  private fail(why: string): null {
    this.error = why;
    return null;
  }

  /** integer (s5.1) with an N-bit prefix at `pos`; sets this.pos past it; -1 when malformed. */
  private integer(buf: Buffer, pos: number, end: number, prefixBits: number): number {
    const mask = (1 << prefixBits) - 1;
    let value = buf[pos]! & mask;
    pos++;
    if (value === mask) {
      let shift = 0;
      for (;;) {
        if (pos >= end) return this.fail('truncated integer') ?? -1;
        const b = buf[pos++]!;
        value += (b & 0x7f) * 2 ** shift;
        shift += 7;
        if (value > MAX_INTEGER) return this.fail('integer too large') ?? -1;
        if ((b & 0x80) === 0) break;
      }
    }
    this.pos = pos;
    return value;
  }

  /** string literal (s5.2) at `pos`; sets this.pos past it. */
  private string(buf: Buffer, pos: number, end: number): string | null {
    if (pos >= end) return this.fail('truncated string');
    const huffman = (buf[pos]! & 0x80) !== 0;
    const length = this.integer(buf, pos, end, 7);
    if (length < 0) return null;
    const from = this.pos;
    if (length > end - from) return this.fail('string past the block');
    this.pos = from + length;
    if (!huffman) return buf.toString('latin1', from, from + length);
    const s = huffmanDecode(buf, from, from + length);
    return s === null ? this.fail('invalid Huffman string') : s;
  }

  private lookup(index: number): boolean {
    if (index === 0) return this.fail('index 0') ?? false;
    if (index <= STATIC_TABLE.length) {
      const entry = STATIC_TABLE[index - 1]!;
      this.foundName = entry[0];
      this.foundValue = entry[1];
      return true;
    }
    const at = this.names.length - 1 - (index - STATIC_TABLE.length - 1);
    if (at < this.head) return this.fail(`index ${index} past the table`) ?? false;
    this.foundName = this.names[at]!;
    this.foundValue = this.values[at]!;
    return true;
  }

  /** add inserts (s4.4): evicts first; an entry larger than the table empties it and is not kept. */
  private add(name: string, value: string): void {
    const cost = name.length + value.length + ENTRY_OVERHEAD;
    this.evict(cost);
    if (cost > this.capacity) return;
    this.names.push(name);
    this.values.push(value);
    this.size += cost;
  }

  /** evict drops the oldest entries until `room` more octets fit (s4.3). */
  private evict(room: number): void {
    while (this.size + room > this.capacity && this.head < this.names.length) {
      this.size -= this.names[this.head]!.length + this.values[this.head]!.length + ENTRY_OVERHEAD;
      this.head++;
    }
    // Compact once the dropped prefix dominates, so the arrays stay bounded by the table.
    if (this.head > 64 && this.head * 2 > this.names.length) {
      this.names = this.names.slice(this.head);
      this.values = this.values.slice(this.head);
      this.head = 0;
    }
  }
}

const staticByName = new Map<string, number>();
/** By name, then value: no string built per field to look a pair up. */
const staticByPair = new Map<string, Map<string, number>>();
for (let i = STATIC_TABLE.length - 1; i >= 0; i--) {
  const [name, value] = STATIC_TABLE[i]!;
  staticByName.set(name, i + 1);
  if (value === '') continue;
  let values = staticByPair.get(name);
  if (values === undefined) staticByPair.set(name, (values = new Map()));
  values.set(value, i + 1);
}

/**
 * HpackEncoder: header blocks we send. Fields go as static-table references where name and value
 * match, else as literals without indexing (s6.2.2) naming a static entry where one has the name;
 * strings go without Huffman coding (s5.2 lets the encoder choose). Our dynamic table is never
 * used: the first block says so with a size update to 0 (s6.3), which keeps us within any
 * SETTINGS_HEADER_TABLE_SIZE the peer sets later.
 */
export class HpackEncoder {
  private announced = false;
  private buf = Buffer.allocUnsafe(4096);
  private pos = 0;

  /**
   * encode: `fields` flat [name, value, ...], names lowercase; returns a new Buffer whose first
   * `reserve` octets are left for the caller (a frame header goes there without another copy).
   */
  encode(fields: readonly string[], reserve = 0): Buffer {
    this.room(reserve);
    this.pos = reserve;
    if (!this.announced) {
      this.announced = true;
      this.byte(0x20); // size update to 0
    }
    for (let i = 0; i < fields.length; i += 2) this.field(fields[i]!, fields[i + 1]!);
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  private field(name: string, value: string): void {
    const both = staticByPair.get(name)?.get(value);
    if (both !== undefined) return this.integer(both, 7, 0x80);
    const named = staticByName.get(name);
    if (named !== undefined) this.integer(named, 4, 0x00);
    else {
      this.byte(0x00);
      this.string(name);
    }
    this.string(value);
  }

  private integer(value: number, prefixBits: number, flags: number): void {
    const mask = (1 << prefixBits) - 1;
    if (value < mask) return this.byte(flags | value);
    this.byte(flags | mask);
    value -= mask;
    while (value >= 0x80) {
      this.byte((value & 0x7f) | 0x80);
      value = Math.floor(value / 128);
    }
    this.byte(value);
  }

  private string(s: string): void {
    this.integer(Buffer.byteLength(s, 'latin1'), 7, 0x00);
    this.room(s.length);
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  private byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }
}
