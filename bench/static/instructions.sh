#!/usr/bin/env bash
# Static 1 KiB file, keep-alive: user-space instructions per request (valgrind callgrind) and
# syscalls per request (strace -c -f) of one or more flotilla binaries and of nginx (sendfile on,
# open_file_cache, one worker), under the same wrk load. Instruction and syscall counts do not move
# with the machine's load, where CPU time on this shared VM does. Not a test; a profiling aid.
# Starts each server on loopback itself and kills exactly the PIDs it started.
#
#   bash bench/static/instructions.sh NEW_BIN [OLD_BIN ...]   (env: FILE_SIZE=1024 SECONDS_=4)
#
# Kernel work is not in the instruction counts: the syscall counts stand for it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
(($# >= 1)) || { echo "usage: $0 NEW_BIN [OLD_BIN ...]" >&2; exit 2; }
for tool in valgrind callgrind_control wrk nginx strace; do
  command -v "$tool" >/dev/null || { echo "$tool not found: bash scripts/install-deps.sh" >&2; exit 1; }
done
size=${FILE_SIZE:-1024}
seconds=${SECONDS_:-4}
work=$(mktemp -d /tmp/flotilla-static-instr.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ ${BENCH_KEEP_DIR:-0} == 1 ]] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=../proxy/loopback.sh
source "$here/../proxy/loopback.sh"
mkdir -p "$work/site" "$work/nginx"
head -c "$size" /dev/urandom >"$work/site/f.bin"
user_line=""
[[ $(id -u) -eq 0 ]] && user_line="user $(id -un) $(id -gn);"

wait_up() { for _ in $(seq 300); do curl -sf -o /dev/null "http://127.0.0.1:$1/static/f.bin" && return; sleep 0.1; done; }
requests_of() { awk '/requests in/ {print $1}'; }

# SERVER_PID PORT NAME: instructions per request while callgrind runs PID (already instrumented
# off); then the syscall table under strace for a second run.
report() {
  local vpid=$1 port=$2 name=$3 file=$4
  taskset -c 1 wrk -t1 -c16 -d2s "http://127.0.0.1:$port/static/f.bin" >/dev/null  # warm-up
  callgrind_control -i on "$vpid" >/dev/null 2>&1
  local requests
  requests=$(taskset -c 1 wrk -t1 -c16 -d"${seconds}s" "http://127.0.0.1:$port/static/f.bin" | requests_of)
  callgrind_control -i off "$vpid" >/dev/null
  callgrind_control -d "$vpid" >/dev/null
  sleep 0.5
  local ir
  ir=$(cat "$file".* 2>/dev/null | awk '/^totals:|^summary:/ {s += $2} END {print s}')
  echo "== $name: $(python3 -c "print(round($ir / $requests))") instructions per request ($requests requests)"
  callgrind_annotate --inclusive=no $(ls "$file".* | tail -1) 2>/dev/null | grep -E '^ *[0-9,]+ \(' | head -12 |
    sed -E 's/\([^)]*\) +//; s/\[[^]]*\]//' | cut -c1-140 || true
}

syscalls() {  # PID PORT NAME: syscalls per request under strace -c -f
  local pid=$1 port=$2 name=$3
  strace -c -f -q -o "$work/strace.$name" -p "$pid" &
  local spid=$!
  sleep 1
  local requests
  requests=$(taskset -c 1 wrk -t1 -c16 -d"${seconds}s" "http://127.0.0.1:$port/static/f.bin" | requests_of)
  kill -INT "$spid"
  wait "$spid" 2>/dev/null || true
  echo "-- $name syscalls per request ($requests requests):"
  awk -v r="$requests" '$1 ~ /^[0-9.]+$/ && $NF != "total" {printf "   %-16s %.2f\n", $NF, $4 / r; t += $4}
    END {printf "   %-16s %.2f\n", "total", t / r}' "$work/strace.$name"
}

# nginx: one worker, no master, under callgrind then under strace.
read -r nport <<<"$(free_ports 1)"
cat >"$work/nginx/nginx.conf" <<CONF
$user_line
worker_processes 1; master_process off; daemon off;
pid $work/nginx/nginx.pid; error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/cb; proxy_temp_path $work/nginx/p;
  fastcgi_temp_path $work/nginx/f; uwsgi_temp_path $work/nginx/u; scgi_temp_path $work/nginx/s;
  sendfile on; tcp_nopush on;
  open_file_cache max=1000 inactive=20s; open_file_cache_valid 1s;
  keepalive_requests 1000000;
  types { application/octet-stream bin; }
  server { listen 127.0.0.1:$nport; location /static/ { alias $work/site/; } }
}
CONF
taskset -c 0 valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/cg.nginx.%p" \
  nginx -c "$work/nginx/nginx.conf" >/dev/null 2>&1 &
vpid=$!
pids+=("$vpid")
wait_up "$nport"
report "$vpid" "$nport" nginx "$work/cg.nginx"
kill "$vpid"; wait "$vpid" 2>/dev/null || true
taskset -c 0 nginx -c "$work/nginx/nginx.conf" >/dev/null 2>&1 &
npid=$!
pids+=("$npid")
wait_up "$nport"
syscalls "$npid" "$nport" nginx
kill "$npid"; wait "$npid" 2>/dev/null || true

i=0
for bin in "$@"; do
  i=$((i + 1))
  read -r port <<<"$(free_ports 1)"
  cat >"$work/flotilla.$i.yaml" <<CONF
workers: 1
log: { level: warn }
listen:
  - address: "127.0.0.1:$port"
routes:
  - match: { path: /static/ }
    static: { root: $work/site }
CONF
  taskset -c 0 valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/cg.f$i.%p" \
    "$bin" up -c "$work/flotilla.$i.yaml" >"$work/flotilla.$i.out" 2>&1 &
  vpid=$!
  pids+=("$vpid")
  wait_up "$port"
  echo "flotilla$i = $bin"
  report "$vpid" "$port" "flotilla$i" "$work/cg.f$i"
  kill -TERM "$vpid"; wait "$vpid" 2>/dev/null || true
  taskset -c 0 "$bin" up -c "$work/flotilla.$i.yaml" >"$work/flotilla.$i.out" 2>&1 &
  fpid=$!
  pids+=("$fpid")
  wait_up "$port"
  syscalls "$fpid" "$port" "flotilla$i"
  kill -TERM "$fpid"; wait "$fpid" 2>/dev/null || true
done
