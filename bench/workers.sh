#!/usr/bin/env bash
# Scaling across cores (issue 12): berth --workers 2 (berth-w2) vs --workers 1 (berth-w1), same sticky
# config, interleaved rounds, through the shared harness (bench/run.sh). berth-w1 is pinned to
# PROXY_CPU as in every other row; berth-w2 may run on PROXY_CPU and LOAD_CPU (CANDIDATE_CPUS), so on
# a 2-core machine one of its workers shares a core with wrk and the backends: its req/s is bounded
# by that, which is why the figure that carries over is req/s per proxy core (req/s * 100 / the
# process group's CPU%, primary included). Target: per-core(w2) / per-core(w1) >= 0.85.
# usage: bench/workers.sh   (needs `npm run build`); tunables: the harness's (REPEAT, DURATION, ...).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
gw="gateway --config \"\$BENCH_CONFIG\" --proxy-listen 127.0.0.1:\$BENCH_PORT --admin-listen 127.0.0.1:0 --log-level warn --access-log off"
export PEERS=${PEERS:-" "} RR_SAME_CONFIG=1
export BENCH_OUT=${BENCH_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/berth-workers.XXXXXX")}
echo "## --workers 2 (berth-w2) vs --workers 1 (berth-w1)"
CANDIDATE_NAME=berth-w2 CANDIDATE_CPUS="${PROXY_CPU:-0},${LOAD_CPU:-1}" RR_CANDIDATE_NAME=berth-w1 \
  RR_CANDIDATE_CMD="node $root/bin/berth.js $gw --workers 1" \
  bash bench/run.sh "node $root/bin/berth.js $gw --workers 2" || exit 1
medians=$(ls -t "$BENCH_OUT"/*/medians.txt | head -1)
echo
echo "| traffic | w1 req/s | w2 req/s | w1 req/s per proxy core | w2 req/s per proxy core | per core w2 ÷ w1 |"
echo "|---|---:|---:|---:|---:|---:|"
# medians.txt: peer traffic rps_median rps_min rps_max eff_median p50 p99 rounds
awk '{ rps[$1 " " $2] = $3; eff[$1 " " $2] = $6; sc[$2] = 1 }
  END { for (s in sc) { a = eff["berth-w1 " s]; b = eff["berth-w2 " s]
    printf "| %s | %.0f | %.0f | %.0f | %.0f | %s |\n", s, rps["berth-w1 " s], rps["berth-w2 " s], a, b, (a > 0 ? sprintf("%.2f", b / a) : "-") } }' "$medians"
