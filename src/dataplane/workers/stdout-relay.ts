import type { Readable } from 'node:stream';
import type { AccessLogSink } from '../access-log/writer.js';
import { putBytes } from '../access-log/put-bytes.js';

/**
 * relayLines copies the whole lines a worker writes to its stdout (a pipe of its own, so its writer
 * sends 64 KiB batches) into the primary's stdout access log, until the worker's end. The primary
 * is then stdout's only writer and writes 64 KiB batches too, where workers sharing one stdout pipe
 * had to keep each write to PIPE_BUF (4 KiB) so lines never interleave: on a pipe, 4 KiB writes
 * cost the proxy 14-15 % req/s against 6-9 % (bench/RESULTS.md "Seventh session"). A read may
 * end inside a line; its start waits for the next read. A line cut off by the worker's death is
 * dropped. Resolves once the pipe ended or closed.
 */
export function relayLines(from: Readable, sink: AccessLogSink): Promise<void> {
  let partial: Buffer | null = null;
  let skipping = false;
  from.on('data', (chunk: Buffer) => {
    let data = chunk;
    if (skipping) {
      const next = chunk.indexOf(NEWLINE);
      if (next < 0) return;
      skipping = false;
      data = chunk.subarray(next + 1);
    } else if (partial !== null) data = Buffer.concat([partial, chunk]);
    const end = data.lastIndexOf(NEWLINE) + 1;
    if (end > 0) sink.append(putBytes, data.subarray(0, end));
    // A copy: the chunk's memory may be a slab node reuses.
    partial = end === data.length ? null : Buffer.from(data.subarray(end));
    // A worker writes only access lines (ASCII, a few KiB at most): a "line" this long is not one,
    // and is skipped to its end.
    if (partial !== null && partial.length > MAX_LINE) {
      partial = null;
      skipping = true;
    }
  });
  from.on('error', () => {});
  return new Promise((resolve) => from.once('close', resolve));
}

const NEWLINE = 0x0a;
const MAX_LINE = 1 << 20;
