#!/usr/bin/env bash
# berth now vs an earlier commit of berth, in one run of the shared harness (bench/run.sh) with
# interleaved rounds and the same sticky config (RR_SAME_CONFIG=1): ratio berth ÷ berth-<ref>.
# usage: bench/versus.sh [REF]   (default: v0.1, the last commit before the one-engine rework)
# Needs `npm run build` and the git history (a clone, not an archive). Tunables: the harness's.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
ref=${1:-${VERSUS_REF:-24b822b}}
gw="gateway --config \"\$BENCH_CONFIG\" --proxy-listen 127.0.0.1:\$BENCH_PORT --admin-listen 127.0.0.1:0 --log-level warn"
base=$(mktemp -d "${TMPDIR:-/tmp}/berth-versus.XXXXXX")
trap 'rm -rf "$base"' EXIT
git archive "$ref" | tar -x -C "$base" && ln -s "$root/node_modules" "$base/node_modules" \
  && (cd "$base" && npx tsc -p tsconfig.build.json) || { echo "cannot build $ref"; exit 1; }
# Flags the old build does not know are left out of its command line; both write no access log.
old_flags=$(node "$base/bin/berth.js" gateway --help | grep -q -- '--access-log' && echo "--access-log off")
echo "## berth now vs $(git rev-parse --short "$ref") (berth-$(git rev-parse --short "$ref")): ratio berth ÷ berth-$(git rev-parse --short "$ref")"
PEERS=${PEERS:-" "} RR_SAME_CONFIG=1 CANDIDATE_NAME=berth RR_CANDIDATE_NAME="berth-$(git rev-parse --short "$ref")" \
  RR_CANDIDATE_CMD="node $base/bin/berth.js $gw $old_flags" \
  bash bench/run.sh "node $root/bin/berth.js $gw --access-log off"
