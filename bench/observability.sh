#!/usr/bin/env bash
# The cost of the operator's view, measured with the shared harness (bench/run.sh), each pair in
# one run with interleaved rounds and the same sticky config (RR_SAME_CONFIG=1):
#   access-log: berth --access-log FILE (json)  ÷  berth --access-log off     (target: >= 0.95),
#               in sequential rounds (bench/run.sh) and on one shared core at once (bench/shared-core.sh),
#               on that core again with the threads other than the event loops moved off it (HELPER_CPU),
#               --access-log stdout into a pipe (the default destination, as in a container) on that core,
#               then nginx's own JSON access log by the same shared-core method, for comparison
#   tracing:    berth, tracing off (no --otlp-endpoint, no traceparent in the traffic)
#               ÷  a baseline build of BASELINE_REF, the commit before tracing and the access log
#               were wired into the proxy (target: ~1.00, "off costs nothing")
# usage: bench/observability.sh [access-log|tracing]...   (default both; needs `npm run build`)
# Tunables: the harness's (REPEAT, DURATION, WARMUP, ...; see bench/HARNESS.md), BASELINE_REF.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
rows=${*:-access-log tracing}
status=0
gw="gateway --config \"\$BENCH_CONFIG\" --proxy-listen 127.0.0.1:\$BENCH_PORT --admin-listen 127.0.0.1:0 --log-level warn"
# PEERS=" ": no other proxies (run.sh treats an empty PEERS as "all peers").
export PEERS=${PEERS:-" "} RR_SAME_CONFIG=1

# paired_ratios <a> <b> <rounds.txt>: a ÷ b req/s within each round (the two ran back to back)
# and the median of those ratios (bench/paired-ratios.awk).
paired_ratios() {
  echo
  echo "Per round (the two sides back to back): $1 ÷ $2 req/s, and the median of those ratios"
  echo
  echo "| traffic | per round | median |"
  echo "|---|---|---:|"
  awk -v a="$1" -v b="$2" -v col=4 -f bench/paired-ratios.awk "$3"
}

# quiet_disk: each shared-core part starts from a quiet disk. The part before leaves its log in the
# page cache (~1.5 GB after the sequential rounds), and while ext4 writes such a backlog out, every
# write(2) of the log costs more (0.94 -> 0.90 here).
quiet_disk() { rm -f "$log_dir"/*.log; sync; }

for row in $rows; do
  case $row in
    access-log)
      log_dir=$(mktemp -d "${TMPDIR:-/tmp}/berth-access-log.XXXXXX")
      echo "## access log to a file (berth-log) vs off (berth): ratio berth-log ÷ berth"
      # Five rounds, the two sides' order alternating: the effect is a few percent and one round
      # of one side can move by more than that on a shared 2-core machine.
      REPEAT=${REPEAT:-5} ALTERNATE=1 BENCH_OUT=$log_dir/bench \
        CANDIDATE_NAME=berth-log RR_CANDIDATE_NAME=berth \
        RR_CANDIDATE_CMD="node $root/bin/berth.js $gw --access-log off" \
        bash bench/run.sh "node $root/bin/berth.js $gw --access-log $log_dir/access.log" || status=1
      echo "access log lines written: $(wc -l <"$log_dir/access.log")"
      paired_ratios berth-log berth "$log_dir"/bench/*/rounds.txt
      echo
      # The same pair on one core at the same time: drift between rounds cannot move this one.
      quiet_disk
      bash bench/shared-core.sh berth-log "--access-log $log_dir/shared-core.log" berth "--access-log off" || status=1
      echo
      # Again with everything but the event loops on the other core: the log's writes run on
      # libuv's pool, so on a host with a core to spare this is what the log takes from requests.
      quiet_disk
      HELPER_CPU=${LOAD_CPU:-1} bash bench/shared-core.sh berth-log "--access-log $log_dir/shared-core.log" berth "--access-log off" || status=1
      echo
      # The default destination, stdout, as a container has it: a pipe a reader drains.
      STDOUT_PIPE=1 bash bench/shared-core.sh berth-stdout "--access-log stdout" berth "--access-log off" || status=1
      echo
      # nginx writing the same JSON line to the same disk, by the same method: what the line costs
      # a proxy written in C (CPU µs per request), and its share of nginx's own req/s per core.
      quiet_disk
      PROXY=nginx bash bench/shared-core.sh nginx-log "--access-log $log_dir/nginx.log" nginx "--access-log off" || status=1
      rm -rf "$log_dir" ;;
    tracing)
      ref=${BASELINE_REF:-$(git log --format=%H -1 --grep='^proxy: access log')~1}
      base=$(mktemp -d "${TMPDIR:-/tmp}/berth-baseline.XXXXXX")
      git archive "$ref" | tar -x -C "$base" && ln -s "$root/node_modules" "$base/node_modules" \
        && (cd "$base" && npx tsc -p tsconfig.build.json) || { echo "cannot build $ref"; status=1; continue; }
      echo "## tracing off (berth) vs baseline $(git rev-parse --short "$ref") (berth-baseline): ratio berth ÷ berth-baseline"
      CANDIDATE_NAME=berth RR_CANDIDATE_NAME=berth-baseline \
        RR_CANDIDATE_CMD="node $base/bin/berth.js $gw" \
        bash bench/run.sh "node $root/bin/berth.js $gw --access-log off" || status=1
      rm -rf "$base" ;;
    *) echo "unknown row $row (access-log|tracing)"; status=1 ;;
  esac
done
exit $status
