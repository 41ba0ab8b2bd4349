# Sourced by bench scripts: refuse ports already taken, and a scratch directory `out` whose
# process groups (`groups`, each started with setsid) are killed and which is removed on exit.
#   require_free_ports <port>...    exits 1 naming the first port in use (nothing is touched)
#   scratch_dir <name>              sets out, empties groups, installs the EXIT trap
#                                   (KEEP_SCRATCH=1 keeps the directory, e.g. for callgrind_annotate)

require_free_ports() {
  local p
  for p in "$@"; do
    [[ -z $(ss -ltnH "sport = :$p") ]] || { echo "port $p already in use; not touching it"; exit 1; }
  done
}

scratch_dir() {
  out=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  groups=()
  trap kill_groups_and_scratch EXIT
}

kill_groups_and_scratch() {
  local g
  for g in "${groups[@]}"; do kill -TERM -- "-$g" 2>/dev/null; done
  sleep 0.5
  for g in "${groups[@]}"; do kill -KILL -- "-$g" 2>/dev/null; done
  if [[ ${KEEP_SCRATCH:-0} == 1 ]]; then echo "scratch kept: $out" >&2; else rm -rf "$out"; fi
}
