#!/usr/bin/env bash
# Static files, keep-alive: CPU-µs per request of flotilla (workers: 2) against nginx
# (worker_processes 2; sendfile on; open_file_cache), for a 1 KiB and a 1 MiB file, side by side
# in one run. CPU is utime+stime of the server's processes from /proc/PID/stat (as
# bench/proxy/run.sh measures it) over one wrk run; the order of the servers alternates per round.
#   bench/static/run.sh [FLOTILLA_BINARY]   (env: ROUNDS=3 DURATION=8 CONNECTIONS=16)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
flotilla=${1:-$here/../../build/flotilla}
rounds=${ROUNDS:-3}
duration=${DURATION:-8}
connections=${CONNECTIONS:-16}
work=$(mktemp -d /tmp/flotilla-bench-static.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

cpu_ticks() {  # utime+stime summed over PIDs
  local total=0 pid stat rest
  for pid in "$@"; do
    stat=$(<"/proc/$pid/stat")
    rest=${stat##*) }
    read -ra f <<<"$rest"
    total=$((total + f[11] + f[12]))
  done
  echo "$total"
}

mkdir -p "$work/site" "$work/nginx"
head -c 1024 /dev/urandom >"$work/site/1k.bin"
head -c $((1024 * 1024)) /dev/urandom >"$work/site/1m.bin"

flotilla_port=$(free_port)
nginx_port=$(free_port)
user_line=""
if [[ $(id -u) -eq 0 ]]; then user_line="user $(id -un) $(id -gn);"; fi

cat >"$work/nginx/nginx.conf" <<CONF
$user_line
worker_processes 2;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/cb; proxy_temp_path $work/nginx/p;
  fastcgi_temp_path $work/nginx/f; uwsgi_temp_path $work/nginx/u; scgi_temp_path $work/nginx/s;
  sendfile on;
  tcp_nopush on;
  open_file_cache max=1000 inactive=20s;
  open_file_cache_valid 1s;
  keepalive_requests 1000000;
  types { application/octet-stream bin; }
  server {
    listen 127.0.0.1:$nginx_port;
    location /static/ { alias $work/site/; }
  }
}
CONF

cat >"$work/flotilla.yaml" <<CONF
workers: 2
listen:
  - address: "127.0.0.1:$flotilla_port"
routes:
  - match: { path: /static/ }
    static: { root: $work/site }
admin: { listen: "127.0.0.1:0" }
CONF

nginx -c "$work/nginx/nginx.conf" &
nginx_pid=$!
pids+=("$nginx_pid")
"$flotilla" up -c "$work/flotilla.yaml" >"$work/flotilla.log" 2>&1 &
flotilla_pid=$!
pids+=("$flotilla_pid")
for _ in $(seq 100); do
  if curl -sf -o /dev/null "http://127.0.0.1:$flotilla_port/static/1k.bin" &&
     curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/static/1k.bin"; then break; fi
  sleep 0.1
done
nginx_pids=("$nginx_pid" $(pgrep -P "$nginx_pid"))

measure() {  # measure PORT FILE PIDS... -> "requests ticks"
  local port=$1 file=$2
  shift 2
  local before after out requests
  before=$(cpu_ticks "$@")
  out=$(wrk -t1 -c"$connections" -d"${duration}s" "http://127.0.0.1:$port/static/$file")
  after=$(cpu_ticks "$@")
  requests=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' <<<"$out")
  echo "$requests $((after - before))"
}

tck=$(getconf CLK_TCK)
echo "# $(date -u '+%F %T UTC'); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t1 -c$connections -d${duration}s, $rounds rounds"
echo "# file server round requests cpu_ticks cpu_us_per_request"
declare -A sum_req sum_ticks
for file in 1k.bin 1m.bin; do
  for round in $(seq "$rounds"); do
    order=(flotilla nginx)
    ((round % 2 == 0)) && order=(nginx flotilla)
    for server in "${order[@]}"; do
      if [[ $server == flotilla ]]; then
        read -r req ticks <<<"$(measure "$flotilla_port" "$file" "$flotilla_pid")"
      else
        read -r req ticks <<<"$(measure "$nginx_port" "$file" "${nginx_pids[@]}")"
      fi
      sum_req[$file.$server]=$((${sum_req[$file.$server]:-0} + req))
      sum_ticks[$file.$server]=$((${sum_ticks[$file.$server]:-0} + ticks))
      echo "$file $server $round $req $ticks $(python3 -c "print(f'{$ticks * 1e6 / $tck / $req:.2f}')")"
    done
  done
done
echo "# totals: file flotilla_us nginx_us ratio flotilla_rps nginx_rps"
for file in 1k.bin 1m.bin; do
  python3 - "$file" "${sum_req[$file.flotilla]}" "${sum_ticks[$file.flotilla]}" \
    "${sum_req[$file.nginx]}" "${sum_ticks[$file.nginx]}" "$tck" "$duration" "$rounds" <<'PY'
import sys
f, fr, ft, nr, nt, tck, d, r = sys.argv[1], *map(int, sys.argv[2:])
fu, nu = ft * 1e6 / tck / fr, nt * 1e6 / tck / nr
print(f"{f} {fu:.2f} {nu:.2f} {fu / nu:.3f} {fr / d / r:.0f} {nr / d / r:.0f}")
PY
done
