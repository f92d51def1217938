#!/usr/bin/env bash
# Compression benchmark: a 100 KiB JSON response through the proxy, compressed on the fly with
# gzip level 6 and brotli level 4, by flotilla and by nginx (gzip + Debian's
# libnginx-mod-http-brotli-filter) at the same levels. Both proxy the same backend (a second
# nginx serving the file, uncompressed), each with one worker; wrk drives keep-alive connections.
# Prints, per coding and proxy: responses, CPU-µs per response (the proxy's utime+stime from
# /proc over the run, divided by the responses wrk counted) and the compressed size.
# Starts everything it measures on loopback and kills exactly those PIDs on exit.
#
#   bash bench/compression/run.sh            # FLOTILLA_BIN=... to skip the build lookup
#
# Knobs: BENCH_DURATION (s, 10), BENCH_CONNECTIONS (8), BENCH_RUNS (3: medians), BENCH_SIZE
# (bytes, 102400).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
duration=${BENCH_DURATION:-10}
connections=${BENCH_CONNECTIONS:-8}
runs=${BENCH_RUNS:-3}
size=${BENCH_SIZE:-102400}
flotilla=${FLOTILLA_BIN:-$root/build/flotilla}
[[ -x $flotilla ]] || { echo "bench: no flotilla binary at $flotilla" >&2; exit 1; }
for tool in nginx wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool missing (scripts/install-deps.sh)" >&2; exit 1; }
done
brotli_module=/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so
[[ -f $brotli_module ]] || { echo "bench: $brotli_module missing (libnginx-mod-http-brotli-filter)" >&2; exit 1; }

dir=$(mktemp -d /tmp/flotilla-bench-compression.XXXXXX)
chmod 755 "$dir"  # nginx workers run as www-data when started by root
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
backend_port=$(free_port)
nginx_port=$(free_port)

# The 100 KiB JSON: records with varied numbers, like an API listing (not trivially repetitive).
mkdir -p "$dir/www" "$dir/nginx-backend" "$dir/nginx-proxy"
python3 - "$dir/www/data.json" "$size" <<'PY'
import json, random, sys
random.seed(7)
items, out = [], "["
i = 0
while len(out) < int(sys.argv[2]) - 200:
    out += json.dumps({"id": i, "sku": "SKU-%06d" % random.randrange(10**6),
                       "name": random.choice(["widget", "gadget", "doohickey", "gizmo"]) + " " + str(random.randrange(1000)),
                       "price": round(random.uniform(1, 500), 2), "stock": random.randrange(100),
                       "tags": random.sample(["new", "sale", "eco", "premium", "basic", "limited"], 2)}) + ","
    i += 1
out = out.rstrip(",") + "]"
out += " " * (int(sys.argv[2]) - len(out))
open(sys.argv[1], "w").write(out)
PY

cat >"$dir/nginx-backend/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx-backend/nginx.pid;
error_log $dir/nginx-backend/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  types { application/json json; }
  server { listen 127.0.0.1:$backend_port; root $dir/www; keepalive_requests 1000000; }
}
CONF

cat >"$dir/nginx-proxy/nginx.conf" <<CONF
load_module $brotli_module;
worker_processes 1;
daemon off;
pid $dir/nginx-proxy/nginx.pid;
error_log $dir/nginx-proxy/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  gzip on; gzip_comp_level 6; gzip_min_length 1000; gzip_proxied any; gzip_vary on;
  gzip_types application/json;
  brotli on; brotli_comp_level 4; brotli_min_length 1000; brotli_types application/json;
  upstream app { server 127.0.0.1:$backend_port; keepalive 32; }
  server {
    listen 127.0.0.1:$nginx_port;
    keepalive_requests 1000000;
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF

cat >"$dir/flotilla.yaml" <<CONF
workers: 1
listen: [{ address: "127.0.0.1:0" }]
upstreams: { app: { servers: ["127.0.0.1:$backend_port"] } }
routes: [{ upstream: app }]
compression: { zstd: false, levels: { gzip: 6, brotli: 4 }, types: [application/json] }
admin: { listen: "127.0.0.1:0", socket: $dir/flotilla.sock }
state_dir: $dir/state
CONF

nginx -c "$dir/nginx-backend/nginx.conf" -p "$dir/nginx-backend" 2>"$dir/backend.err" &
pids+=($!)
nginx -c "$dir/nginx-proxy/nginx.conf" -p "$dir/nginx-proxy" 2>"$dir/proxy.err" &
pids+=($!)
"$flotilla" up -c "$dir/flotilla.yaml" >"$dir/flotilla.log" 2>&1 &
flotilla_pid=$!
pids+=($flotilla_pid)
for _ in $(seq 100); do
  grep -q "gateway listening on" "$dir/flotilla.log" && break
  sleep 0.1
done
flotilla_port=$(sed -n 's/.*gateway listening on [^:]*:\/\/[^:]*:\([0-9]*\).*/\1/p' "$dir/flotilla.log" | head -1)
[[ -n $flotilla_port ]] || { echo "bench: flotilla did not start" >&2; cat "$dir/flotilla.log" >&2; exit 1; }
sleep 0.5

# The nginx proxy's worker: the child of its master.
nginx_master=$(cat "$dir/nginx-proxy/nginx.pid")
nginx_worker=$(pgrep -P "$nginx_master" | head -1)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# measure PROXY PID PORT CODING → "responses cpu_us_per_response"
measure() {
  local pid=$1 port=$2 coding=$3
  wrk -t1 -c"$connections" -d2s -H "Accept-Encoding: $coding" "http://127.0.0.1:$port/data.json" >/dev/null
  local before after out responses
  before=$(cpu_ticks "$pid")
  out=$(wrk -t1 -c"$connections" -d"${duration}s" -H "Accept-Encoding: $coding" "http://127.0.0.1:$port/data.json")
  after=$(cpu_ticks "$pid")
  responses=$(awk '/requests in/ {print $1}' <<<"$out")
  python3 -c "print($responses, round(($after - $before) * 1e6 / $hz / $responses, 1))"
}

size_of() {  # compressed body size for a coding through a proxy
  curl -s --http1.1 -H "Accept-Encoding: $2" "http://127.0.0.1:$1/data.json" | wc -c
}

printf '%-8s %-9s %10s %14s %12s\n' coding proxy responses cpu_us/resp bytes
for coding in gzip br; do
  for proxy in flotilla nginx; do
    if [[ $proxy == flotilla ]]; then pid=$flotilla_pid port=$flotilla_port; else pid=$nginx_worker port=$nginx_port; fi
    results=()
    for _ in $(seq "$runs"); do results+=("$(measure "$pid" "$port" "$coding")"); done
    median=$(printf '%s\n' "${results[@]}" | sort -k2 -n | sed -n "$(((runs + 1) / 2))p")
    printf '%-8s %-9s %10s %14s %12s\n' "$coding" "$proxy" ${median% *} ${median#* } "$(size_of "$port" "$coding")"
  done
done
echo "identity size: $(size_of "$flotilla_port" identity) bytes"
