#!/usr/bin/env bash
# npm run bench: every benchmark berth has, in one run, from a clone of the project alone.
#   1. proxy: berth vs HAProxy, nginx and two plain-Node proxies (bench/run.sh, the shared harness)
#   2. translation: 5,000 Services/HTTPRoutes full translation, one EndpointSlice change
#   3. propagation: a manifest edit until the proxy behaves differently
#   4. observability: access log to a file vs off, tracing off vs the build before it (bench/observability.sh)
#   5. config push: proxy latency while POST /config takes a 5,000-Service config, vs no push
#   6. workers: --workers 2 vs --workers 1, req/s per proxy core (bench/workers.sh)
#   7. memory: RSS at 50,000 targets in 5,000 upstreams, and per idle keep-alive connection (bench/memory.ts)
#   8. h2: gRPC-shaped h2c traffic, berth vs HAProxy (proto h2) and nginx (grpc_pass) (bench/h2.sh)
#   9. versus: berth now vs v0.1 (24b822b, before the one-engine rework), same run (bench/versus.sh)
# Tunables: the harness's (REPEAT, DURATION, PEERS, ...; see bench/HARNESS.md) and
# BENCH_ONLY=proxy|translate|propagation|observability|config-push|workers|memory|h2|versus.
# The peers write no access log (nginx access_log off), so neither does berth in row 1.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
only=${BENCH_ONLY:-}
status=0

if [[ -z $only || $only == proxy ]]; then
  echo "## 1. Proxy: berth (sticky-sessions) and berth-rr (round-robin) vs HAProxy, nginx, node-http, node-undici"
  berth="node $root/bin/berth.js gateway --config \"\$BENCH_CONFIG\" --proxy-listen 127.0.0.1:\$BENCH_PORT --admin-listen 127.0.0.1:0 --log-level warn --access-log off"
  SCENARIOS=${SCENARIOS:-new sticky mixed} CANDIDATE_NAME=berth RR_CANDIDATE_CMD="$berth" bash bench/run.sh "$berth" || status=1
fi
if [[ -z $only || $only == translate ]]; then
  echo; echo "## 2. Translation"
  node --import tsx bench/translate.ts || status=1
fi
if [[ -z $only || $only == propagation ]]; then
  echo; echo "## 3. Change propagation (manifests folder -> proxy)"
  node --import tsx bench/propagation.ts || status=1
fi
if [[ -z $only || $only == observability ]]; then
  echo; echo "## 4. Observability: access log and tracing cost"
  bash bench/observability.sh || status=1
fi
if [[ -z $only || $only == config-push ]]; then
  echo; echo "## 5. Config push (POST /config of 5,000 Services while proxying)"
  node --import tsx bench/config-push.ts || status=1
fi
if [[ -z $only || $only == workers ]]; then
  echo; echo "## 6. Scaling: --workers 2 vs --workers 1"
  bash bench/workers.sh || status=1
fi
if [[ -z $only || $only == memory ]]; then
  echo; echo "## 7. Memory"
  node --import tsx bench/memory.ts || status=1
  MEMORY_WORKERS=2 node --import tsx bench/memory.ts || status=1
fi
[[ -z $only || $only == h2 ]] && { echo; echo "## 8. HTTP/2 and gRPC: berth vs HAProxy (h2 both sides) and nginx (grpc_pass)"; bash bench/h2.sh || status=1; }
[[ -z $only || $only == versus ]] && { echo; echo "## 9. Before and after: berth now vs v0.1"; bash bench/versus.sh || status=1; }
exit $status
