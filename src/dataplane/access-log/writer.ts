import { closeSync, fstatSync, openSync, write, writeSync } from 'node:fs';

/** AccessLogSink: where finished requests' lines go. */
export interface AccessLogSink {
  /** write queues one line (ending in "\n"); never blocks, may drop when the buffer is full. */
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
 * AccessLogWriter: lines are queued in memory and written in batches by fs.write, which runs on
 * libuv's thread pool: a slow or blocked stdout pipe stalls that thread, never the event loop, so a
 * request never waits for its log line. One write is in flight at a time; while it is, lines queue
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
  private scheduled = false;
  private idleWaiter: (() => void) | null = null;
  private readonly batchBytes: number;
  private readonly flushNow = (): void => this.flush();
  private readonly onWritten = (err: NodeJS.ErrnoException | null, written: number): void => this.written(err, written);

  constructor(
    private readonly fd: number,
    private readonly ownsFd: boolean,
    private readonly maxBuffered = DEFAULT_MAX_BUFFERED,
    private readonly onError: (err: Error) => void = () => {},
  ) {
    this.batchBytes = fstatSync(fd).isFile() ? FILE_BATCH : PIPE_BATCH;
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
    if (this.queued + line.length > this.maxBuffered) {
      this.dropped++;
      return;
    }
    this.queue.push(line);
    this.queued += line.length;
    if (this.inFlight === null && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushNow);
    }
  }

  /** flush hands the next batch of whole lines (at most batchBytes, or one longer line) to fs.write. */
  private flush(): void {
    this.scheduled = false;
    if (this.inFlight !== null || this.head === this.queue.length) return;
    let end = this.head;
    let bytes = 0;
    let chars = 0;
    while (end < this.queue.length) {
      const line = this.queue[end]!;
      const size = Buffer.byteLength(line);
      if (end > this.head && bytes + size > this.batchBytes) break;
      bytes += size;
      chars += line.length;
      end++;
    }
    this.inFlight = Buffer.from(this.queue.slice(this.head, end).join(''), 'utf8');
    this.inFlightLines = end - this.head;
    this.queued -= chars;
    if (end === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else {
      this.head = end;
    }
    write(this.fd, this.inFlight, 0, this.inFlight.length, null, this.onWritten);
  }

  private written(err: NodeJS.ErrnoException | null, written: number): void {
    const data = this.inFlight!;
    if (err !== null && err.code === 'EAGAIN') {
      // A non-blocking pipe that is full: try the same bytes again shortly.
      setTimeout(() => write(this.fd, data, 0, data.length, null, this.onWritten), RETRY_MS).unref();
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
    if (this.head < this.queue.length) this.flush();
    else this.idleWaiter?.();
  }

  async close(timeoutMs = 2_000): Promise<void> {
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
    const rest = this.queue.length - this.head;
    if (this.inFlight === null && rest > 0) {
      try {
        writeSync(this.fd, this.queue.slice(this.head).join(''));
      } catch (err) {
        this.dropped += rest;
        this.onError(err as Error);
      }
    } else if (rest > 0) {
      this.dropped += rest;
    }
    this.queue = [];
    this.head = 0;
    this.queued = 0;
    if (this.ownsFd) closeSync(this.fd);
  }
}
