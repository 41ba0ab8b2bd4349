#!/usr/bin/env bash
# The cost of the operator's view, measured with the shared harness (bench/run.sh), each pair in
# one run with interleaved rounds and the same sticky config (RR_SAME_CONFIG=1):
#   access-log: berth --access-log FILE (json)  ÷  berth --access-log off     (target: >= 0.95)
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

for row in $rows; do
  case $row in
    access-log)
      log_dir=$(mktemp -d "${TMPDIR:-/tmp}/berth-access-log.XXXXXX")
      echo "## access log to a file (berth-log) vs off (berth): ratio berth-log ÷ berth"
      CANDIDATE_NAME=berth-log RR_CANDIDATE_NAME=berth \
        RR_CANDIDATE_CMD="node $root/bin/berth.js $gw --access-log off" \
        bash bench/run.sh "node $root/bin/berth.js $gw --access-log $log_dir/access.log" || status=1
      echo "access log lines written: $(cat "$log_dir/access.log" | wc -l)"
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
