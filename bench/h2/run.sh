#!/usr/bin/env bash
# The HTTP/2 benchmark: flotilla, nginx and HAProxy in front of one HTTP/1.1 backend (the nginx
# answering 200 "ok" that bench/proxy/run.sh uses), each with 2 workers/threads, driven in turn
# by h2load -c 50 -m 10 over TLS (ALPN h2, one ECDSA P-256 certificate for all) and over h2c
# (prior knowledge). Per proxy and mode: requests/s, CPU-µs per request (utime+stime deltas of
# the proxy's processes over the measured run, /proc/PID/stat) and KiB per idle HTTP/2
# connection (RSS growth while bench/proxy/idle_conns.py --h2 holds N of them). Prints medians
# over BENCH_RUNS and the ratios to the better peer. Starts everything it measures itself, on
# loopback only, and kills exactly those PIDs on exit.
#
#   bash bench/h2/run.sh                       # ~4 minutes with the defaults
#   BENCH_RUNS=3 BENCH_MODES="h2c" bash bench/h2/run.sh
#
# Knobs (environment): BENCH_DURATION (s, 10), BENCH_WARMUP (s, 2), BENCH_RUNS (1),
# BENCH_MODES ("tls h2c"), BENCH_PROXIES ("flotilla nginx haproxy"), BENCH_IDLE (1000),
# BENCH_PATH (/), FLOTILLA_BIN (skip the build), BENCH_RESULTS (keep the JSON lines there),
# BENCH_KEEP_DIR=1, BENCH_PERF=DIR (perf record of flotilla over one extra h2c run, with
# BENCH_PERF_ARGS, default -g; "--call-graph dwarf" gives callers without frame pointers).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
duration=${BENCH_DURATION:-10}
warmup=${BENCH_WARMUP:-2}
runs=${BENCH_RUNS:-1}
modes=${BENCH_MODES:-tls h2c}
proxies=${BENCH_PROXIES:-flotilla nginx haproxy}
idle_count=${BENCH_IDLE:-1000}
path=${BENCH_PATH:-/}
perf_out=${BENCH_PERF:-}
read -ra perf_args <<<"${BENCH_PERF_ARGS:--g}"
read -ra mode_list <<<"$modes"
read -ra proxy_list <<<"$proxies"
hard_limit_s=$((runs * ${#mode_list[@]} * ${#proxy_list[@]} * (duration + warmup + 60) + 120))

exec 3>&2
log() { printf 'bench: %s\n' "$*" >&3; }
die() { log "error: $*"; exit 1; }

for tool in nginx haproxy h2load python3 curl openssl; do
  command -v "$tool" >/dev/null || die "$tool not found (scripts/install-deps.sh)"
done
if [[ -n ${FLOTILLA_BIN:-} ]]; then
  flotilla=$FLOTILLA_BIN
else
  build=$root/build
  [[ -f $build/build.ninja ]] || cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
  ninja -C "$build" -j2 flotilla >&2
  flotilla=$build/flotilla
fi
[[ -x $flotilla ]] || die "no flotilla binary at $flotilla"
ulimit -n "$(ulimit -Hn)"

# ------------------------------------------------------------------ process bookkeeping
work=$(mktemp -d /tmp/flotilla-h2bench.XXXXXX)
chmod 755 "$work"
started_pids=()
finished=0
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${started_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${started_pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ ${BENCH_KEEP_DIR:-0} == 1 ]]; then log "kept $work"; else rm -rf "$work"; fi
  ((finished)) || log "stopped before the end (status $status)"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
main_pid=$$
(
  trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
  sleep "$hard_limit_s" &
  sleeper=$!
  wait "$sleeper" && log "over ${hard_limit_s}s: giving up" && kill -TERM "$main_pid"
) 2>/dev/null &
started_pids+=($!)

start() {  # start NAME COMMAND...: sets last_pid
  local name=$1
  shift
  "$@" >"$work/$name.out" 2>"$work/$name.err" 3>&- &
  last_pid=$!
  started_pids+=("$last_pid")
}
forget() {
  local kept=() pid
  for pid in "${started_pids[@]}"; do [[ $pid == "$1" ]] || kept+=("$pid"); done
  started_pids=("${kept[@]}")
}
stop() {
  local pid=$1
  if kill -TERM "$pid" 2>/dev/null; then
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  forget "$pid"
}
free_ports() {
  python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}
tree_pids() { echo "$1" $(pgrep -P "$1" || true); }
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
rss_kib() {
  local total=0 pid
  for pid in "$@"; do total=$((total + $(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"))); done
  echo "$total"
}
wait_h2() {  # wait_h2 MODE PORT PID: until an HTTP/2 GET answers "ok" (10 s at most)
  local mode=$1 port=$2 pid=$3 url
  [[ $mode == tls ]] && url="https://127.0.0.1:$port$path" || url="http://127.0.0.1:$port$path"
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || return 1
    if [[ $mode == tls ]]; then
      [[ $(curl -sk --http2 --max-time 1 "$url" 2>/dev/null) == ok ]] && return 0
    else
      [[ $(curl -s --http2-prior-knowledge --max-time 1 "$url" 2>/dev/null) == ok ]] && return 0
    fi
    sleep 0.1
  done
  return 1
}

# ------------------------------------------------------------------ configurations
read -r backend_port flotilla_port nginx_port haproxy_port <<<"$(free_ports 4)"
user_line=""
[[ $(id -u) -eq 0 ]] && user_line="user $(id -un) $(id -gn);"
mkdir -p "$work/backend" "$work/nginx" "$work/haproxy" "$work/flotilla" "$work/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
  -subj /CN=bench.test -addext subjectAltName=DNS:bench.test \
  -keyout "$work/tls/key.pem" -out "$work/tls/cert.pem" 2>"$work/tls/openssl.err" ||
  die "openssl req failed: $(cat "$work/tls/openssl.err")"
cat "$work/tls/cert.pem" "$work/tls/key.pem" >"$work/tls/haproxy.pem"
chmod 644 "$work/tls/"*.pem
tls_suite13=TLS_AES_128_GCM_SHA256

nginx_files() {  # the parts of an nginx.conf that keep it in $1
  cat <<EOF
$user_line
daemon off;
pid $1/nginx.pid;
error_log $1/error.log warn;
EOF
}
nginx_temp() {
  cat <<EOF
  access_log off;
  client_body_temp_path $1/client_body;
  proxy_temp_path $1/proxy;
  fastcgi_temp_path $1/fastcgi;
  uwsgi_temp_path $1/uwsgi;
  scgi_temp_path $1/scgi;
EOF
}

# The backend: as bench/proxy's, an nginx worker answering 200 "ok".
cat >"$work/backend/nginx.conf" <<EOF
$(nginx_files "$work/backend")
worker_processes 1;
events { worker_connections 4096; }
http {
$(nginx_temp "$work/backend")
  keepalive_timeout 300s;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$backend_port;
    location / { default_type text/plain; return 200 "ok"; }
  }
}
EOF

# Upstream keep-alive: 512 idle connections per worker for nginx and flotilla (HAProxy keeps
# every idle one with http-reuse always): -c 50 -m 10 has 500 requests in flight, and a smaller
# cache makes both close and reopen upstream connections per request, which measures connect()
# rather than HTTP/2 (a quarter of flotilla's CPU with 64).
# Header parity with flotilla (X-Forwarded-*, X-Real-IP, Via, X-Request-Id both ways), as
# bench/proxy/run.sh's default.
proxy_configs() {  # proxy_configs MODE: writes the three proxies' configs for tls or h2c
  local mode=$1 nginx_listen haproxy_bind flotilla_tls="" nginx_tls=""
  if [[ $mode == tls ]]; then
    nginx_listen="127.0.0.1:$nginx_port ssl http2"
    nginx_tls="
  ssl_certificate $work/tls/cert.pem;
  ssl_certificate_key $work/tls/key.pem;
  ssl_protocols TLSv1.3;
  ssl_conf_command Ciphersuites $tls_suite13;
  ssl_ecdh_curve X25519;
  ssl_session_cache shared:SSL:10m;"
    haproxy_bind="127.0.0.1:$haproxy_port ssl crt $work/tls/haproxy.pem alpn h2,http/1.1 curves X25519 ssl-min-ver TLSv1.3 ciphersuites $tls_suite13"
    flotilla_tls="
    tls:
      cert: $work/tls/cert.pem
      key: $work/tls/key.pem
      protocols: [TLSv1.3]
      ciphersuites: $tls_suite13
      groups: [X25519]"
  else
    nginx_listen="127.0.0.1:$nginx_port http2"
    haproxy_bind="127.0.0.1:$haproxy_port proto h2"
  fi
  cat >"$work/nginx/nginx.conf" <<EOF
$(nginx_files "$work/nginx")
worker_processes 2;
worker_rlimit_nofile $(ulimit -n);
events { worker_connections $((idle_count + 1000)); }
http {
$(nginx_temp "$work/nginx")$nginx_tls
  keepalive_timeout 120s;
  keepalive_requests 1000000;
  http2_max_requests 1000000;
  upstream app {
    server 127.0.0.1:$backend_port;
    keepalive 512;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
  }
  server {
    listen $nginx_listen;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Real-IP \$remote_addr;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Forwarded-Host \$host;
      proxy_set_header Via "1.1 nginx";
      proxy_set_header X-Request-Id \$request_id;
      add_header X-Request-Id \$request_id;
      add_header Via "1.1 nginx";
    }
  }
}
EOF
  cat >"$work/haproxy/haproxy.cfg" <<EOF
global
  nbthread 2
  maxconn $((idle_count + 200))
  no strict-limits
defaults
  mode http
  option http-keep-alive
  timeout connect 5s
  timeout client 120s
  timeout server 120s
  timeout http-request 120s
  timeout http-keep-alive 120s
frontend fe
  bind $haproxy_bind
  maxconn $((idle_count + 200))
  option forwardfor
  unique-id-format %{+X}o%ci%cp%fp%Ts%rt%pid
  http-request set-header X-Real-IP %[src]
  http-request set-header X-Forwarded-Proto https if { ssl_fc }
  http-request set-header X-Forwarded-Proto http if !{ ssl_fc }
  http-request set-header X-Forwarded-Host %[req.hdr(host)]
  http-request set-header Via "1.1 haproxy"
  http-request set-header X-Request-Id %[unique-id]
  http-response set-header X-Request-Id %[unique-id]
  http-response add-header Via "1.1 haproxy"
  default_backend be
backend be
  http-reuse always
  server app 127.0.0.1:$backend_port
EOF
  cat >"$work/flotilla/flotilla.yaml" <<EOF
workers: 2
log: { level: warn }
listen:
  - address: "127.0.0.1:$flotilla_port"
    http2: true
    limits: { max_body: 0 }
    timeouts: { keepalive: 120s }$flotilla_tls
upstreams:
  app:
    servers: ["127.0.0.1:$backend_port"]
    keepalive: 512
    keepalive_timeout: 120s
    keepalive_requests: 1000000
routes:
  - match: { path: / }
    upstream: app
EOF
}

# ------------------------------------------------------------------ the runs
results=${BENCH_RESULTS:-$work/results.jsonl}
: >"$results"
start backend nginx -p "$work/backend" -c "$work/backend/nginx.conf" -e "$work/backend/error.log"
backend_pid=$last_pid
for _ in $(seq 100); do
  [[ $(curl -s --max-time 1 "http://127.0.0.1:$backend_port/" 2>/dev/null) == ok ]] && break
  sleep 0.1
done
log "$(date -u '+%F %T UTC'), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) (shared machine)"
log "h2load -t1 -c50 -m10 -D$duration (after ${warmup}s warm-up); $idle_count idle h2 connections; $runs run(s)"

bench_one() {  # bench_one MODE NAME PORT COMMAND...
  local mode=$1 name=$2 port=$3
  shift 3
  start "$name" "$@"
  local pid=$last_pid pids url h2load_status=0 before after rss_before rss_after
  if ! wait_h2 "$mode" "$port" "$pid"; then
    log "$name ($mode) did not start or does not proxy: $(tail -n 5 "$work/$name.err" 2>/dev/null)"
    stop "$pid"
    return
  fi
  pids=$(tree_pids "$pid")
  [[ $mode == tls ]] && url="https://127.0.0.1:$port$path" || url="http://127.0.0.1:$port$path"
  timeout $((warmup + 15)) h2load -t1 -c50 -m10 -D"$warmup" "$url" >/dev/null 2>&1 || true
  before=$(cpu_ticks $pids)
  timeout $((duration + 30)) h2load -t1 -c50 -m10 -D"$duration" "$url" >"$work/$name.h2load" 2>&1 ||
    h2load_status=$?
  after=$(cpu_ticks $pids)
  local summary
  summary=$(python3 - "$work/$name.h2load" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed", text)
rps = re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", text)
print(json.dumps({"succeeded": int(m.group(4)) if m else 0, "failed": int(m.group(5)) if m else -1,
                  "rps": float(rps.group(1)) if rps else 0.0}))
PY
)
  # Idle HTTP/2 connections: RSS growth while the helper holds them.
  sleep 0.5
  local status_file=$work/$name.idle established=(0 0 0) tls_flag=()
  [[ $mode == tls ]] && tls_flag=(--tls)
  rm -f "$status_file"
  rss_before=$(rss_kib $pids)
  start "$name-idle" python3 "$root/bench/proxy/idle_conns.py" 127.0.0.1 "$port" "$idle_count" \
    "$status_file" --hold 60 --window 50 --h2 "${tls_flag[@]}"
  local helper=$last_pid
  for _ in $(seq 600); do
    if [[ -f $status_file ]]; then read -ra established <"$status_file"; break; fi
    kill -0 "$helper" 2>/dev/null || break
    sleep 0.1
  done
  sleep 1
  rss_after=$(rss_kib $pids)
  kill -USR1 "$helper" 2>/dev/null || true
  wait "$helper" 2>/dev/null || true
  forget "$helper"
  if [[ -n $perf_out && $name == flotilla && $mode == h2c && $run == 1 ]]; then
    mkdir -p "$perf_out"
    perf record -e cpu-clock "${perf_args[@]}" -p "$pid" -o "$perf_out/flotilla-h2c.perf.data" -- sleep "$duration" \
      >"$work/perf.log" 2>&1 &
    local recorder=$!
    sleep 0.5
    timeout $((duration + 15)) h2load -t1 -c50 -m10 -D$((duration - 1)) "$url" >/dev/null 2>&1 || true
    wait "$recorder" || true
    log "profile in $perf_out/flotilla-h2c.perf.data"
  fi
  stop "$pid"
  printf '{"proxy":"%s","mode":"%s","run":%d,"h2load_exit":%d,"h2load":%s,"cpu_ticks":%d,"clk_tck":%d,"rss_before_kib":%d,"rss_after_kib":%d,"idle_established":%d,"idle_failed":%d}\n' \
    "$name" "$mode" "$run" "$h2load_status" "$summary" $((after - before)) "$(getconf CLK_TCK)" \
    "$rss_before" "$rss_after" "${established[1]:-0}" "${established[2]:-0}" >>"$results"
  log "run $run: $name $mode: $summary"
}

order=("${proxy_list[@]}")
for ((run = 1; run <= runs; run++)); do
  for mode in "${mode_list[@]}"; do
    # Fresh ports each time: the machine is shared, and a port free at the start may be some
    # other test's ephemeral port minutes later.
    read -r flotilla_port nginx_port haproxy_port <<<"$(free_ports 3)"
    proxy_configs "$mode"
    for proxy in "${order[@]}"; do
      case $proxy in
        flotilla) bench_one "$mode" flotilla "$flotilla_port" "$flotilla" up -c "$work/flotilla/flotilla.yaml" ;;
        nginx) bench_one "$mode" nginx "$nginx_port" nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" ;;
        haproxy) bench_one "$mode" haproxy "$haproxy_port" haproxy -db -f "$work/haproxy/haproxy.cfg" ;;
        *) die "unknown proxy '$proxy'" ;;
      esac
    done
  done
  order=("${order[@]:1}" "${order[0]}")  # rotate: no proxy always first
done

python3 - "$results" "$idle_count" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
idle = int(sys.argv[2])
table = {}
for r in rows:
    ok = r["h2load"]["succeeded"]
    if ok <= 0:
        continue
    us = r["cpu_ticks"] * 1e6 / r["clk_tck"] / ok
    kib = (r["rss_after_kib"] - r["rss_before_kib"]) / max(1, r["idle_established"])
    table.setdefault((r["mode"], r["proxy"]), []).append(
        (r["h2load"]["rps"], us, kib, r["h2load"]["failed"], r["idle_established"]))
print(f"{'mode':5} {'proxy':9} {'runs':>4} {'req/s':>9} {'CPU-us/req':>10} {'KiB/idle':>9} "
      f"{'failed':>6} {'idle':>5}   (medians)")
med = {}
for (mode, proxy), values in sorted(table.items()):
    rps, us, kib = (statistics.median(v[i] for v in values) for i in range(3))
    med[(mode, proxy)] = (rps, us, kib)
    print(f"{mode:5} {proxy:9} {len(values):4d} {rps:9.0f} {us:10.1f} {kib:9.1f} "
          f"{max(v[3] for v in values):6d} {min(v[4] for v in values):5d}")
for mode in sorted({m for m, _ in med}):
    if (mode, "flotilla") not in med:
        continue
    f = med[(mode, "flotilla")]
    peers = [p for (m, p) in med if m == mode and p != "flotilla"]
    if not peers:
        continue
    best_cpu = min(med[(mode, p)][1] for p in peers)
    best_kib = max(0.1, min(med[(mode, p)][2] for p in peers))  # nginx may measure ~0
    print(f"{mode}: flotilla CPU/request = {f[1] / best_cpu:.2f}x the better peer; "
          f"KiB/idle = {f[2] / best_kib:.2f}x the better peer; "
          + ", ".join(f"vs {p}: cpu {f[1] / med[(mode, p)][1]:.2f}x" for p in peers))
PY
finished=1
