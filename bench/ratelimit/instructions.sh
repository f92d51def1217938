#!/usr/bin/env bash
# What a local rate limit costs per proxied request, in user-space instructions (callgrind) — the
# comparison the shared 2-core VM does not move — and in CPU time (user+sys of the proxy process
# over a fixed wrk run, ±15 % on this machine). Four cases under the same load: flotilla without
# a limit, flotilla with `rate_limit` on every request, nginx (proxy_pass) without and with
# `limit_req` (one zone keyed by $binary_remote_addr). The limits never refuse: the cost measured
# is the check itself. Starts a backend nginx and each proxy on loopback; kills exactly its PIDs.
#
#   bash bench/ratelimit/instructions.sh FLOTILLA_BIN      # ~1 minute
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
(($# == 1)) || { echo "usage: $0 FLOTILLA_BIN" >&2; exit 2; }
bin=$1
for tool in valgrind callgrind_control wrk nginx curl taskset; do
  command -v "$tool" >/dev/null || { echo "$tool not found: bash scripts/install-deps.sh" >&2; exit 1; }
done
seconds=${BENCH_DURATION:-5}
work=$(mktemp -d /tmp/flotilla-rl-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ ${BENCH_KEEP_DIR:-0} == 1 ]] || rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=../proxy/loopback.sh
source "$here/../proxy/loopback.sh"
read -r backend_port proxy_port <<<"$(free_ports 2)"
mkdir -p "$work/backend" "$work/nginx"
write_backend_nginx "$work/backend" "$backend_port"
taskset -c 1 nginx -p "$work/backend" -c "$work/backend/nginx.conf" -e "$work/backend/error.log" &
pids+=($!)

# A limit no benchmark client reaches: the check runs, nothing is refused.
limit='rate_limit: { per_client: 100000000/s, burst: 1000000 }'
flotilla_config() {  # FILE ROUTE_KEYS
  cat >"$1" <<EOC
workers: 1
log: { level: warn }
listen: [{ address: "127.0.0.1:$proxy_port", limits: { max_body: 0 } }]
upstreams:
  app: { servers: ["127.0.0.1:$backend_port"], keepalive: 64, keepalive_requests: 1000000 }
routes:
  - { match: { path: / }, upstream: app$2 }
admin: { listen: "127.0.0.1:0", socket: $work/admin.sock }
state_dir: $work/state
EOC
}
nginx_config() {  # FILE LIMIT_REQ(0|1)
  local zone="" use=""
  if [[ $2 == 1 ]]; then
    zone="limit_req_zone \$binary_remote_addr zone=rl:10m rate=100000000r/s;"
    use="limit_req zone=rl burst=1000000 nodelay;"
  fi
  cat >"$1" <<EOC
worker_processes 1; daemon off; master_process off; pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $work/nginx/cb; proxy_temp_path $work/nginx/p;
  fastcgi_temp_path $work/nginx/f; uwsgi_temp_path $work/nginx/u; scgi_temp_path $work/nginx/s;
  keepalive_timeout 300s; keepalive_requests 1000000; $zone
  upstream app { server 127.0.0.1:$backend_port; keepalive 64; keepalive_requests 1000000; }
  server { listen 127.0.0.1:$proxy_port;
    location / { $use proxy_pass http://app; proxy_http_version 1.1;
      proxy_set_header Connection ""; } } }
EOC
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

measure() {  # NAME COMMAND...: starts COMMAND under callgrind (instrumentation off), then a
             # plain run for CPU time and an instrumented run for instructions
  local name=$1
  shift
  local out=$work/callgrind.$name
  taskset -c 0 valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out.%p" \
    "$@" >"$work/$name.out" 2>&1 &
  local vpid=$!
  pids+=($vpid)
  for _ in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$proxy_port/" && break; sleep 0.1; done
  taskset -c 1 wrk -t1 -c50 -d2s "http://127.0.0.1:$proxy_port/" >/dev/null  # warm-up
  callgrind_control -i on "$vpid" >/dev/null
  local requests
  requests=$(taskset -c 1 wrk -t1 -c50 -d"${seconds}s" "http://127.0.0.1:$proxy_port/" |
    awk '/requests in/ {print $1}')
  callgrind_control -i off "$vpid" >/dev/null
  kill -TERM "$vpid"
  wait "$vpid" 2>/dev/null || true
  local file ir
  file=$(ls "$out".* | head -1)
  ir=$(awk '/^totals:/ {print $2}' "$file")
  echo "$name $((ir / requests)) $requests"
}

cpu_time() {  # NAME COMMAND...: µs of CPU (user+sys) per request outside valgrind
  local name=$1
  shift
  taskset -c 0 "$@" >"$work/$name.cpu.out" 2>&1 &
  local pid=$!
  pids+=($pid)
  for _ in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$proxy_port/" && break; sleep 0.1; done
  taskset -c 1 wrk -t1 -c50 -d2s "http://127.0.0.1:$proxy_port/" >/dev/null
  local before after requests
  before=$(cpu_ticks "$pid")
  requests=$(taskset -c 1 wrk -t1 -c50 -d"${seconds}s" "http://127.0.0.1:$proxy_port/" |
    awk '/requests in/ {print $1}')
  after=$(cpu_ticks "$pid")
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  python3 -c "import os,sys; t=os.sysconf('SC_CLK_TCK'); print(sys.argv[1], round(($after-$before)/t*1e6/$requests, 2), $requests)" "$name"
}

flotilla_config "$work/plain.yaml" ""
flotilla_config "$work/limited.yaml" ", $limit"
nginx_config "$work/nginx/plain.conf" 0
nginx_config "$work/nginx/limited.conf" 1
echo "== instructions per request (callgrind; name Ir/request requests)"
measure flotilla "$bin" up -c "$work/plain.yaml"
measure flotilla_rate_limit "$bin" up -c "$work/limited.yaml"
measure nginx nginx -p "$work/nginx" -c "$work/nginx/plain.conf"
measure nginx_limit_req nginx -p "$work/nginx" -c "$work/nginx/limited.conf"
echo "== CPU µs per request (user+sys of the proxy; name µs/request requests)"
cpu_time flotilla "$bin" up -c "$work/plain.yaml"
cpu_time flotilla_rate_limit "$bin" up -c "$work/limited.yaml"
cpu_time nginx nginx -p "$work/nginx" -c "$work/nginx/plain.conf"
cpu_time nginx_limit_req nginx -p "$work/nginx" -c "$work/nginx/limited.conf"
