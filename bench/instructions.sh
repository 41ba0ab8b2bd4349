#!/usr/bin/env bash
# What berth executes per request, counted rather than timed: each variant runs under valgrind's
# callgrind, which counts the instructions (and with CACHE=1 simulates the cache misses and branch
# mispredictions) of a fixed number of requests after a warm-up. The count does not drift with the
# machine: with the log off a variant run twice here repeats within ±0.2 %, with it on (its timers
# decide when lines are encoded) within ±1 %, where req/s (bench/shared-core.sh) resolves about
# ±3 %. So a cost of 1-2 % per request, and where it goes, can be seen; what a count cannot say
# is how long the instructions take (misses and mispredictions are what CACHE=1 adds).
#
#   usage: bench/instructions.sh "<berth gateway args A>" "<args B>" ...
#   e.g.   bench/instructions.sh "--access-log off" "--access-log /tmp/x/access.log"
#
# Prints per variant the events per request and its ratio to the first, then for each further
# variant the functions whose count per request differs most from the first's (V8's compiled
# functions named from node's --perf-basic-prof map; what TurboFan inlined counts in its caller).
# Valgrind runs the proxy ~20 times slower than the hardware, so the access log's timers (gather
# 50 ms, flush 50 ms) would see a twentieth of the lines per batch they see at full speed: the
# variants run a copy of dist/ with both set to 1 s, so batches are as big as on the hardware.
# Tunables: REQUESTS=40000 WARMUP=10000 CONNS=16 STICKY=0|1 (returning sessions: harvested cookies)
#   CACHE=0|1 TOP=25. Needs `npm run build`, valgrind and nginx (apt-get install -y valgrind
#   nginx-light). Loopback only; each variant takes about two minutes (four with CACHE=1).
set -uo pipefail
set +m
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
cd "$(dirname "$0")/.."
root=$(pwd)
(( $# >= 1 )) || { echo "usage: $0 \"<berth gateway args A>\" [\"<args B>\" ...]"; exit 2; }
REQUESTS=${REQUESTS:-40000} WARMUP=${WARMUP:-10000} CONNS=${CONNS:-16} STICKY=${STICKY:-0} CACHE=${CACHE:-0} TOP=${TOP:-25}
for tool in valgrind callgrind_control callgrind_annotate nginx curl node setsid; do
  command -v $tool >/dev/null || { echo "missing $tool: apt-get install -y valgrind nginx-light"; exit 1; }
done
[[ -f dist/cli/main.js ]] || { echo "no dist/: run npm run build first"; exit 1; }
port=8095
source bench/process-groups.sh
require_free_ports 9101 9102 9103 $port
scratch_dir berth-instructions
wait_http() { local i; for i in $(seq 1 240); do curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/" && return 0; sleep 0.5; done; return 1; }

# The copy of berth the variants run: the access log's timers at 1 s (above).
copy=$out/berth
mkdir -p "$copy"
cp -r bin dist package.json "$copy/"
ln -s "$root/node_modules" "$copy/node_modules"
slow() {                 # slow <file> <constant>: `const <constant> = 50;` becomes 1000, or the script stops
  grep -q "^const $2 = 50;" "$copy/$1" || { echo "$1 has no 'const $2 = 50;' any more: update bench/instructions.sh"; exit 1; }
  sed -i "s/^const $2 = 50;/const $2 = 1000;/" "$copy/$1"
}
slow dist/dataplane/access-log/access-log.js GATHER_MS
slow dist/dataplane/access-log/writer.js FLUSH_MS

mkdir -p "$out/backends/tmp"
setsid nginx -p "$out/backends/" -e "$out/backends/error.log" -c "$root/bench/conf/backends.conf" >/dev/null 2>&1 </dev/null &
groups+=("$!")
for p in 9101 9102 9103; do wait_http $p || { echo "backend :$p did not come up"; exit 1; }; done

simulate=(); [[ $CACHE == 1 ]] && simulate=(--cache-sim=yes --branch-sim=yes)
variant=0
for args in "$@"; do
  # shellcheck disable=SC2086
  setsid valgrind --tool=callgrind "${simulate[@]}" --instr-atstart=no --callgrind-out-file="$out/cg.$variant.out" \
    node --perf-basic-prof "$copy/bin/berth.js" gateway --config "$root/bench/conf/bench.yaml" \
    --proxy-listen "127.0.0.1:$port" --admin-listen 127.0.0.1:0 --log-level warn --workers 1 $args \
    >"$out/berth.$variant.log" 2>&1 </dev/null &
  pid=$!; groups+=("$pid")
  wait_http $port || { echo "variant '$args' did not answer:"; tail -5 "$out/berth.$variant.log"; exit 1; }
  cookies=()
  if [[ $STICKY == 1 ]]; then
    timeout 300 node bench/harvest.mjs $port session-id 1000 "$out/cookies.txt" >/dev/null || { echo "harvest failed"; exit 1; }
    cookies=("$out/cookies.txt")
  fi
  node bench/fixed-load.mjs $port "$WARMUP" "$CONNS" "${cookies[@]}" >/dev/null || { echo "warm-up failed for '$args'"; exit 1; }
  callgrind_control -i on $pid >/dev/null 2>&1
  node bench/fixed-load.mjs $port "$REQUESTS" "$CONNS" "${cookies[@]}" >/dev/null || { echo "requests failed for '$args'"; exit 1; }
  callgrind_control -i off $pid >/dev/null 2>&1
  kill -TERM $pid; wait $pid 2>/dev/null
  mv "/tmp/perf-$pid.map" "$out/map.$variant" || { echo "no perf map for '$args'"; exit 1; }
  grep -E '^(events|totals):' "$out/cg.$variant.out" >"$out/totals.$variant"
  echo "variant $variant ('$args') counted" >&2
  variant=$((variant + 1))
done

# events per request: Ir, and with CACHE=1 the misses (I1, D1 read+write) and mispredictions (conditional+indirect).
per_request() {
  awk -v n="$REQUESTS" '/^events:/ { for (i = 2; i <= NF; i++) col[$i] = i - 1 }
    /^totals:/ { for (i = 2; i <= NF; i++) v[i - 1] = $i }
    END { printf "%.0f", v[col["Ir"]] / n
      if ("D1mr" in col) printf " %.1f %.1f %.1f", v[col["I1mr"]] / n, (v[col["D1mr"]] + v[col["D1mw"]]) / n, (v[col["Bcm"]] + v[col["Bim"]]) / n
      print "" }' "$1"
}
echo "## Instructions per request (bench/instructions.sh)"
echo
echo "$REQUESTS requests over $CONNS keep-alive connections after $WARMUP to warm up$([[ $STICKY == 1 ]] && echo ', each with one of 1,000 harvested cookies'), counted by callgrind; ratio = ÷ the first variant."
echo
if [[ $CACHE == 1 ]]; then
  echo "| variant | instructions | ratio | I1 misses | D1 misses | mispredictions |"; echo "|---|---:|---:|---:|---:|---:|"
else
  echo "| variant | instructions | ratio |"; echo "|---|---:|---:|"
fi
args=("$@")
base=$(per_request "$out/totals.0" | cut -d' ' -f1)
for ((i = 0; i < variant; i++)); do
  read -r ir rest <<<"$(per_request "$out/totals.$i")"
  ratio=$(awk -v a="$ir" -v b="$base" 'BEGIN { printf "%.3f", a / b }')
  line="| \`${args[i]}\` | $ir | $ratio |"
  [[ -n ${rest:-} ]] && line="$line $(tr ' ' '\n' <<<"$rest" | paste -sd'|' | sed 's/|/ | /g') |"
  echo "$line"
done
for ((i = 1; i < variant; i++)); do
  echo
  echo "Instructions per request by function, \`${args[i]}\` − \`${args[0]}\` (then \`${args[i]}\`'s own), the $TOP largest differences:"
  echo
  echo '```'
  LC_ALL=C join -t $'\t' -a1 -a2 -e 0 -o 0,1.2,2.2 \
    <(node bench/callgrind-functions.mjs "$out/cg.0.out" "$out/map.0" Ir "$REQUESTS" | awk -F'\t' '{print $2"\t"$1}' | LC_ALL=C sort -t $'\t' -k1,1) \
    <(node bench/callgrind-functions.mjs "$out/cg.$i.out" "$out/map.$i" Ir "$REQUESTS" | awk -F'\t' '{print $2"\t"$1}' | LC_ALL=C sort -t $'\t' -k1,1) |
    awk -F'\t' '{ d = $3 - $2; printf "%.0f\t%+9.0f %9.0f  %s\n", (d < 0 ? -d : d), d, $3, substr($1, 1, 110) }' |
    sort -t $'\t' -k1,1 -g -r | cut -f2- | head -"$TOP"
  echo '```'
done
