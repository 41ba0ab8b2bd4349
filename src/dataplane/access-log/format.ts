import { encodeCombinedLine } from './combined-line.js';
import { encodeJsonLine } from './json-line.js';
import type { AccessRecord } from './record.js';

export type AccessLogFormat = 'json' | 'combined';

/**
 * LineEncoder: writes one record's line as bytes at `at` in `into` and returns the offset where
 * the line ends. It writes the whole line even when that end lies past `into.length`: a typed
 * array ignores stores beyond its end, and the writer (writer.ts) takes such an end as "did not
 * fit" and encodes the line again into a batch with room for it.
 */
export type LineEncoder<T> = (into: Uint8Array, at: number, value: T) => number;

export function encoderFor(format: AccessLogFormat): LineEncoder<AccessRecord> {
  return format === 'json' ? encodeJsonLine : encodeCombinedLine;
}
