import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import type { LineEncoder } from '../access-log/format.js';
import type { AccessLogSink } from '../access-log/writer.js';
import { relayLines } from './stdout-relay.js';

/** A sink that keeps what each append wrote, as the primary's writer would batch it. */
function collectingSink(): AccessLogSink & { text(): string; appends: number } {
  const parts: Buffer[] = [];
  return {
    dropped: 0,
    appends: 0,
    append<T>(encode: LineEncoder<T>, value: T): void {
      const into = Buffer.alloc(1 << 21);
      const end = encode(into, 0, value);
      parts.push(into.subarray(0, end));
      this.appends++;
    },
    write(line: string): void {
      parts.push(Buffer.from(line));
    },
    reopen(): void {},
    async close(): Promise<void> {},
    text: () => Buffer.concat(parts).toString('latin1'),
  };
}

async function relay(chunks: Buffer[]): Promise<ReturnType<typeof collectingSink>> {
  const sink = collectingSink();
  const pipe = new PassThrough();
  const done = relayLines(pipe, sink);
  for (const chunk of chunks) pipe.write(chunk);
  pipe.end();
  await done;
  return sink;
}

test('relayLines: whole lines only, in order, however the pipe cuts the worker\'s writes', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.string({ unit: fc.constantFrom('a', 'b', '{', '"', ':', ' ', '\\u00e9'), maxLength: 300 }), { maxLength: 40 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      async (lines, cuts) => {
        const bytes = Buffer.from(lines.map((l) => l + '\n').join(''), 'latin1');
        const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let from = 0;
        for (const p of [...points, bytes.length]) {
          chunks.push(bytes.subarray(from, p));
          from = p;
        }
        const sink = await relay(chunks);
        assert.equal(sink.text(), bytes.toString('latin1'));
      },
    ),
  );
});

test('relayLines: a line cut off by the worker\'s end is dropped; a runaway "line" is skipped to its end', async () => {
  assert.equal((await relay([Buffer.from('one\ntw'), Buffer.from('o\nthr')])).text(), 'one\ntwo\n');
  const huge = Buffer.alloc((1 << 20) + 10, 0x61);
  const sink = await relay([Buffer.from('a\n'), huge, Buffer.from('aaa\nb\n')]);
  assert.equal(sink.text(), 'a\nb\n');
});
