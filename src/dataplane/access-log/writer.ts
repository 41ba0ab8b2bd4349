import { closeSync, fstatSync, openSync, write } from 'node:fs';

/** AccessLogSink: where finished requests' lines go. */
export interface AccessLogSink {
  /**
   * write queues one line of ASCII text ending in "\n" (both formats escape everything else, see
   * format.ts); never blocks, may drop when the buffer is full.
   */
  write(line: string): void;
  /** Lines dropped because the destination was slower than the traffic. */
  readonly dropped: number;
  /** close writes what is queued (waiting at most `timeoutMs` for a stuck destination). */
  close(timeoutMs?: number): Promise<void>;
}

/** Queued characters before lines are dropped: several seconds of heavy traffic. */
const DEFAULT_MAX_BUFFERED = 4 * 1024 * 1024;
/** Batch size for regular files (appends by several processes are atomic per write). */
const FILE_BATCH = 256 * 1024;
/**
 * POSIX PIPE_BUF on Linux: a pipe write of at most this many bytes is atomic (pipe(7)), so lines of
 * several processes sharing one stdout (--workers) never interleave inside a line.
 */
const PIPE_BATCH = 4096;
const RETRY_MS = 10;
/**
 * A partial batch waits at most this long. Each write is a hand-off to libuv's thread pool and
 * back (on the proxy's own core when it is pinned), so writing whatever one event-loop turn
 * produced, a few lines, cost more than formatting them; batches of 64 KiB or the lines of 50 ms,
 * whichever comes first, make that cost vanish (nginx's access_log `buffer=` and `flush=`).
 */
const FLUSH_MS = 50;
const FILE_FLUSH_AT = 64 * 1024;

/**
 * AccessLogWriter: lines are queued in memory and written in batches by fs.write, which runs on
 * libuv's thread pool: a slow or blocked stdout pipe stalls that thread, never the event loop, so a
 * request never waits for its log line. A batch goes out once it is full or FLUSH_MS after its
 * first line. One write is in flight at a time; while it is, lines queue
 * up to `maxBuffered` characters and further lines are dropped and counted (`dropped`, exported as
 * berth_access_log_dropped_total), as nginx's buffered access_log would rather lose lines than stall.
 */
export class AccessLogWriter implements AccessLogSink {
  dropped = 0;
  private queue: string[] = [];
  /** Index of the first line not yet handed to a write. */
  private head = 0;
  private queued = 0;
  private inFlight: Buffer | null = null;
  private inFlightLines = 0;
  private timer: NodeJS.Timeout | null = null;
  private idleWaiter: (() => void) | null = null;
  /** close() began: every batch is written as soon as the previous one is done. */
  private closing = false;
  /** The descriptor is closed: late lines and late write callbacks are ignored (lines counted as dropped). */
  private closed = false;
  private readonly batchBytes: number;
  /** Queued characters (= bytes: lines are ASCII) that start a write at once. */
  private readonly flushAt: number;
  private readonly flushNow = (): void => this.flush();
  private readonly onWritten = (err: NodeJS.ErrnoException | null, written: number): void => this.written(err, written);

  constructor(
    private readonly fd: number,
    private readonly ownsFd: boolean,
    private readonly maxBuffered = DEFAULT_MAX_BUFFERED,
    private readonly onError: (err: Error) => void = () => {},
    /** How long a partial batch may wait (tests lengthen it to see batching). */
    private readonly flushMs = FLUSH_MS,
  ) {
    const file = fstatSync(fd).isFile();
    this.batchBytes = file ? FILE_BATCH : PIPE_BATCH;
    this.flushAt = file ? FILE_FLUSH_AT : PIPE_BATCH;
  }

  /** toStdout writes to fd 1 (JSON logs go to stderr, so stdout carries only access lines). */
  static toStdout(onError?: (err: Error) => void): AccessLogWriter {
    return new AccessLogWriter(1, false, DEFAULT_MAX_BUFFERED, onError);
  }

  /** toFile appends to `path` (created if missing); throws a readable error when it cannot be opened. */
  static toFile(path: string, onError?: (err: Error) => void): AccessLogWriter {
    return new AccessLogWriter(openSync(path, 'a'), true, DEFAULT_MAX_BUFFERED, onError);
  }

  write(line: string): void {
    if (this.closed || this.queued + line.length > this.maxBuffered) {
      this.dropped++;
      return;
    }
    this.queue.push(line);
    this.queued += line.length;
    if (this.inFlight !== null) return;
    if (this.queued >= this.flushAt || this.closing) this.flush();
    else if (this.timer === null) this.timer = setTimeout(this.flushNow, this.flushMs).unref();
  }

  /** flush hands the next batch of whole lines (at most batchBytes, or one longer line) to fs.write. */
  private flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.inFlight !== null || this.head === this.queue.length) return;
    let end = this.head;
    let bytes = 0;
    while (end < this.queue.length) {
      const size = this.queue[end]!.length;
      if (end > this.head && bytes + size > this.batchBytes) break;
      bytes += size;
      end++;
    }
    this.inFlight = Buffer.from(this.queue.slice(this.head, end).join(''), 'latin1');
    this.inFlightLines = end - this.head;
    this.queued -= bytes;
    if (end === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else {
      this.head = end;
    }
    write(this.fd, this.inFlight, 0, this.inFlight.length, null, this.onWritten);
  }

  private written(err: NodeJS.ErrnoException | null, written: number): void {
    if (this.closed) return;
    const data = this.inFlight!;
    if (err !== null && err.code === 'EAGAIN') {
      // A non-blocking pipe that is full: try the same bytes again shortly.
      setTimeout(() => this.closed || write(this.fd, data, 0, data.length, null, this.onWritten), RETRY_MS).unref();
      return;
    }
    if (err !== null) {
      this.dropped += this.inFlightLines;
      this.onError(err);
    } else if (written < data.length) {
      this.inFlight = data.subarray(written);
      write(this.fd, this.inFlight, 0, this.inFlight.length, null, this.onWritten);
      return;
    }
    this.inFlight = null;
    if (this.closing) {
      if (this.head < this.queue.length) this.flush();
      else this.idleWaiter?.();
    } else if (this.queued >= this.flushAt) this.flush();
    else if (this.head < this.queue.length) this.timer ??= setTimeout(this.flushNow, this.flushMs).unref();
  }

  async close(timeoutMs = 2_000): Promise<void> {
    // Batches keep their size limit to the end, so lines of several processes sharing a pipe
    // stay whole (PIPE_BATCH) even when much is queued at shutdown.
    this.closing = true;
    this.flush();
    if (this.inFlight !== null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.idleWaiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.idleWaiter = null;
    }
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    // Whatever a stuck destination did not take by the deadline is lost, and counted.
    this.dropped += this.queue.length - this.head + (this.inFlight === null ? 0 : this.inFlightLines);
    this.queue = [];
    this.head = 0;
    this.queued = 0;
    this.closed = true;
    if (this.ownsFd) closeSync(this.fd);
  }
}
