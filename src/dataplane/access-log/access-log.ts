import { RearmedTimeout } from '../../lib/rearmed-timeout.js';
import type { FinishedRequest } from '../proxy/observer.js';
import { encoderFor, type AccessLogFormat, type LineEncoder } from './format.js';
import { fillRecord, LogRecord, type AccessRecord } from './record.js';
import type { AccessLogSink } from './writer.js';

/** Requests whose lines wait to be encoded together; a full set is encoded at once. */
export const PENDING_RECORDS = 512;
/**
 * A request's line waits at most this long to be encoded (then at most writer.ts FLUSH_MS more to
 * be written, so a line is in the file within 0.1 s).
 * Bigger sets cost less a line: with 50 ms and 512 records the log took ~3 % less req/s than with
 * 10 ms and 128, with both on one core in either order, though against the log off the difference
 * is within the bench's noise (bench/RESULTS.md "Tenth session"); encoding a full set holds the
 * event loop ~0.1-0.2 ms.
 */
const GATHER_MS = 50;

/**
 * AccessLog: the proxy's access log. A finished request's fields are copied into one of a fixed
 * set of records (fillRecord: stores, no allocation, no encoding) and the lines are encoded into
 * the writer's batch together, up to PENDING_RECORDS at a time, at most GATHER_MS later. Encoded
 * as each request ends, between two requests' work, the encoder ran with cold caches at ~3-4 times
 * its cost in a loop (bench/RESULTS.md "Seventh session": 0.5-0.9 µs a line hot, the log costing
 * the proxy 3-6 µs a request); encoding a burst of lines keeps its code and cached fragments hot.
 */
export class AccessLog {
  private readonly encode: LineEncoder<AccessRecord>;
  private readonly withAgentFields: boolean;
  private readonly pending: LogRecord[] = Array.from({ length: PENDING_RECORDS }, () => new LogRecord());
  private count = 0;
  /** close() began: a late request's line goes to the writer at once (written, or counted dropped). */
  private closing = false;
  /** Lines an encoder failed on (a bug): counted as dropped rather than stopping the log. */
  private failed = 0;
  /** Encodes what waits, at most GATHER_MS after the first of it. */
  private readonly gatherTimer: RearmedTimeout;

  constructor(
    readonly sink: AccessLogSink,
    format: AccessLogFormat,
    gatherMs = GATHER_MS,
  ) {
    this.gatherTimer = new RearmedTimeout(() => this.encodePending(), gatherMs);
    this.encode = encoderFor(format);
    this.withAgentFields = format === 'combined';
  }

  /** record: the request's line, encoded and written later; never blocks (the writer may drop, counted). */
  record(request: FinishedRequest): void {
    fillRecord(this.pending[this.count++]!, request, this.withAgentFields);
    if (this.count === PENDING_RECORDS || this.closing) this.encodePending();
    else this.gatherTimer.arm();
  }

  /** Lines dropped because the destination was slower than the traffic (or could not be encoded). */
  get dropped(): number {
    return this.sink.dropped + this.failed;
  }

  /**
   * reopen: the file is opened again by its path (writer.ts); lines not yet written, encoded or
   * not, go to the new file.
   */
  reopen(): void {
    this.sink.reopen();
  }

  async close(timeoutMs?: number): Promise<void> {
    this.closing = true;
    this.encodePending();
    this.gatherTimer.cancel();
    await this.sink.close(timeoutMs);
  }

  /**
   * encodePending: every waiting record's line into the writer. It runs from a timer, outside the
   * engine's guard around observers (attempt.ts), so a line that cannot be encoded costs that line
   * only, never the process or the records after it.
   */
  private encodePending(): void {
    const { pending, encode, sink } = this;
    const count = this.count;
    this.count = 0;
    for (let i = 0; i < count; i++) {
      const record = pending[i]!;
      try {
        sink.append(encode, record);
      } catch {
        this.failed++;
      }
      // The request's own strings are not kept alive until the record is reused.
      record.path = '';
      record.forwardedFor = record.referer = record.userAgent = record.traceId = null;
    }
  }
}
