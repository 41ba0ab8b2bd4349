// The access log's JSON encoder alone, for counting its instructions a line under callgrind:
// 512 records like bench/conf/bench.yaml's traffic (one client, GET /, three targets in turn,
// latencies that vary), encoded `rounds` times into one buffer. Run it twice and take the
// difference, which cancels node's start-up and the JIT's warm-up:
//
//   for n in 200 2200; do valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//     node --single-threaded bench/encode-lines.mjs $n 2>&1 | grep refs; done
//   instructions a line = (refs(2200) - refs(200)) / (2000 * 512)
//
// --single-threaded keeps V8's compiler and GC helpers off other threads, without which two runs of
// the same count differed by half. Needs `npm run build`. Optional second argument: another
// clone's root (its dist/ is encoded instead), to compare two builds.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const rounds = Number(process.argv[2] ?? 200);
const root = pathToFileURL(resolve(process.argv[3] ?? new URL('..', import.meta.url).pathname)).href;
const { encodeJsonLine } = await import(`${root}/dist/dataplane/access-log/json-line.js`);
const { fillRecord, LogRecord } = await import(`${root}/dist/dataplane/access-log/record.js`);

const targets = ['127.0.0.1:9101', '127.0.0.1:9102', '127.0.0.1:9103'];
const start = Date.UTC(2026, 11, 2, 9, 5, 7, 250);
const records = Array.from({ length: 512 }, (_, i) => fillRecord(new LogRecord(), {
  startTime: start + i * 0.05, clientAddress: '127.0.0.1', trustedPeer: false, headers: {}, method: 'GET',
  host: '127.0.0.1', path: '/', protocol: 'http/1.1', status: 200, bytesIn: 0, bytesOut: 612,
  totalLatencyMs: 0.3 + (i % 7) * 0.1234, upstreamLatencyMs: 0.2 + (i % 5) * 0.0987, routeName: 'bench',
  serviceName: 'bench-svc', upstreamName: 'bench-up', targetAddress: targets[i % 3], targetIdentity: null,
  sticky: 'none', retries: 0, errorCode: null, trace: null,
}, false));

const into = Buffer.allocUnsafe(512 * 1024);
let bytes = 0;
for (let round = 0; round < rounds; round++) {
  let p = 0;
  for (let i = 0; i < records.length; i++) p = encodeJsonLine(into, p, records[i]);
  bytes += p;
}
console.log(`${rounds} rounds of ${records.length} lines, ${bytes} bytes`);
