#!/usr/bin/env bash
# Heap allocations and syscalls per proxied request, flotilla alone (not a test; a profiling aid).
# Usage: bash bench/alloc_count/run.sh [FLOTILLA_BIN]. Starts a backend nginx and flotilla on
# loopback ports, warms up with wrk, then counts allocations (LD_PRELOAD shim, SIGUSR2) over a
# 3 s wrk run and syscalls (strace -c) over another. Kills exactly the PIDs it started.
# BENCH_ROUTE_KEYS adds keys to the route, e.g. ', hedge: { after: auto }' (bench/tail/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../build/flotilla}
work=$(mktemp -d /tmp/flotilla-alloc.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cc -O2 -shared -fPIC -o "$work/alloc_count.so" "$here/alloc_count.c"
read -r backend_port proxy_port <<<"$(python3 -c '
import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])')"
mkdir -p "$work/backend"
cat >"$work/backend/nginx.conf" <<EOC
worker_processes 1; daemon off; pid $work/backend/nginx.pid; error_log $work/backend/error.log warn;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $work/backend/cb; proxy_temp_path $work/backend/p;
  fastcgi_temp_path $work/backend/f; uwsgi_temp_path $work/backend/u; scgi_temp_path $work/backend/s;
  keepalive_timeout 300s; keepalive_requests 1000000;
  server { listen 127.0.0.1:$backend_port; location / { default_type text/plain; return 200 "ok"; } } }
EOC
cat >"$work/flotilla.yaml" <<EOC
workers: 1
log: { level: warn }
listen:
  - address: "127.0.0.1:$proxy_port"
    limits: { max_body: 0 }
upstreams:
  app: { servers: ["127.0.0.1:$backend_port"], keepalive: 64, keepalive_requests: 1000000 }
routes:
  - { match: { path: / }, upstream: app${BENCH_ROUTE_KEYS:-} }
EOC
taskset -c 1 nginx -p "$work/backend" -c "$work/backend/nginx.conf" -e "$work/backend/error.log" &
pids+=($!)
LD_PRELOAD=$work/alloc_count.so taskset -c 0 "$bin" up -c "$work/flotilla.yaml" 2>"$work/flotilla.err" &
fpid=$!
pids+=($fpid)
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$proxy_port/" && break; sleep 0.1; done
taskset -c 1 wrk -t1 -c50 -d2s "http://127.0.0.1:$proxy_port/" >/dev/null
count() { kill -USR2 "$fpid"; sleep 0.2; grep alloc_count "$work/flotilla.err" | tail -1 | awk '{print $3}'; }
before=$(count)
requests=$(taskset -c 1 wrk -t1 -c50 -d3s "http://127.0.0.1:$proxy_port/" | awk '/requests in/ {print $1}')
after=$(count)
echo "allocations per request: $(python3 -c "print(round(($after - $before) / $requests, 3))") ($requests requests)"
timeout 10 strace -c -f -p "$fpid" -o "$work/strace.out" &
spid=$!
sleep 0.5
requests=$(taskset -c 1 wrk -t1 -c50 -d3s "http://127.0.0.1:$proxy_port/" | awk '/requests in/ {print $1}')
kill -INT "$spid"; wait "$spid" 2>/dev/null || true
echo "syscalls per request ($requests requests, strace -c):"
awk -v r="$requests" '$NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/ && $NF != "total" {printf "  %-14s %.3f\n", $NF, $4 / r}' "$work/strace.out"
