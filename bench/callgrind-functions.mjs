// Per-function totals of one event from a callgrind profile of node, with V8's JIT code named from
// node's --perf-basic-prof map (callgrind_annotate knows only node's own symbols), for
// bench/instructions.sh.
//
//   node callgrind-functions.mjs <callgrind.out> <perf map> <event> <divisor>
//
// Prints "<count ÷ divisor>\t<function>" per function, inlined functions counted in the function
// they were compiled into (a JIT name such as "JS:*encodeJsonLine dist/dataplane/access-log/json-line.js:11:31").
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const [profile, mapFile, event, divisorArg] = process.argv.slice(2);
if (!profile || !mapFile || !event || !divisorArg) {
  console.error('usage: node callgrind-functions.mjs <callgrind.out> <perf map> <event> <divisor>');
  process.exit(2);
}
const divisor = Number(divisorArg);

const ranges = readFileSync(mapFile, 'utf8').split('\n').filter(Boolean).map((line) => {
  const [start, size, ...name] = line.split(' ');
  return { start: parseInt(start, 16), end: parseInt(start, 16) + parseInt(size, 16), name: name.join(' ') };
}).sort((a, b) => a.start - b.start);

/** nameAt: the JIT function whose code holds `address` (binary search over the map's ranges). */
function nameAt(address) {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid].start <= address) lo = mid + 1;
    else hi = mid - 1;
  }
  const range = ranges[hi];
  return range !== undefined && address < range.end ? range.name : `JIT 0x${address.toString(16)}`;
}

const annotated = execFileSync('callgrind_annotate', [`--show=${event}`, `--sort=${event}`, '--threshold=100', profile], {
  encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
});
const totals = new Map();
for (const line of annotated.split('\n')) {
  const m = /^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(.*)$/.exec(line);
  if (m === null || line.includes('PROGRAM TOTALS')) continue;
  const count = Number(m[1].replaceAll(',', ''));
  const jit = /\?\?\?:0x([0-9a-f]+)/.exec(m[2]);
  // JIT names carry the script's URL: berth's own as dist/… wherever the copy ran.
  const name = (jit !== null ? nameAt(parseInt(jit[1], 16)) : m[2].replace(/ \[.*\]$/, '')).replace(/file:\/\/\S*?\/dist\//, 'dist/');
  totals.set(name, (totals.get(name) ?? 0) + count);
}
for (const [name, count] of totals) console.log(`${(count / divisor).toFixed(1)}\t${name}`);
