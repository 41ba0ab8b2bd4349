import { ascii, putAscii, putBytes, putJsonString, putMillis, putMillisOfSecond, putNumber } from './put-bytes.js';
import type { AccessRecord } from './record.js';

/**
 * encodeJsonLine: one JSON object per line; field names are the README's contract. Written
 * straight into the writer's batch, with no string built and copied. It runs once per request on
 * the proxy's event loop, over the records of up to 128 requests in a row (access-log.ts), and
 * bench/observability.sh measures it. Values that repeat
 * from line to line (client address, method, host, the route-to-target block...) are copied from
 * their cached bytes along with the keys around them, and runs of such fields that the last line
 * had too in one copy (LastRun): copying a block costs about what encoding two characters does.
 * The line is ASCII only (non-ASCII is written as \uXXXX escapes, RFC 8259 s7).
 */
export function encodeJsonLine(into: Uint8Array, at: number, r: AccessRecord): number {
  const startedAt = r.startedAt;
  let p = putBytes(into, at, timePrefix(startedAt));
  p = putMillisOfSecond(into, p, startedAt);
  p = putClientRun(into, p, r.clientIp, r.forwardedFor, r.method, r.host);
  p = putJsonString(into, p, r.path);
  p = putStatusRun(into, p, r.protocol, r.status, r.bytesIn);
  p = putNumber(into, p, r.bytesOut);
  p = putBytes(into, p, LATENCY_KEY);
  p = putMillis(into, p, r.totalMs);
  p = putBytes(into, p, UPSTREAM_LATENCY_KEY);
  const upstreamMs = r.upstreamMs;
  p = upstreamMs === null ? putBytes(into, p, NULL) : putMillis(into, p, upstreamMs);
  return putTail(into, p, r);
}

/** `Z","client_ip":…,"x_forwarded_for":…,"method":…,"host":…,"path":` */
function putClientRun(into: Uint8Array, at: number, client: string, forwardedFor: string | null, method: string, host: string): number {
  return CLIENT_RUN.put(into, at, encodeClientRun, client, forwardedFor, method, host);
}

function encodeClientRun(into: Uint8Array, at: number, client: string, forwardedFor: string | null, method: string, host: string): number {
  let p = putBytes(into, at, CLIENT_IP.of(client));
  p = putBytes(into, p, FORWARDED_FOR.of(forwardedFor));
  p = putBytes(into, p, METHOD.of(method));
  return putBytes(into, p, HOST.of(host));
}

/** `,"protocol":…,"status":…,"bytes_in":…,"bytes_out":` */
function putStatusRun(into: Uint8Array, at: number, protocol: string, status: number, bytesIn: number): number {
  return STATUS_RUN.put(into, at, encodeStatusRun, protocol, status, bytesIn, null);
}

function encodeStatusRun(into: Uint8Array, at: number, protocol: string, status: number, bytesIn: number): number {
  let p = putBytes(into, at, PROTOCOL.of(protocol));
  p = putNumber(into, p, status);
  p = putBytes(into, p, BYTES_IN_KEY);
  p = putNumber(into, p, bytesIn);
  return putBytes(into, p, BYTES_OUT_KEY);
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
  const retries = r.retries;
  const error = r.error;
  const traceId = r.traceId;
  if (traceId !== null) {
    const p = putOutcomeRun(into, putBytes(into, at, block.bytes), sticky, retries, error);
    return putBytes(into, putJsonString(into, p, traceId), LINE_END);
  }
  const memo = (block.untracedTails[stickyIndex(sticky)] ??= new LastRun());
  return memo.put(into, at, encodeUntracedTail, block.bytes, sticky, retries, error);
}

function encodeUntracedTail(into: Uint8Array, at: number, block: Uint8Array, sticky: string | null, retries: number, error: string | null): number {
  const p = putOutcomeRun(into, putBytes(into, at, block), sticky, retries, error);
  return putBytes(into, p, NULL_LINE_END);
}

/** `,"sticky":…,"retries":…,"error":…,"trace_id":` */
function putOutcomeRun(into: Uint8Array, at: number, sticky: string | null, retries: number, error: string | null): number {
  return OUTCOME_RUN.put(into, at, encodeOutcomeRun, sticky, retries, error, null);
}

function encodeOutcomeRun(into: Uint8Array, at: number, sticky: string | null, retries: number, error: string | null): number {
  let p = putBytes(into, at, STICKY.of(sticky));
  p = putNumber(into, p, retries);
  return putBytes(into, p, ERROR.of(error));
}

const NULL = ascii('null');
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

/**
 * RunEncoder: writes a run of fields from up to four values (as the put* functions write: stores
 * past the end of `into` are dropped, the returned offset counts them).
 */
type RunEncoder<A, B, C, D> = (into: Uint8Array, at: number, a: A, b: B, c: C, d: D) => number;

/**
 * LastRun: the bytes a run of neighbouring fields was encoded to in the last line, and the
 * values it came from. Consecutive lines mostly repeat a run (one client's keep-alive requests,
 * a busy route's answers), and one copy of the run costs less than a lookup and a copy per field:
 * in a profile of the proxy the copies were the encoder's largest part. A run that changes is
 * encoded field by field into the run's own store, kept for the lines after, and copied from there.
 * The store is reused from run to run: a copy of each new run made by slice() allocated its bytes
 * outside V8's heap (malloc) and, with sticky outcomes kept and new in turn, that nearly doubled
 * the cost of a line (bench/RESULTS.md "Ninth session").
 */
class LastRun {
  private v0: unknown = undefined;
  private v1: unknown = undefined;
  private v2: unknown = undefined;
  private v3: unknown = undefined;
  /** Where a changed run is encoded: a Buffer, as the batches are (encodeFragment says why). */
  private store = Buffer.allocUnsafeSlow(256);
  /** The run's bytes: a view of `store`. */
  private bytes: Uint8Array = NULL;

  /** put writes the run of these values at `at`: the bytes kept when the last run had the same values, else `encode`'s. */
  put<A, B, C, D>(into: Uint8Array, at: number, encode: RunEncoder<A, B, C, D>, v0: A, v1: B, v2: C, v3: D): number {
    // NaN never equals itself, so a NaN value is encoded each time rather than matched.
    if (v0 !== this.v0 || v1 !== this.v1 || v2 !== this.v2 || v3 !== this.v3) {
      let length = encode(this.store, 0, v0, v1, v2, v3);
      if (length > this.store.length) {
        // Its stores past the end were dropped: encode it again into a store with room.
        this.store = Buffer.allocUnsafeSlow(2 * length);
        length = encode(this.store, 0, v0, v1, v2, v3);
      }
      this.v0 = v0;
      this.v1 = v1;
      this.v2 = v2;
      this.v3 = v3;
      this.bytes = new Uint8Array(this.store.buffer, 0, length);
    }
    return putBytes(into, at, this.bytes);
  }
}

/** stickyIndex: a slot per sticky outcome (balancers/balancer.ts StickyOutcome; null when not sticky); others share slot 0. */
function stickyIndex(sticky: string | null): number {
  switch (sticky) {
    case 'kept': return 1;
    case 'new': return 2;
    case 'moved_gone': return 3;
    case 'moved_unhealthy': return 4;
    case 'invalid': return 5;
    default: return 0;
  }
}

const CLIENT_RUN = new LastRun();
const STATUS_RUN = new LastRun();
const OUTCOME_RUN = new LastRun();

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
  readonly untracedTails: (LastRun | undefined)[];
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
 * timePrefix: `{"time":"2026-11-30T09:05:07.` (Date.toISOString up to the second) for any time
 * in that second, built once per second: a busy proxy logs many requests in each.
 */
function timePrefix(ms: number): Uint8Array {
  const second = Math.floor(Math.floor(ms) / 1000);
  if (second !== timePrefixSecond) {
    timePrefixSecond = second;
    timePrefixBytes = ascii('{"time":"' + new Date(second * 1000).toISOString().slice(0, 20));
  }
  return timePrefixBytes;
}
