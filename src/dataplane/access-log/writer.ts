import { close as closeFd, closeSync, open, openSync, write } from 'node:fs';
import type { LineEncoder } from './format.js';
import { RearmedTimeout } from '../../lib/rearmed-timeout.js';
import { putAscii } from './put-bytes.js';

/** AccessLogSink: where finished requests' lines go. */
export interface AccessLogSink {
  /**
   * append queues the line `encode` writes for `value` (ASCII, ending in "\n": both formats escape
   * everything else, see json-line.ts and combined-line.ts); never blocks, may drop when the buffer is full.
   */
  append<T>(encode: LineEncoder<T>, value: T): void;
  /** write queues one line of ASCII text ending in "\n", as append does. */
  write(line: string): void;
  /** Lines dropped because the destination was slower than the traffic. */
  readonly dropped: number;
  /**
   * reopen: a file sink opens its path again, so that lines go to a new file once logrotate (or an
   * operator) moved the old one away; other sinks ignore it. It never blocks the caller.
   */
  reopen(): void;
  /** close writes what is queued (waiting at most `timeoutMs` for a stuck destination). */
  close(timeoutMs?: number): Promise<void>;
}

/** AccessLogReopenError: reopen() could not open the path; lines go on to the file open before. */
export class AccessLogReopenError extends Error {
  constructor(
    readonly path: string,
    cause: Error,
  ) {
    super(`cannot reopen the access log ${path}: ${cause.message}`, { cause });
  }
}

/** Queued bytes before lines are dropped: several seconds of heavy traffic. */
const DEFAULT_MAX_BUFFERED = 4 * 1024 * 1024;
/**
 * Batch size, for files and pipes alike. Each write costs a hand-off to the pool and, on a pipe,
 * waking its reader: with 4 KiB batches on a pipe, berth's stdout log cost 14-15 % req/s against
 * 6-9 % with 64 KiB (bench/shared-core.sh, bench/RESULTS.md "Seventh session"). A pipe write this
 * big is not atomic (pipe(7): PIPE_BUF is 4 KiB), so no two processes write one pipe: the workers
 * of a --workers group each have a pipe of their own, relayed by the primary (workers/stdout-relay.ts).
 * Appends to a regular file are atomic per write, so the workers share a file.
 */
const BATCH = 64 * 1024;
const RETRY_MS = 10;
/**
 * A partial batch waits at most this long: writing whatever one event-loop turn produced, a few
 * lines, cost more than formatting them; full batches or the lines of 50 ms, whichever comes
 * first, make that cost vanish (nginx's access_log `buffer=` and `flush=`).
 */
const FLUSH_MS = 50;

/** Batch: whole lines, encoded. */
interface Batch {
  /** What is left to write. */
  bytes: Buffer;
  readonly lines: number;
  /** The buffer the lines were encoded into, taken again for a later batch once written. */
  readonly whole: Buffer;
}

/**
 * AccessLogWriter: each line is encoded straight into a batch buffer as it comes (no string is
 * built, and nothing waits in the heap for its write). A batch goes out once it is full or
 * FLUSH_MS after its first line, and is written by fs.write on libuv's thread pool, whatever the
 * destination: a slow, stalled or blocked file, pipe or terminal holds up that thread, never the
 * event loop, so a request never waits for its log line. (Written on the event loop instead, as
 * nginx writes its buffered access_log, a disk that stalls would stall the proxy with it; with
 * 64 KiB batches the hand-off is one per few hundred lines and cost nothing measurable even with
 * the proxy and the pool sharing one core: bench/shared-core.sh, bench/RESULTS.md "Sixth session".)
 * One write is in flight at a time, so batches land in order; while it is, batches queue up to
 * `maxBuffered` bytes and further lines are dropped and counted (`dropped`, exported as
 * berth_access_log_dropped_total), as nginx's buffered access_log would rather lose lines than stall.
 */
export class AccessLogWriter implements AccessLogSink {
  dropped = 0;
  /** Full batches waiting for their write, oldest first. */
  private ready: Batch[] = [];
  /** The batch being filled (null until a line comes). */
  private current: Buffer | null = null;
  private used = 0;
  private currentLines = 0;
  /** Bytes in `ready` and `current`. */
  private queued = 0;
  private inFlight: Batch | null = null;
  /**
   * Writes a partial batch. It is not cancelled when a full batch goes out first: it then writes
   * whatever came since a little early, which keeps "at most FLUSH_MS" true.
   */
  private readonly flushTimer: RearmedTimeout;
  private idleWaiter: (() => void) | null = null;
  /** close() began: every batch is written as soon as the previous one is done. */
  private closing = false;
  /** The descriptor is closed: late lines and late write callbacks are ignored (lines counted as dropped). */
  private closed = false;
  /** The file is being opened again (reopen): batches wait, as they do for a write in flight. */
  private reopening = false;
  /** reopen() was asked while a write or an open was in flight: open again once it is done. */
  private reopenWanted = false;
  /** A written batch's buffer, ready to take the next lines. */
  private spare: Buffer | null = null;
  private readonly onWritten = (err: NodeJS.ErrnoException | null, written: number): void => this.written(err, written);

  constructor(
    private fd: number,
    private readonly ownsFd: boolean,
    private readonly maxBuffered = DEFAULT_MAX_BUFFERED,
    private readonly onError: (err: Error) => void = () => {},
    /** How long a partial batch may wait (tests lengthen it to see batching). */
    flushMs = FLUSH_MS,
    /** The file's path, for reopen(); null for stdout or a descriptor given as it is. */
    private readonly path: string | null = null,
  ) {
    this.flushTimer = new RearmedTimeout(() => this.flush(), flushMs);
  }

  /** toStdout writes to fd 1 (JSON logs go to stderr, so stdout carries only access lines). */
  static toStdout(onError?: (err: Error) => void): AccessLogWriter {
    return new AccessLogWriter(1, false, DEFAULT_MAX_BUFFERED, onError);
  }

  /** toFile appends to `path` (created if missing); throws a readable error when it cannot be opened. */
  static toFile(path: string, onError?: (err: Error) => void): AccessLogWriter {
    return new AccessLogWriter(openSync(path, 'a'), true, DEFAULT_MAX_BUFFERED, onError, FLUSH_MS, path);
  }

  append<T>(encode: LineEncoder<T>, value: T): void {
    if (this.closed || this.queued >= this.maxBuffered) {
      this.dropped++;
      return;
    }
    if (this.current === null) this.seal(BATCH);
    let end = encode(this.current!, this.used, value);
    if (end > this.current!.length) {
      // The line did not fit in what is left of the batch: it goes first in the next one.
      this.seal(end - this.used);
      end = encode(this.current!, 0, value);
      if (end > this.current!.length) {
        this.dropped++; // the value changed between the two encodings; nothing was queued
        return;
      }
    }
    const size = end - this.used;
    if (this.queued + size > this.maxBuffered) {
      this.dropped++;
      return;
    }
    this.used = end;
    this.currentLines++;
    this.queued += size;
    if (this.inFlight !== null) return;
    if (this.ready.length > 0 || this.closing) this.flush();
    else this.flushTimer.arm();
  }

  write(line: string): void {
    this.append(putAscii, line);
  }

  /**
   * seal queues the batch being filled and starts one with room for at least `next` bytes (a
   * longer line goes alone), or none when `next` is 0.
   */
  private seal(next: number): void {
    if (this.current !== null && this.used > 0) {
      this.ready.push({ bytes: this.current.subarray(0, this.used), lines: this.currentLines, whole: this.current });
    }
    if (next === 0) this.current = null;
    else if (next <= BATCH && this.spare !== null) {
      this.current = this.spare;
      this.spare = null;
    } else this.current = Buffer.allocUnsafe(next > BATCH ? next : BATCH);
    this.used = 0;
    this.currentLines = 0;
  }

  /** flush hands the oldest full batch (the partial one when none is full) to fs.write. */
  private flush(): void {
    if (this.inFlight !== null || this.reopening || this.closed) return;
    if (this.ready.length === 0) {
      if (this.used === 0) return;
      this.seal(0);
    }
    const batch = this.ready.shift()!;
    this.inFlight = batch;
    this.queued -= batch.bytes.length;
    write(this.fd, batch.bytes, 0, batch.bytes.length, null, this.onWritten);
  }

  private recycle(batch: Batch): void {
    if (batch.whole.length === BATCH) this.spare = batch.whole;
  }

  private written(err: NodeJS.ErrnoException | null, written: number): void {
    if (this.closed) return;
    const batch = this.inFlight!;
    if (err !== null && err.code === 'EAGAIN') {
      // A non-blocking pipe that is full: try the same bytes again shortly.
      setTimeout(() => this.closed || write(this.fd, batch.bytes, 0, batch.bytes.length, null, this.onWritten), RETRY_MS).unref();
      return;
    }
    if (err !== null) {
      this.dropped += batch.lines;
      this.onError(err);
    } else if (written < batch.bytes.length) {
      batch.bytes = batch.bytes.subarray(written);
      write(this.fd, batch.bytes, 0, batch.bytes.length, null, this.onWritten);
      return;
    } else this.recycle(batch);
    this.inFlight = null;
    this.resume();
  }

  /** resume: nothing is in flight any more; open the file again if asked, else write on. */
  private resume(): void {
    if (this.reopenWanted) this.openAgain();
    else if (this.closing) {
      if (this.queued > 0) this.flush();
      else this.idleWaiter?.();
    } else if (this.ready.length > 0) this.flush();
    else if (this.used > 0) this.flushTimer.arm();
  }

  reopen(): void {
    if (this.path === null || this.closed) return;
    this.reopenWanted = true;
    if (this.inFlight === null && !this.reopening) this.openAgain();
  }

  /**
   * openAgain opens the path on libuv's thread pool, like the writes (a hung mount must not hold
   * up the event loop), then writes on to the new descriptor. Lines queue meanwhile; the batch that
   * was in flight finished on the old file first, so no line is split between the two. If the
   * path cannot be opened, the old descriptor is kept (lines go on to the moved file, not lost).
   */
  private openAgain(): void {
    this.reopenWanted = false;
    this.reopening = true;
    open(this.path!, 'a', (err, fd) => {
      this.reopening = false;
      if (err !== null) this.onError(new AccessLogReopenError(this.path!, err));
      else if (this.closed) closeFd(fd, () => {});
      else {
        const old = this.fd;
        this.fd = fd;
        closeFd(old, () => {});
      }
      if (!this.closed) this.resume();
    });
  }

  async close(timeoutMs = 2_000): Promise<void> {
    this.closing = true;
    this.flush();
    if (this.inFlight !== null || this.reopening) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.idleWaiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.idleWaiter = null;
    }
    this.flushTimer.cancel();
    // Whatever a stuck destination did not take by the deadline is lost, and counted.
    for (const batch of this.ready) this.dropped += batch.lines;
    this.dropped += this.currentLines + (this.inFlight === null ? 0 : this.inFlight.lines);
    this.ready = [];
    this.current = null;
    this.used = this.currentLines = this.queued = 0;
    this.closed = true;
    if (this.ownsFd) closeSync(this.fd);
  }
}
