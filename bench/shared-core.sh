#!/usr/bin/env bash
# Two variants of berth on ONE core at the same time, each under its own wrk: a second way to
# measure a per-request cost of a few percent (bench/observability.sh), which the drift of a shared
# machine between sequential runs (up to 15 % from one 8 s run to the next here) can hide. Both
# variants live through the same moments, so a slower moment slows both; what differs is what
# each spends per request.
#
#   per round: efficiency = req/s ÷ the process's CPU (utime+stime over the window, 100 = a core),
#   ratio = A's efficiency ÷ B's; reported per round and as the median over rounds.
#
# Caveat: the two processes share the core's caches and its kernel time, so cache lines A evicts
# (e.g. by writing a log) also cost B, which makes A's cost look a little smaller than it is.
# Sequential rounds (bench/run.sh) have no such sharing but all of the drift: read the two together.
#
# usage: bench/shared-core.sh <name A> "<berth gateway args A>" <name B> "<berth gateway args B>"
#   e.g. bench/shared-core.sh log "--access-log /tmp/x/access.log" off "--access-log off"
# PROXY=nginx runs nginx (bench/conf/nginx-proxy.conf) on both sides instead, where the only
# argument understood is the same "--access-log off|FILE" (FILE: berth's JSON line as nginx writes
# it, bench/conf/nginx-json-log.conf, buffer=64k flush=50ms): nginx's own cost of the line, by the
# same method, for comparison.
# Tunables: REPEAT=5 DURATION=8 WARMUP=3 CONNS=64 PROXY_CPU=0 LOAD_CPU=1 COOKIES=1000 SCENARIOS="new sticky"
#   BERTH_A / BERTH_B: the bin/berth.js each side runs (default this clone's; e.g. another build)
#   PROXY=berth|nginx (above)
#   HELPER_CPU=<cpu> (berth only): after the warm-up, every thread of each berth but its main one
#   (libuv's pool, which writes the access log, and V8's helpers) moves to that CPU, so the
#   proxies' CPU runs their event loops only: the req/s ratio is then what the log takes from the
#   request path on a host with a core to spare (the efficiency ratio still counts every thread).
#   STDOUT_PIPE=1 (berth only): each berth's stdout is a pipe that `cat` on LOAD_CPU drains (what
#   a container runtime does with a container's stdout), so `--access-log stdout` is measured on a
#   pipe; its stderr goes to its log file.
# Needs `npm run build`, nginx and wrk (bench/run.sh installs them). Loopback only.
set -uo pipefail
set +m
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
cd "$(dirname "$0")/.."
root=$(pwd)
(( $# == 4 )) || { echo "usage: $0 <name A> \"<args A>\" <name B> \"<args B>\""; exit 2; }
names=("$1" "$3"); args=("$2" "$4"); ports=(8080 8085)
programs=("${BERTH_A:-$root/bin/berth.js}" "${BERTH_B:-$root/bin/berth.js}")
REPEAT=${REPEAT:-5} DURATION=${DURATION:-8} WARMUP=${WARMUP:-3} CONNS=${CONNS:-64}
PROXY_CPU=${PROXY_CPU:-0} LOAD_CPU=${LOAD_CPU:-1} COOKIES=${COOKIES:-1000}
SCENARIOS=${SCENARIOS:-new sticky}
for sc in $SCENARIOS; do [[ $sc == new || $sc == sticky ]] || { echo "shared-core.sh runs the scenarios new and sticky, not '$sc'" >&2; exit 2; }; done
PROXY=${PROXY:-berth}
HELPER_CPU=${HELPER_CPU:-}
STDOUT_PIPE=${STDOUT_PIPE:-}
[[ $PROXY == berth || $PROXY == nginx ]] || { echo "PROXY must be berth or nginx"; exit 2; }
[[ -z $HELPER_CPU || $PROXY == berth ]] || { echo "HELPER_CPU is for PROXY=berth only"; exit 2; }
[[ -z $STDOUT_PIPE || $PROXY == berth ]] || { echo "STDOUT_PIPE is for PROXY=berth only"; exit 2; }
cookie=session-id; [[ $PROXY == nginx ]] && cookie=session   # nginx-proxy.conf hashes on "session"
HZ=$(getconf CLK_TCK)
for tool in nginx wrk taskset setsid curl; do command -v $tool >/dev/null || { echo "missing $tool (bench/run.sh installs it)"; exit 1; }; done
source bench/process-groups.sh
require_free_ports 9101 9102 9103 "${ports[@]}"
scratch_dir berth-shared-core
start() {                # start <cpu> <log> <cmd...>: its own process group; sets pid
  setsid taskset -c "$1" "${@:3}" >"$2" 2>&1 </dev/null &
  pid=$!; groups+=("$pid")
}
start_piped() {          # start_piped <cpu> <log> <cmd...>: as start, stdout into a pipe `cat` drains on LOAD_CPU
  local fifo="$2.stdout"
  rm -f "$fifo"; mkfifo "$fifo"
  setsid taskset -c "$LOAD_CPU" cat "$fifo" >/dev/null & groups+=("$!")
  setsid taskset -c "$1" "${@:3}" >"$fifo" 2>"$2" </dev/null &
  pid=$!; groups+=("$pid")
}
wait_http() { local i; for i in $(seq 1 100); do curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/" && return 0; sleep 0.1; done; return 1; }
ticks() {                # utime+stime of a process group (nginx: master and worker)
  local p s t=0
  for p in $(pgrep -g "$1"); do read -ra s <"/proc/$p/stat" 2>/dev/null && t=$(( t + s[13] + s[14] )); done
  echo "$t"
}
# move_helpers <pid>: every thread of <pid> but its main one to HELPER_CPU.
move_helpers() {
  local t
  for t in /proc/"$1"/task/*; do [[ ${t##*/} == "$1" ]] || taskset -p -c "$HELPER_CPU" "${t##*/}" >/dev/null 2>&1; done
}
# nginx_conf <port> <--access-log value>: nginx-proxy.conf on <port>, its access log off or a FILE.
nginx_conf() {
  local log=off
  [[ $2 == off ]] || log="$2 berth_json buffer=64k flush=50ms"
  sed -e "s#listen 127.0.0.1:8082#listen 127.0.0.1:$1#" \
    -e "s#access_log off;#include $root/bench/conf/nginx-json-log.conf; access_log $log;#" "$root/bench/conf/nginx-proxy.conf"
}

# The harness's sticky config (bench/HARNESS.md): 3 targets, cookie session-id.
config=$out/bench.yaml
cp "$root/bench/conf/bench.yaml" "$config"
mkdir -p "$out/backends/tmp"
start "$LOAD_CPU" "$out/backends.log" nginx -p "$out/backends/" -e "$out/backends/error.log" -c "$root/bench/conf/backends.conf"
for p in 9101 9102 9103; do wait_http $p || { echo "backend :$p did not come up"; exit 1; }; done

for ((round = 1; round <= REPEAT; round++)); do
  pids=()
  for i in 0 1; do
    if [[ $PROXY == nginx ]]; then
      read -r flag value <<<"${args[i]}"
      [[ $flag == --access-log && -n $value ]] || { echo "PROXY=nginx understands only --access-log off|FILE"; exit 2; }
      prefix=$out/nginx-$i; mkdir -p "$prefix/tmp"; nginx_conf "${ports[i]}" "$value" >"$prefix/nginx.conf"
      start "$PROXY_CPU" "$out/${names[i]}.log" nginx -p "$prefix/" -e "$prefix/error.log" -c "$prefix/nginx.conf"
    else
      # shellcheck disable=SC2086
      launch=start; [[ -n $STDOUT_PIPE ]] && launch=start_piped
      $launch "$PROXY_CPU" "$out/${names[i]}.log" node "${programs[i]}" gateway --config "$config" \
        --proxy-listen "127.0.0.1:${ports[i]}" --admin-listen 127.0.0.1:0 --log-level warn ${args[i]}
    fi
    pids+=("$pid")
  done
  for i in 0 1; do wait_http "${ports[i]}" || { echo "${names[i]} did not answer"; cat "$out/${names[i]}.log"; exit 1; }; done
  for sc in $SCENARIOS; do
    wrkargs=()
    for i in 0 1; do
      script=(-s "$root/bench/lua/report.lua"); extra=()
      if [[ $sc == sticky ]]; then
        taskset -c "$LOAD_CPU" timeout 90 node "$root/bench/harvest.mjs" "${ports[i]}" "$cookie" "$COOKIES" "$out/cookies-$i.txt" >/dev/null \
          || { echo "harvest failed for ${names[i]}"; exit 1; }
        script=(-s "$root/bench/lua/sticky.lua"); extra=(-- "$out/cookies-$i.txt")
      fi
      wrkargs[i]="${script[*]} http://127.0.0.1:${ports[i]}/ ${extra[*]}"
    done
    # shellcheck disable=SC2086
    taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"${WARMUP}s" ${wrkargs[0]} >/dev/null & other=$!
    # shellcheck disable=SC2086
    taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"${WARMUP}s" ${wrkargs[1]} >/dev/null; wait "$other"
    # libuv starts its pool on first use (the log's first write, in the warm-up): move it now.
    if [[ -n $HELPER_CPU ]]; then for i in 0 1; do move_helpers "${pids[i]}"; done; fi
    t0=(); for i in 0 1; do t0[i]=$(ticks "${pids[i]}"); done
    start_ns=$(date +%s%N)
    # shellcheck disable=SC2086
    taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"${DURATION}s" ${wrkargs[0]} >"$out/wrk-0.txt" 2>&1 & other=$!
    # shellcheck disable=SC2086
    taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"${DURATION}s" ${wrkargs[1]} >"$out/wrk-1.txt" 2>&1; wait "$other"
    wall=$(awk -v a="$start_ns" -v b="$(date +%s%N)" 'BEGIN{print (b-a)/1e9}')
    for i in 0 1; do
      rps=$(grep -o 'rps=[0-9.]*' "$out/wrk-$i.txt" | cut -d= -f2)
      [[ -n $rps ]] || { echo "wrk failed for ${names[i]}:"; cat "$out/wrk-$i.txt"; exit 1; }
      cpu=$(awk -v d=$(( $(ticks "${pids[i]}") - t0[i] )) -v hz="$HZ" -v w="$wall" 'BEGIN{printf "%.1f", 100*d/hz/w}')
      # One line per side as in bench/run.sh's rounds.txt: name, round, traffic, req/s, req/s per CPU.
      awk -v r="$rps" -v c="$cpu" -v line="${names[i]} $round $sc" 'BEGIN{printf "%s %s %.1f\n", line, r, (c > 0 ? r * 100 / c : 0)}' >>"$out/rounds.txt"
      echo "round $round $sc: ${names[i]} ${rps%.*} req/s at $cpu% CPU" >&2
    done
  done
  # The next round binds the same ports: wait for both to be gone (a graceful drain takes a moment).
  for i in 0 1; do kill -TERM -- "-${pids[i]}" 2>/dev/null; done
  for i in $(seq 1 100); do kill -0 "${pids[0]}" 2>/dev/null || kill -0 "${pids[1]}" 2>/dev/null || break; sleep 0.1; done
  for i in 0 1; do kill -KILL -- "-${pids[i]}" 2>/dev/null; wait "${pids[i]}" 2>/dev/null; done
  sleep 0.5
done

echo "## ${names[0]} and ${names[1]} ($PROXY) on one core at the same time (bench/shared-core.sh)"
echo
echo "$REPEAT rounds; per round each under its own wrk -t1 -c$CONNS -d${DURATION}s, both proxies pinned to CPU $PROXY_CPU."
[[ -z $STDOUT_PIPE ]] || echo "Their stdout is a pipe that \`cat\` drains on CPU $LOAD_CPU."
[[ -z $HELPER_CPU ]] || echo "Their threads other than the event loop's (libuv's pool, V8's helpers) on CPU $HELPER_CPU after the warm-up: the req/s ratio is the event loop's."
echo "efficiency = req/s ÷ the process's CPU; ratio = ${names[0]} ÷ ${names[1]}."
echo
echo "| traffic | efficiency ratio per round | median |"
echo "|---|---|---:|"
awk -v a="${names[0]}" -v b="${names[1]}" -v col=5 -f bench/paired-ratios.awk "$out/rounds.txt"
echo
echo "| traffic | req/s ratio per round | median |"
echo "|---|---|---:|"
awk -v a="${names[0]}" -v b="${names[1]}" -v col=4 -f bench/paired-ratios.awk "$out/rounds.txt"
echo
echo "| traffic | CPU µs per request, ${names[0]} − ${names[1]}, per round | median |"
echo "|---|---|---:|"
awk -v a="${names[0]}" -v b="${names[1]}" -v col=5 -v cost=1 -f bench/paired-ratios.awk "$out/rounds.txt"
