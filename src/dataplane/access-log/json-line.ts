import { ascii, putAscii, putBytes, putJsonString, putMillis, putNumber, putThreeDigits } from './put-bytes.js';
import type { AccessRecord } from './record.js';

/**
 * encodeJsonLine: one JSON object per line; field names are the README's contract. Written
 * straight into the writer's batch, with no string built and copied. It runs once per request on
 * the proxy's event loop, over the records of up to PENDING_RECORDS requests in a row
 * (access-log.ts). A line is a few copies of bytes kept from earlier lines and the numbers between
 * them: the time and the request's own fields up to the latency (RequestRun), and the
 * route-to-target block with the outcome and the end of the line (UntracedTail), each reused while
 * its values repeat. The line is ASCII only (non-ASCII is written as \uXXXX escapes, RFC 8259 s7).
 */
export function encodeJsonLine(into: Uint8Array, at: number, r: AccessRecord): number {
  const startedMs = Math.floor(r.startedAt);
  const second = Math.floor(startedMs / 1000);
  let p = REQUEST_RUN.put(into, at, r, second);
  // The run holds "000" for the milliseconds: this request's are written over them.
  putThreeDigits(into, at + REQUEST_RUN.millisAt, (startedMs - second * 1000) | 0);
  p = putMillis(into, p, r.totalMs);
  p = putBytes(into, p, UPSTREAM_LATENCY_KEY);
  const upstreamMs = r.upstreamMs;
  p = upstreamMs === null ? putBytes(into, p, NULL) : putMillis(into, p, upstreamMs);
  return putTail(into, p, r);
}

/**
 * RequestRun: `{"time":"…T09:05:07.000Z","client_ip":…,"bytes_out":…,"latency_ms":`, the time up
 * to the second and the request's own fields, as the last line had them: a client's keep-alive
 * requests for the same page, or a busy route's answers, repeat them all within a second, and one
 * check and copy of the run costs less than a check and a copy per field, or per group of fields
 * (the encoder took ~4,400 instructions a line in the proxy with three runs and the time apart,
 * ~3,000 with one run; ~1,700 alone in bench/encode-lines.mjs with the time in the run:
 * bench/RESULTS.md "Thirteenth session", "Fourteenth session"). A run that changed is written
 * into the run's own reused store from each field's cached bytes, and copied from there.
 */
class RequestRun {
  // NaN never equals itself, so the first line is always encoded.
  private second = NaN;
  private clientIp = '';
  private forwardedFor: string | null = null;
  private method = '';
  private host = '';
  private path = '';
  private protocol = '';
  private status = NaN;
  private bytesIn = NaN;
  private bytesOut = NaN;
  private readonly store = new RunStore();
  /** Where the run's milliseconds are: after `{"time":"` and the date and time up to the second. */
  millisAt = 0;

  put(into: Uint8Array, at: number, r: AccessRecord, second: number): number {
    if (r.bytesOut !== this.bytesOut || r.status !== this.status || r.path !== this.path || r.clientIp !== this.clientIp ||
      second !== this.second || r.host !== this.host || r.method !== this.method || r.forwardedFor !== this.forwardedFor ||
      r.protocol !== this.protocol || r.bytesIn !== this.bytesIn) this.remember(r, second);
    return putBytes(into, at, this.store.bytes);
  }

  private remember(r: AccessRecord, second: number): void {
    this.second = second;
    this.clientIp = r.clientIp;
    this.forwardedFor = r.forwardedFor;
    this.method = r.method;
    this.host = r.host;
    this.path = r.path;
    this.protocol = r.protocol;
    this.status = r.status;
    this.bytesIn = r.bytesIn;
    this.bytesOut = r.bytesOut;
    this.millisAt = timePrefix(second).length;
    this.store.encode(RequestRun.encode, this);
  }

  private static encode(into: Uint8Array, at: number, run: RequestRun): number {
    let p = putBytes(into, at, timePrefix(run.second));
    p = putBytes(into, p, NO_MILLIS);
    p = putBytes(into, p, CLIENT_IP.of(run.clientIp));
    p = putBytes(into, p, FORWARDED_FOR.of(run.forwardedFor));
    p = putBytes(into, p, METHOD.of(run.method));
    p = putBytes(into, p, HOST.of(run.host));
    p = putJsonString(into, p, run.path);
    p = putBytes(into, p, PROTOCOL.of(run.protocol));
    p = putNumber(into, p, run.status);
    p = putBytes(into, p, BYTES_IN_KEY);
    p = putNumber(into, p, run.bytesIn);
    p = putBytes(into, p, BYTES_OUT_KEY);
    p = putNumber(into, p, run.bytesOut);
    return putBytes(into, p, LATENCY_KEY);
  }
}

/**
 * RunStore: where a run's bytes are encoded when its values change, reused from change to change:
 * a copy of each new run made by slice() allocated its bytes outside V8's heap (malloc) and, with
 * sticky outcomes kept and new in turn, that nearly doubled the cost of a line (bench/RESULTS.md
 * "Ninth session").
 */
class RunStore {
  /** A Buffer, as the batches are (encodeFragment says why). */
  private buffer = Buffer.allocUnsafeSlow(256);
  /** The run's bytes: a view of `buffer`. */
  bytes: Uint8Array = NULL;

  /** encode writes the run `encode` makes of `value` (stores past the end dropped, as put* do), growing the buffer to fit. */
  encode<T>(encode: (into: Uint8Array, at: number, value: T) => number, value: T): void {
    let length = encode(this.buffer, 0, value);
    if (length > this.buffer.length) {
      this.buffer = Buffer.allocUnsafeSlow(2 * length);
      length = encode(this.buffer, 0, value);
    }
    this.bytes = this.buffer.subarray(0, length);
  }
}

/**
 * `,"route":…,"target_identity":…` (the target's block), `,"sticky":…,"error":…,"trace_id":…}\n`.
 * Without a trace, the whole tail is copied in one piece when this target's last line with the same
 * sticky outcome had the same retries and error (TargetBlock.untracedTails): a busy target's answers
 * mostly repeat it, and each outcome is kept apart because returning and new clients interleave.
 */
function putTail(into: Uint8Array, at: number, r: AccessRecord): number {
  const block = targetBlock(r.route, r.service, r.upstream, r.target, r.targetIdentity);
  const sticky = r.sticky;
  if (r.traceId !== null) {
    const p = putOutcome(into, putBytes(into, at, block.bytes), sticky, r.retries, r.error);
    return putBytes(into, putJsonString(into, p, r.traceId), LINE_END);
  }
  const tail = (block.untracedTails[stickyIndex(sticky)] ??= new UntracedTail(block.bytes));
  return tail.put(into, at, sticky, r.retries, r.error);
}

/**
 * UntracedTail: a target's block, then `,"sticky":…,"retries":…,"error":…,"trace_id":null}\n` for
 * the values of the last line that had them. Outcomes stickyIndex does not know share a slot, so
 * the outcome is checked too.
 */
class UntracedTail {
  private sticky: string | null = null;
  private retries = NaN;
  private error: string | null = null;
  private readonly store = new RunStore();

  constructor(private readonly block: Uint8Array) {}

  put(into: Uint8Array, at: number, sticky: string | null, retries: number, error: string | null): number {
    if (retries !== this.retries || sticky !== this.sticky || error !== this.error) {
      this.sticky = sticky;
      this.retries = retries;
      this.error = error;
      this.store.encode(UntracedTail.encode, this);
    }
    return putBytes(into, at, this.store.bytes);
  }

  static encode(into: Uint8Array, at: number, tail: UntracedTail): number {
    const p = putOutcome(into, putBytes(into, at, tail.block), tail.sticky, tail.retries, tail.error);
    return putBytes(into, p, NULL_LINE_END);
  }
}

/** `,"sticky":…,"retries":…,"error":…,"trace_id":` */
function putOutcome(into: Uint8Array, at: number, sticky: string | null, retries: number, error: string | null): number {
  let p = putBytes(into, at, STICKY.of(sticky));
  p = putNumber(into, p, retries);
  return putBytes(into, p, ERROR.of(error));
}

const NULL = ascii('null');
const NO_MILLIS = ascii('000');
const REQUEST_RUN = new RequestRun();
const BYTES_IN_KEY = ascii(',"bytes_in":');
const BYTES_OUT_KEY = ascii(',"bytes_out":');
const LATENCY_KEY = ascii(',"latency_ms":');
const UPSTREAM_LATENCY_KEY = ascii(',"upstream_latency_ms":');
const LINE_END = ascii('}\n');
const NULL_LINE_END = ascii('null}\n');

/** Distinct values a field keeps encoded before it starts over (client addresses may be many). */
const FIELD_CACHE_SIZE = 1024;

/**
 * FieldBytes: `<before><JSON value><after>` encoded, for one field's recent values. The last
 * value is checked first: on a keep-alive connection or a busy route it is the same one again.
 */
class FieldBytes {
  private lastValue: string | null | undefined = undefined;
  private lastBytes: Uint8Array = NULL;
  private readonly known = new Map<string | null, Uint8Array>();

  constructor(
    private readonly before: string,
    private readonly after = '',
  ) {}

  of(value: string | null): Uint8Array {
    if (value === this.lastValue) return this.lastBytes;
    let bytes = this.known.get(value);
    if (bytes === undefined) {
      if (this.known.size >= FIELD_CACHE_SIZE) this.known.clear();
      bytes = encodeFragment([this.before], [value], this.after);
      this.known.set(value, bytes);
    }
    this.lastValue = value;
    this.lastBytes = bytes;
    return bytes;
  }
}

// Each field carries the keys around it: the time's closing quote, the key of the number or the
// unquoted path that follows.
const CLIENT_IP = new FieldBytes('Z","client_ip":');
const FORWARDED_FOR = new FieldBytes(',"x_forwarded_for":');
const METHOD = new FieldBytes(',"method":');
const HOST = new FieldBytes(',"host":', ',"path":');
const PROTOCOL = new FieldBytes(',"protocol":', ',"status":');
const STICKY = new FieldBytes(',"sticky":', ',"retries":');
const ERROR = new FieldBytes(',"error":', ',"trace_id":');

/** stickyIndex: a slot per sticky outcome (balancers/balancer.ts StickyOutcome; null when not sticky); others share slot 0. */
function stickyIndex(sticky: string | null): number {
  // null first: compared with each case's string, it took V8's generic strict equality five times.
  if (sticky === null) return 0;
  switch (sticky) {
    case 'kept': return 1;
    case 'new': return 2;
    case 'moved_gone': return 3;
    case 'moved_unhealthy': return 4;
    case 'invalid': return 5;
    default: return 0;
  }
}

/** encodeFragment: each value as a JSON string after its key (keys[i]), then `after`. */
function encodeFragment(keys: readonly string[], values: readonly (string | null)[], after = ''): Uint8Array {
  let size = after.length;
  for (let i = 0; i < values.length; i++) size += keys[i]!.length + 6 * (values[i]?.length ?? 0) + 4;
  // A Buffer like the writer's batches, not a plain Uint8Array: the put* functions then see one
  // kind of array only. With both kinds, V8 kept putJsonString out of line with polymorphic
  // stores, and writing the path alone cost a sixth of the log's time in a profile of the proxy.
  const scratch = Buffer.allocUnsafe(size);
  let p = 0;
  for (let i = 0; i < values.length; i++) {
    p = putAscii(scratch, p, keys[i]!);
    p = putJsonString(scratch, p, values[i]!);
  }
  p = putAscii(scratch, p, after);
  return Uint8Array.prototype.slice.call(scratch, 0, p); // a copy (Buffer#slice would be a view)
}

/** The route-to-target part of a line: the same for every request a target serves on a route. */
interface TargetBlock {
  readonly route: string | null;
  readonly service: string | null;
  readonly upstream: string | null;
  readonly identity: string | null;
  readonly bytes: Uint8Array;
  /** The block, the outcome and the end of this target's last untraced line, by stickyIndex (putTail). */
  readonly untracedTails: (UntracedTail | undefined)[];
}

const TARGET_BLOCK_KEYS = [',"route":', ',"service":', ',"upstream":', ',"target":', ',"target_identity":'];
/** By target address; a target several routes share is encoded again when the route changes. */
const targetBlocks = new Map<string | null, TargetBlock>();

function targetBlock(route: string | null, service: string | null, upstream: string | null, target: string | null, identity: string | null): TargetBlock {
  const known = targetBlocks.get(target);
  if (known !== undefined && known.route === route && known.service === service && known.upstream === upstream &&
    known.identity === identity) return known;
  if (targetBlocks.size >= FIELD_CACHE_SIZE) targetBlocks.clear();
  const bytes = encodeFragment(TARGET_BLOCK_KEYS, [route, service, upstream, target, identity]);
  const block = { route, service, upstream, identity, bytes, untracedTails: [] };
  targetBlocks.set(target, block);
  return block;
}

let timePrefixSecond = NaN;
let timePrefixBytes = NULL;
/**
 * timePrefix: `{"time":"2026-11-30T09:05:07.` (Date.toISOString up to the second) for epoch
 * second `second`, built once per second: runs of several clients change in turn within it.
 */
function timePrefix(second: number): Uint8Array {
  if (second !== timePrefixSecond) {
    timePrefixSecond = second;
    timePrefixBytes = ascii('{"time":"' + new Date(second * 1000).toISOString().slice(0, -4));
  }
  return timePrefixBytes;
}
