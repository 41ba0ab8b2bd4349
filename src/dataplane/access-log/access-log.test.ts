import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, mkdtempSync, open, openSync, readFileSync, readSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FinishedRequest } from '../proxy/observer.js';
import type { RequestTrace } from '../tracing/tracing.js';
import { AccessLog, PENDING_RECORDS } from './access-log.js';
import { combinedLine } from './combined-line.js';
import { encodeJsonLine } from './json-line.js';
import { accessRecord, fillRecord, LogRecord, type AccessRecord } from './record.js';
import { AccessLogReopenError, AccessLogWriter, type AccessLogSink } from './writer.js';

/** One record filled again for each request, as the access log reuses its records (access-log.ts). */
const reused = new LogRecord();

/** jsonLine: the bytes encodeJsonLine writes for the request, as text. */
function jsonLine(r: FinishedRequest): string {
  const into = Buffer.alloc(1 << 20);
  return into.toString('latin1', 0, encodeJsonLine(into, 0, fillRecord(reused, r, false)));
}

const REQUEST: FinishedRequest = {
  startTime: Date.UTC(2026, 10, 30, 9, 5, 7, 250),
  clientAddress: '127.0.0.1',
  method: 'GET',
  host: 'echo.test',
  path: '/echo',
  protocol: 'http/1.1',
  status: 200,
  bytesIn: 12,
  bytesOut: 345,
  totalLatencyMs: 1.23456,
  upstreamLatencyMs: 0.9876,
  routeName: 'httproute.kong.echo.0.0',
  serviceName: 'kong.echo.80',
  upstreamName: 'echo.kong.80.svc',
  targetAddress: '10.0.0.7:1027',
  targetIdentity: '6f1c-uid',
  sticky: 'kept',
  retries: 1,
  errorCode: null,
  headers: { 'user-agent': 'curl/8.5.0', 'x-forwarded-for': '203.0.113.9, 10.0.0.1' },
  trustedPeer: true,
  trace: null,
};
const RECORD: AccessRecord = accessRecord(REQUEST);

test('json: every field, in one line', () => {
  const line = jsonLine(REQUEST);
  assert.ok(line.endsWith('}\n') && !line.slice(0, -1).includes('\n'));
  assert.deepEqual(JSON.parse(line), {
    time: '2026-11-30T09:05:07.250Z', client_ip: '127.0.0.1', x_forwarded_for: '203.0.113.9, 10.0.0.1',
    method: 'GET', host: 'echo.test', path: '/echo', protocol: 'HTTP/1.1', status: 200, bytes_in: 12, bytes_out: 345,
    latency_ms: 1.235, upstream_latency_ms: 0.988, route: 'httproute.kong.echo.0.0', service: 'kong.echo.80',
    upstream: 'echo.kong.80.svc', target: '10.0.0.7:1027', target_identity: '6f1c-uid', sticky: 'kept', retries: 1,
    error: null, trace_id: null,
  });
});

test('combined: the NCSA combined prefix, then berth fields; hostile values cannot break the line', () => {
  assert.equal(
    combinedLine(RECORD),
    '127.0.0.1 - - [30/Nov/2026:09:05:07 +0000] "GET /echo HTTP/1.1" 200 345 "-" "curl/8.5.0" host=echo.test ' +
      'xff="203.0.113.9, 10.0.0.1" bytes_in=12 rt=0.001 urt=0.001 route=httproute.kong.echo.0.0 service=kong.echo.80 ' +
      'upstream=echo.kong.80.svc target=10.0.0.7:1027 pod=6f1c-uid sticky=kept retries=1 error=- trace_id=-\n',
  );
  const hostile = combinedLine({ ...RECORD, userAgent: 'x"\n\u00e9', path: '/a b', status: 404, error: 'NO_ROUTE', route: null });
  assert.match(hostile, /"GET \/a b HTTP\/1\.1" 404 .* "x\\x22\\x0a\\xc3\\xa9" /);
  assert.match(hostile, / route=- .* error=NO_ROUTE /);
  assert.equal(hostile.indexOf('\n'), hostile.length - 1);
});

/** The straightforward way jsonLine used to be written: the hand-built line must parse to the same. */
function referenceJson(r: AccessRecord): unknown {
  const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;
  return JSON.parse(JSON.stringify({
    time: new Date(r.startedAt).toISOString(), client_ip: r.clientIp, x_forwarded_for: r.forwardedFor, method: r.method,
    host: r.host, path: r.path, protocol: r.protocol, status: r.status, bytes_in: r.bytesIn, bytes_out: r.bytesOut,
    latency_ms: round3(r.totalMs), upstream_latency_ms: r.upstreamMs === null ? null : round3(r.upstreamMs),
    route: r.route, service: r.service, upstream: r.upstream, target: r.target, target_identity: r.targetIdentity,
    sticky: r.sticky, retries: r.retries, error: r.error, trace_id: r.traceId,
  }));
}

test('json: any field values (quotes, controls, non-ASCII, lone surrogates, NaN) give one ASCII line that parses to the record', () => {
  // Full Unicode including lone surrogates, and the characters JSON must escape. Few distinct
  // values too, so the encoder's cached fields are hit as well as filled.
  const text = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u0000', '\u007f', '\u00e9', '\ud800', 'a') }),
    fc.constantFrom('GET', '10.0.0.7:1027', ''),
  );
  const maybe = fc.option(text, { nil: null });
  const number = fc.oneof(fc.double(), fc.integer());
  const request = fc.record({
    startTime: fc.double({ min: 0, max: 4_102_444_800_000, noNaN: true }),
    clientAddress: text, method: text, host: text, path: text,
    protocol: fc.constantFrom('http/1.0' as const, 'http/1.1' as const, 'h2' as const, 'ws' as const),
    status: fc.integer({ min: 0, max: 999 }), bytesIn: fc.nat(), bytesOut: fc.nat(), totalLatencyMs: number,
    upstreamLatencyMs: fc.oneof(number, fc.constant(-1)), routeName: maybe, serviceName: maybe, upstreamName: maybe,
    targetAddress: maybe, targetIdentity: maybe,
    sticky: fc.constantFrom('none' as const, 'kept' as const, 'new' as const, 'moved_gone' as const, 'moved_unhealthy' as const, 'invalid' as const),
    retries: fc.nat(), errorCode: fc.constantFrom(null, 'NO_ROUTE' as const, 'READ_TIMEOUT' as const),
    headers: fc.record({ 'x-forwarded-for': text, 'content-type': fc.constantFrom('application/grpc', 'text/plain') }, { requiredKeys: [] }),
    trustedPeer: fc.boolean(),
    trace: fc.option(fc.record({ traceId: text }), { nil: null }),
  });
  fc.assert(fc.property(request, (generated) => {
    const r = generated as unknown as FinishedRequest;
    const line = jsonLine(r);
    assert.ok(/^[\x20-\x7e]*\n$/.test(line), `not one ASCII line: ${JSON.stringify(line)}`);
    assert.deepEqual(JSON.parse(line), referenceJson(accessRecord(r)));
  }), { seed: 13, numRuns: 2_000 });
});

test('json: consecutive lines reuse the runs of fields they share, whatever room their batch has', () => {
  // Few values per field, so neighbouring lines often share the request's run or a target's tail
  // (json-line.ts RequestRun, UntracedTail: a tail per sticky outcome) and often do not, each field
  // alone changing too. A route name or path longer than a run's first store makes it grow. Each line
  // goes first into a batch that may be too short for it (the writer then encodes it again into a
  // bigger one), then into one with room.
  const request = fc.record({
    clientAddress: fc.constantFrom('127.0.0.1', '10.0.0.9'), method: fc.constantFrom('GET', 'POST'),
    host: fc.constantFrom('echo.test', 'cart.test'), path: fc.constantFrom('/', '/echo', '/a"b\\c\u00e9', '/p'.repeat(200)),
    protocol: fc.constantFrom('http/1.1' as const, 'h2' as const), bytesOut: fc.constantFrom(0, 345, 1e6),
    trustedPeer: fc.boolean(), status: fc.constantFrom(0, 200, 503), bytesIn: fc.constantFrom(0, 17),
    sticky: fc.constantFrom('kept' as const, 'new' as const, 'none' as const, 'invalid' as const), retries: fc.constantFrom(0, 2),
    errorCode: fc.constantFrom(null, 'NO_PEER' as const), totalLatencyMs: fc.constantFrom(1.17, 2, 0.0004, 12.3456),
    // The tail (target block, outcome, end of line) is kept per target, and only for untraced lines.
    targetAddress: fc.constantFrom('10.0.0.7:1027', '10.0.0.8:1027'), routeName: fc.constantFrom('echo', 'cart', 'r'.repeat(300)),
    trace: fc.constantFrom(null, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736' } as RequestTrace),
    // The run holds the time up to the second, its milliseconds written over it line by line.
    startTime: fc.constantFrom(0, 0.4, 999.9, 1000, 61_234.5, 3_600_000).map((later) => REQUEST.startTime + later),
  }).map((fields): FinishedRequest => ({ ...REQUEST, ...fields }));
  fc.assert(fc.property(fc.array(fc.tuple(request, fc.nat({ max: 500 })), { minLength: 1, maxLength: 40 }), (lines) => {
    for (const [r, room] of lines) {
      const expected = referenceJson(accessRecord(r));
      const short = Buffer.alloc(room);
      const end = encodeJsonLine(short, 0, fillRecord(reused, r, false));
      if (end <= room) assert.deepEqual(JSON.parse(short.toString('latin1', 0, end)), expected);
      const line = jsonLine(r);
      assert.deepEqual(JSON.parse(line), expected);
      assert.ok(!/\.\d*0[,}]/.test(line), `a trailing zero in ${line}`); // numbers as JSON.stringify writes them
    }
  }), { seed: 21, numRuns: 500 });
});

test('json: a sticky outcome the encoder has no slot for is written as itself, not as the last line of its shared slot', () => {
  // AccessRecord.sticky is any string: outcomes json-line.ts stickyIndex does not know share a tail with null.
  const into = Buffer.alloc(4096);
  for (const sticky of [null, 'rerouted', null, 'rerouted']) {
    const end = encodeJsonLine(into, 0, { ...RECORD, traceId: null, sticky });
    assert.equal(JSON.parse(into.toString('latin1', 0, end)).sticky, sticky);
  }
});

test('json time: the same text as Date.toISOString, across second and millisecond boundaries', () => {
  const time = (ms: number): unknown => (JSON.parse(jsonLine({ ...REQUEST, startTime: ms })) as { time: unknown }).time;
  for (const ms of [0, 1, 9, 10, 99, 100, 999, 999.9, 1000, Date.UTC(2026, 10, 30, 23, 59, 59, 999), Date.UTC(2026, 11, 1)]) {
    assert.equal(time(ms), new Date(ms).toISOString());
  }
  fc.assert(fc.property(fc.double({ min: 0, max: 4_102_444_800_000, noNaN: true }), (ms) => time(ms) === new Date(ms).toISOString()), { seed: 5, numRuns: 5_000 });
});

/** A sink that keeps each line appended (and counts reopens), standing in for writer.ts. */
function memorySink(): AccessLogSink & { lines: string[]; reopens: number } {
  const scratch = Buffer.alloc(1 << 16);
  return {
    lines: [], reopens: 0, dropped: 0,
    append<T>(encode: (into: Uint8Array, at: number, value: T) => number, value: T): void {
      this.lines.push(scratch.toString('latin1', 0, encode(scratch, 0, value)));
    },
    write(line: string): void {
      this.lines.push(line);
    },
    reopen(): void {
      this.reopens++;
    },
    close: async () => {},
  };
}

test('access log: lines are encoded together, at most PENDING_RECORDS at once, in order, each as its own request\'s line', async () => {
  const sink = memorySink();
  const log = new AccessLog(sink, 'json', 60_000); // no timer within the test: only a full set is encoded
  const total = PENDING_RECORDS * 2 + 100;
  const requests = Array.from({ length: total }, (_, i): FinishedRequest => ({
    ...REQUEST, path: `/r/${i}`, status: 200 + (i % 3), targetAddress: `10.0.0.${i % 4}:80`, trace: i % 5 === 0 ? { traceId: `t${i}` } as RequestTrace : null,
  }));
  for (const r of requests.slice(0, PENDING_RECORDS - 1)) log.record(r);
  assert.equal(sink.lines.length, 0, 'lines wait to be encoded together');
  log.record(requests[PENDING_RECORDS - 1]!);
  assert.equal(sink.lines.length, PENDING_RECORDS, 'a full set is encoded at once');
  for (const r of requests.slice(PENDING_RECORDS)) log.record(r);
  assert.equal(sink.lines.length, PENDING_RECORDS * 2, 'each full set is encoded at once');
  await log.close();
  assert.equal(sink.lines.length, total, 'close encodes what waits');
  sink.lines.forEach((line, i) => assert.deepEqual(JSON.parse(line), referenceJson(accessRecord(requests[i]!))));
});

test('access log: a lone line is encoded within the gathering time; reopen is the writer\'s', async () => {
  const sink = memorySink();
  const log = new AccessLog(sink, 'combined', 20);
  log.record(REQUEST);
  assert.equal(sink.lines.length, 0);
  const deadline = Date.now() + 5_000;
  while (sink.lines.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.equal(sink.lines[0], combinedLine(RECORD));
  log.reopen();
  assert.equal(sink.reopens, 1);
  await log.close();
});

test('access log: a request that ends while or after the log closes is written at once or counted, never lost', async () => {
  const sink = memorySink();
  const log = new AccessLog(sink, 'json', 60_000);
  log.record({ ...REQUEST, path: '/before' });
  const closing = log.close();
  log.record({ ...REQUEST, path: '/late' });
  await closing;
  assert.deepEqual(sink.lines.map((l) => (JSON.parse(l) as { path: string }).path), ['/before', '/late']);
});

test('access log: a line the encoder throws on is counted as dropped; the lines around it are written', async () => {
  const sink = memorySink();
  const append = sink.append.bind(sink);
  sink.append = (encode, value) => {
    if ((value as AccessRecord).path === '/bad') throw new Error('an encoder bug');
    append(encode, value);
  };
  const log = new AccessLog(sink, 'json', 60_000);
  for (let i = 0; i < 300; i++) log.record({ ...REQUEST, path: i === 5 ? '/bad' : `/ok/${i}` });
  await log.close();
  assert.equal(sink.lines.length, 299);
  assert.equal(log.dropped, 1);
});

test('writer: lines reach a file in order; close flushes what is queued', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'berth-log-')), 'access.log');
  const writer = AccessLogWriter.toFile(file);
  for (let i = 0; i < 1000; i++) writer.write(`line ${i}\n`);
  await new Promise((r) => setImmediate(r));
  for (let i = 1000; i < 2000; i++) writer.write(`line ${i}\n`);
  await writer.close();
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, 2000);
  lines.forEach((l, i) => assert.equal(l, `line ${i}`));
  assert.equal(writer.dropped, 0);
});

test('writer: a partial batch waits for the flush interval; a full one (64 KiB) goes at once', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'berth-log-')), 'access.log');
  const writer = new AccessLogWriter(openSync(file, 'a'), true, 4 * 1024 * 1024, () => {}, 60_000);
  // Ten turns of the event loop with a line each: the old writer made one write per turn.
  for (let i = 0; i < 10; i++) {
    writer.write(`small ${i}\n`);
    await new Promise((r) => setImmediate(r));
  }
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(readFileSync(file, 'utf8'), '', 'a partial batch was written before its interval');
  const big = 'x'.repeat(1023) + '\n';
  for (let i = 0; i < 64; i++) writer.write(big);
  const deadline = Date.now() + 5_000;
  while (readFileSync(file, 'utf8').length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const first = readFileSync(file, 'utf8');
  assert.ok(first.startsWith('small 0\nsmall 1\n'), 'a full batch is written without waiting for the interval');
  await writer.close();
  const lines = readFileSync(file, 'utf8').split('\n').slice(0, -1);
  assert.equal(lines.length, 74);
  assert.equal(writer.dropped, 0);
});

test('writer: a line longer than a batch goes out whole, in its place', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'berth-log-')), 'access.log');
  const writer = AccessLogWriter.toFile(file);
  const long = 'L'.repeat(100 * 1024) + '\n';
  writer.write('before\n');
  writer.write(long);
  writer.write('after\n');
  await writer.close();
  assert.equal(readFileSync(file, 'latin1'), 'before\n' + long + 'after\n');
  assert.equal(writer.dropped, 0);
});

test('writer: with the default interval a single line reaches the file without close', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'berth-log-')), 'access.log');
  const writer = AccessLogWriter.toFile(file);
  writer.write('lonely\n');
  const deadline = Date.now() + 5_000;
  while (readFileSync(file, 'utf8') === '' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(readFileSync(file, 'utf8'), 'lonely\n');
  await writer.close();
});

test('writer: a file write that fails (here EBADF) drops its batch, counts the lines and reports, never throws', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'berth-log-')), 'access.log');
  closeSync(openSync(file, 'w'));
  const errors: Error[] = [];
  // A regular file opened read-only: every write fails.
  const writer = new AccessLogWriter(openSync(file, 'r'), true, 4 * 1024 * 1024, (err) => errors.push(err));
  const line = 'x'.repeat(999) + '\n';
  for (let i = 0; i < 100; i++) writer.write(line); // 100 KB: a full 64 KiB batch goes out at once
  await writer.close();
  assert.ok(errors.length >= 1, 'the failed write was reported');
  assert.equal((errors[0] as NodeJS.ErrnoException).code, 'EBADF');
  assert.equal(writer.dropped, 100);
  assert.equal(readFileSync(file, 'utf8'), '');
});

test('writer: a file whose writes cannot complete never holds up the event loop; the lines land once they can', async () => {
  // Every thread of libuv's pool (4 unless UV_THREADPOOL_SIZE says otherwise) is parked in open(2)
  // of a FIFO nobody writes to, so a write handed to the pool waits, as it would behind a stalled
  // disk. The writer must keep taking lines without waiting for it.
  const poolSize = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  const dir = mkdtempSync(join(tmpdir(), 'berth-stall-'));
  const fifos = Array.from({ length: poolSize }, (_, i) => join(dir, `park-${i}`));
  for (const fifo of fifos) execFileSync('mkfifo', [fifo]);
  const parked = fifos.map((fifo) => new Promise<number>((resolve, reject) => open(fifo, 'r', (err, fd) => (err ? reject(err) : resolve(fd)))));
  await new Promise((r) => setTimeout(r, 50)); // the pool threads are in open(2) now
  // The "disk" recovers: a writer on each FIFO lets its open(2) return and frees the pool (also
  // when an assertion fails, so later tests get their pool back).
  const unpark = async (): Promise<void> => {
    const unparkers = fifos.map((fifo) => openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    for (const fd of await Promise.all(parked)) closeSync(fd);
    unparkers.forEach((fd) => closeSync(fd));
  };
  const file = join(dir, 'access.log');
  const writer = AccessLogWriter.toFile(file);
  const line = 'y'.repeat(99) + '\n';
  try {
    const started = performance.now();
    for (let i = 0; i < 2_000; i++) writer.write(line); // 200 KB: three full batches
    const tick = await new Promise<number>((r) => setTimeout(() => r(performance.now()), 20));
    assert.ok(tick - started < 1_000, `the event loop was held ${(tick - started).toFixed(0)} ms`);
    assert.equal(readFileSync(file, 'utf8'), '', 'a batch was written while the pool could not run it');
  } finally {
    await unpark();
  }
  await writer.close();
  assert.equal(readFileSync(file, 'utf8'), line.repeat(2_000));
  assert.equal(writer.dropped, 0);
});

test('writer: reopen() after the file was moved (logrotate) sends later lines to a new file; none lost, split or reordered', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-rotate-'));
  const file = join(dir, 'access.log');
  const writer = AccessLogWriter.toFile(file);
  const line = (i: number): string => `line ${i} ${'z'.repeat(200)}\n`;
  for (let i = 0; i < 1000; i++) writer.write(line(i)); // ~200 KB: a write is in flight now
  renameSync(file, file + '.1');
  writer.reopen();
  writer.reopen(); // asked twice while busy: one more open, no harm
  for (let i = 1000; i < 2000; i++) writer.write(line(i));
  await writer.close();
  const moved = readFileSync(file + '.1', 'utf8');
  const fresh = readFileSync(file, 'utf8');
  // Lines queued before reopen() may go to either file, but the two together are every line once,
  // in order, each whole: the moved file ends where the new one begins.
  assert.equal(moved + fresh, Array.from({ length: 2000 }, (_, i) => line(i)).join(''));
  assert.ok(moved.length > 0 && moved.endsWith('\n'), 'the batch in flight finished in the moved file');
  assert.ok(fresh.endsWith(line(1999)), 'lines after reopen() are in the new file');
  assert.equal(writer.dropped, 0);
});

test('writer: a reopen that cannot open the path reports it and keeps writing to the open file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-rotate-'));
  const file = join(dir, 'logs', 'access.log');
  mkdirSync(join(dir, 'logs'));
  const errors: Error[] = [];
  const writer = new AccessLogWriter(openSync(file, 'a'), true, 4 * 1024 * 1024, (err) => errors.push(err), 10, file);
  writer.write('before\n');
  renameSync(join(dir, 'logs'), join(dir, 'gone')); // the path's directory is no more
  writer.reopen();
  await new Promise((r) => setTimeout(r, 50));
  writer.write('after\n');
  await writer.close();
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof AccessLogReopenError);
  assert.match(errors[0]!.message, /cannot reopen the access log .*ENOENT/);
  assert.equal(readFileSync(join(dir, 'gone', 'access.log'), 'utf8'), 'before\nafter\n');
  assert.equal(writer.dropped, 0);
});

test('writer: reopen() of stdout or a closed writer does nothing', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'berth-rotate-')), 'access.log');
  const fdWriter = new AccessLogWriter(openSync(file, 'a'), true); // a descriptor without a path, as stdout
  fdWriter.write('one\n');
  fdWriter.reopen();
  fdWriter.write('two\n');
  await fdWriter.close();
  assert.equal(readFileSync(file, 'utf8'), 'one\ntwo\n');
  const closed = AccessLogWriter.toFile(file);
  await closed.close();
  closed.reopen();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(readFileSync(file, 'utf8'), 'one\ntwo\n');
});

test('writer: a stuck destination never blocks the caller; overflow is dropped and counted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-fifo-'));
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writerFd = openSync(fifo, 'w');
  // Nobody reads: the pipe (64 KiB) fills and the thread-pool write blocks.
  const writer = new AccessLogWriter(writerFd, true, 100_000);
  const line = 'x'.repeat(99) + '\n';
  const started = performance.now();
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 1000; i++) writer.write(line);
    await new Promise((r) => setTimeout(r, 5));
  }
  const loopBusyMs = performance.now() - started - 20 * 5;
  assert.ok(writer.dropped > 10_000, `dropped ${writer.dropped}`);
  assert.ok(loopBusyMs < 1_000, `20,000 writes kept the event loop busy ${loopBusyMs.toFixed(0)} ms`);
  // Reading unblocks the writer: whole lines arrive, then the queue drains.
  const buf = Buffer.alloc(1 << 20);
  let got = '';
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      const n = readSync(reader, buf, 0, buf.length, null);
      got += buf.toString('latin1', 0, n);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    }
    if (got.length >= (20_000 - writer.dropped) * 100) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(got.length, (20_000 - writer.dropped) * 100, 'every line not dropped arrives whole');
  assert.ok(got.split('\n').slice(0, -1).every((l) => l === line.slice(0, -1)));
  await writer.close(1_000);
  closeSync(reader);
});

test('accessRecord: the engine\'s view in the log\'s terms (499 for a client gone, grpc, trusted chain only)', () => {
  const base = {
    startTime: 1_000, clientAddress: '10.0.0.5', method: 'POST', host: 'h', path: '/p', protocol: 'h2' as const, status: 200,
    bytesIn: 1, bytesOut: 2, totalLatencyMs: 3, upstreamLatencyMs: -1, routeName: 'r', serviceName: 's', upstreamName: 'u',
    targetAddress: '10.0.0.9:80', targetIdentity: 'pod', sticky: 'none' as const, retries: 0, errorCode: null,
    headers: { 'content-type': 'application/grpc+proto', 'x-forwarded-for': '1.2.3.4', 'user-agent': 'grpc-node' },
    trustedPeer: false, trace: null,
  };
  const grpc = accessRecord(base);
  assert.deepEqual([grpc.protocol, grpc.sticky, grpc.upstreamMs, grpc.forwardedFor, grpc.userAgent], ['grpc', null, null, null, 'grpc-node']);
  assert.equal(accessRecord({ ...base, trustedPeer: true }).forwardedFor, '1.2.3.4');
  const gone = accessRecord({ ...base, protocol: 'http/1.1', status: 0 });
  assert.deepEqual([gone.protocol, gone.status, gone.error], ['HTTP/1.1', 499, 'CLIENT_GONE']);
  assert.equal(accessRecord({ ...base, protocol: 'ws', status: 101 }).protocol, 'websocket');
});
