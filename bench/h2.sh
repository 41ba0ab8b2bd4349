#!/usr/bin/env bash
# HTTP/2 and gRPC proxying (issue 10): berth (h2c in, h2c out: Kong `protocol: grpc`) vs HAProxy
# (`proto h2` on both sides) vs nginx (`listen ... http2` + `grpc_pass`) vs node (the floor of a
# Node.js proxy: bench/h2-node-baseline.mjs, node:http2 both sides and nothing else), same h2c
# backend, same h2load load (unary gRPC-shaped POSTs), interleaved rounds, proxy pinned to
# PROXY_CPU, load and backend on LOAD_CPU. Reported: req/s, mean latency (h2load reports no
# percentiles), the proxy's CPU% and req/s per proxy core; ratios in the closing note, with the
# backend's own ceiling (the same load straight at it from the idle proxy core): a proxy whose
# req/s comes near it is limited by the backend, and only its per-core figure carries over.
# berth runs twice: `berth` on node's http2 (--http2-engine node) and `berth-h2` on berth's own
# HTTP/2 (--http2-engine berth, the default: src/dataplane/http2/connection.ts for clients,
# client-connection.ts for upstreams).
# usage: bench/h2.sh   (needs `npm run build`, haproxy, nginx, h2load; installs what is missing
#        with apt-get as root or passwordless sudo)
# tunables: DURATION (s, default 10), REPEAT (default 3), CONNS (default 16), STREAMS (per
#           connection, default 32), PROXY_CPU (0), LOAD_CPU (1), PEERS ("berth berth-h2 haproxy nginx node").
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
DURATION=${DURATION:-10} REPEAT=${REPEAT:-3} CONNS=${CONNS:-16} STREAMS=${STREAMS:-32}
PROXY_CPU=${PROXY_CPU:-0} LOAD_CPU=${LOAD_CPU:-1} PEERS=${PEERS:-"berth berth-h2 haproxy nginx node"}
out=${BENCH_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/berth-h2.XXXXXX")}
log() { echo "[h2] $*" >&2; }
die() { log "$*"; exit 1; }

need=()
command -v h2load >/dev/null || need+=(nghttp2-client)
command -v haproxy >/dev/null || need+=(haproxy)
command -v nginx >/dev/null || need+=(nginx)
if (( ${#need[@]} )); then
  sudo=(); [[ $(id -u) == 0 ]] || { sudo -n true 2>/dev/null && sudo=(sudo -n); } || die "missing ${need[*]}: run as root or apt-get install -y ${need[*]}"
  log "installing ${need[*]}"
  "${sudo[@]}" apt-get update -qq >&2 && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2 || die "apt-get install failed"
fi
[[ -f $root/dist/cli/main.js ]] || die "dist/ is missing: run npm run build"

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
BACKEND_PORT=$(free_port)
PROXY_PORT=$(free_port)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -- -"$p" 2>/dev/null || kill "$p" 2>/dev/null; done; }
trap cleanup EXIT

setsid taskset -c "$LOAD_CPU" node "$root/bench/h2-backend.mjs" "$BACKEND_PORT" >"$out/backend.log" 2>&1 &
pids+=($!)

cat >"$out/berth.json" <<JSON
{"_format_version":"3.0","services":[{"name":"grpc","host":"up","protocol":"grpc","routes":[{"name":"grpc","protocols":["grpc"],"paths":["/"],"strip_path":false}]}],
 "upstreams":[{"name":"up","targets":[{"target":"127.0.0.1:$BACKEND_PORT"}]}]}
JSON
cat >"$out/haproxy.cfg" <<CFG
global
  nbthread 1
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend fe
  bind 127.0.0.1:$PROXY_PORT proto h2
  default_backend be
backend be
  server s1 127.0.0.1:$BACKEND_PORT proto h2
CFG
cat >"$out/nginx.conf" <<CFG
worker_processes 1;
daemon off;
pid $out/nginx.pid;
error_log $out/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  # nginx ends a client connection after keepalive_requests (default 1000) requests; h2load does
  # not reconnect, so the default would cap a run at CONNS x 1000 requests.
  keepalive_requests 1000000;
  upstream be { server 127.0.0.1:$BACKEND_PORT; keepalive 512; }
  server {
    listen 127.0.0.1:$PROXY_PORT http2;
    location / { grpc_pass grpc://be; }
  }
}
CFG

start_peer() {
  case $1 in
    berth|berth-h2) setsid taskset -c "$PROXY_CPU" node "$root/bin/berth.js" gateway --config "$out/berth.json" --proxy-listen "127.0.0.1:$PROXY_PORT" --admin-listen 127.0.0.1:0 --log-level warn --access-log off \
        --http2-engine "$([[ $1 == berth-h2 ]] && echo berth || echo node)" >"$out/$1.log" 2>&1 & ;;
    haproxy) setsid taskset -c "$PROXY_CPU" haproxy -f "$out/haproxy.cfg" -db >"$out/haproxy.log" 2>&1 & ;;
    nginx) setsid taskset -c "$PROXY_CPU" nginx -c "$out/nginx.conf" -p "$out" >"$out/nginx.log" 2>&1 & ;;
    node) setsid taskset -c "$PROXY_CPU" node "$root/bench/h2-node-baseline.mjs" "$PROXY_PORT" "$BACKEND_PORT" >"$out/node.log" 2>&1 & ;;
  esac
  peer_pid=$!
  for _ in $(seq 1 100); do
    timeout 2 h2load -n 1 -c 1 "http://127.0.0.1:$PROXY_PORT/bench.Echo/Say" 2>/dev/null | grep -q "1 succeeded" && return 0
    sleep 0.1
  done
  die "$1 did not answer h2c on $PROXY_PORT (see $out/$1.log)"
}

# cpu_ticks: user+system clock ticks of a process group (all processes of the session).
cpu_ticks() { ps -o sid= -o pid= -e | awk -v s="$1" '$1==s {print $2}' | while read -r p; do awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null; done | awk '{t+=$1} END {print t+0}'; }

printf 'peer round rps mean_ms cpu_pct rps_per_core\n' >"$out/rounds.txt"
payload="$out/payload"; printf '\x00\x00\x00\x00\x07\x0a\x05hello' >"$payload"
hz=$(getconf CLK_TCK)
# load CPU URL: the measured load, the same for every peer.
load() {
  taskset -c "$1" h2load -D "$DURATION" -c "$CONNS" -m "$STREAMS" -t 1 -d "$payload" \
    -H 'content-type: application/grpc' -H 'te: trailers' "$2" 2>&1
}
for _ in $(seq 1 100); do
  timeout 2 h2load -n 1 -c 1 "http://127.0.0.1:$BACKEND_PORT/bench.Echo/Say" 2>/dev/null | grep -q "1 succeeded" && break
  sleep 0.1
done
ceiling=$(load "$PROXY_CPU" "http://127.0.0.1:$BACKEND_PORT/bench.Echo/Say" | awk '/^finished in/ {gsub(",", "", $4); print $4}')
log "backend alone (h2load on the proxy core): ${ceiling:-?} req/s"
for round in $(seq 1 "$REPEAT"); do
  for peer in $PEERS; do
    start_peer "$peer"
    t0=$(cpu_ticks "$peer_pid")
    res=$(load "$LOAD_CPU" "http://127.0.0.1:$PROXY_PORT/bench.Echo/Say")
    t1=$(cpu_ticks "$peer_pid")
    kill -- -"$peer_pid" 2>/dev/null; wait "$peer_pid" 2>/dev/null
    rps=$(awk '/^finished in/ {gsub(",", "", $4); print $4}' <<<"$res")
    ok=$(awk '/^requests:/ {print $8}' <<<"$res")
    mean=$(awk '/^time for request:/ {print $6}' <<<"$res")
    cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v d="$DURATION" 'BEGIN {printf "%.0f", (b - a) * 100 / hz / d}')
    per=$(awk -v r="${rps:-0}" -v c="$cpu" 'BEGIN {printf "%.0f", (c > 0 ? r * 100 / c : 0)}')
    printf '%s %s %s %s %s %s\n' "$peer" "$round" "${rps:-0}" "${mean:-?}" "$cpu" "$per" >>"$out/rounds.txt"
    log "round $round $peer: ${rps:-0} req/s (succeeded ${ok:-?}), mean ${mean:-?}, proxy CPU ${cpu}%"
  done
done

echo "| peer | req/s (median) | mean latency | proxy CPU % | req/s per proxy core |"
echo "|---|---:|---:|---:|---:|"
for peer in $PEERS; do
  awk -v p="$peer" '$1==p' "$out/rounds.txt" | sort -k3 -n | awk -v p="$peer" '{r[NR]=$0} END {split(r[int((NR+1)/2)], f, " "); printf "| %s | %s | %s | %s | %s |\n", p, f[3], f[4], f[5], f[6]}'
done | tee "$out/medians.md"
per() { awk -v p="$1" -F'|' '$2 ~ " "p" " {gsub(" ", "", $6); print $6}' "$out/medians.md"; }
ratio() { awk -v a="${1:-0}" -v c="${2:-0}" 'BEGIN {print (c > 0 ? sprintf("%.2f", a / c) : "-")}'; }
b=$(per berth); e=$(per berth-h2); h=$(per haproxy); n=$(per nginx); o=$(per node)
echo
echo "Closing note: req/s per proxy core, berth ÷ HAProxy = $(ratio "$b" "$h"), berth ÷ nginx = $(ratio "$b" "$n"), berth ÷ node:http2 floor = $(ratio "$b" "$o"); berth-h2 (--http2-engine berth) ÷ berth = $(ratio "$e" "$b"), berth-h2 ÷ HAProxy = $(ratio "$e" "$h"), berth-h2 ÷ node:http2 floor = $(ratio "$e" "$o"); backend alone ${ceiling:-?} req/s (raw rounds: $out/rounds.txt)"
