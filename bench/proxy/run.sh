#!/usr/bin/env bash
# The gateway benchmark: flotilla, nginx and HAProxy in front of one backend, driven in turn by
# wrk with identical settings; prints one table and the flotilla/nginx, flotilla/haproxy ratios.
# With BENCH_TLS=1 every proxy listens with TLS (one ECDSA P-256 certificate made here) and the
# run adds handshake rates (tls_conns.c) and idle TLS connections. With FLOTILLA_BASELINE_BIN a
# second flotilla binary ("flotilla-base") runs in the same rotation, for a regression ratio.
# Starts everything it measures itself, on loopback only, and kills exactly those PIDs on exit.
#
#   bash bench/proxy/run.sh            # installs deps, builds Release if needed, ~1 minute
#   BENCH_TLS=1 bash bench/proxy/run.sh                              # TLS, ~3 minutes
#   FLOTILLA_BASELINE_BIN=/old/flotilla BENCH_RUNS=3 bash bench/proxy/run.sh
#
# Knobs (environment): BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (50), BENCH_IDLE (10000,
# 2000 with TLS), BENCH_WARMUP (s, 2), BENCH_PROXIES ("flotilla nginx haproxy", plus flotilla-base
# with a baseline), BENCH_HEADERS (parity|bare), BENCH_PROXY_CPU (0), BENCH_LOAD_CPU (1),
# BENCH_RUNS (1; the table then shows medians, and the proxy order rotates between runs),
# BENCH_NICE (-10 as root: the machine is shared with builds), FLOTILLA_BIN (skip the build),
# FLOTILLA_BASELINE_BIN, BENCH_TLS (0|1), BENCH_HANDSHAKES (TLS cases, "tls13-full tls13-ticket
# tls12-full tls12-id"), BENCH_HANDSHAKE_DURATION (s, 5), BENCH_HANDSHAKE_CONCURRENCY (16),
# BENCH_RESULTS (a file to keep the per-proxy JSON lines in), BENCH_KEEP_DIR=1 (keep the temp dir
# with configs and logs), BENCH_PERF=DIR (perf record -g of each flotilla over extra, unmeasured
# runs after its first measured one).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

duration=${BENCH_DURATION:-10}
connections=${BENCH_CONNECTIONS:-50}
threads=1
tls=${BENCH_TLS:-0}
[[ $tls == 0 || $tls == 1 ]] || { echo "bench: BENCH_TLS must be 0 or 1" >&2; exit 1; }
idle_count=${BENCH_IDLE:-$((tls ? 2000 : 10000))}
warmup=${BENCH_WARMUP:-2}
baseline=${FLOTILLA_BASELINE_BIN:-}
proxies=${BENCH_PROXIES:-flotilla ${baseline:+flotilla-base }nginx haproxy}
headers=${BENCH_HEADERS:-parity}
proxy_cpu=${BENCH_PROXY_CPU:-0}
load_cpu=${BENCH_LOAD_CPU:-1}
runs=${BENCH_RUNS:-1}
handshake_cases=${BENCH_HANDSHAKES:-tls13-full tls13-ticket tls12-full tls12-id}
handshake_duration=${BENCH_HANDSHAKE_DURATION:-5}
handshake_concurrency=${BENCH_HANDSHAKE_CONCURRENCY:-16}
perf_out=${BENCH_PERF:-}
nice_level=${BENCH_NICE:-$([[ $(id -u) -eq 0 ]] && echo -10 || echo 0)}
read -ra proxy_list <<<"$proxies"
read -ra case_list <<<"$handshake_cases"
# The whole run, install and build excluded: about 25 s per proxy and run (TLS: + the cases).
hard_limit_s=$((runs * ${#proxy_list[@]} * (60 + tls * (30 + 2 * ${#case_list[@]} * handshake_duration))))
[[ -n $perf_out ]] && hard_limit_s=$((hard_limit_s + 4 * (duration + 5) * ${#proxy_list[@]}))  # profiles

exec 3>&2  # the script's stderr, also for messages from traps that fire inside a redirection
log() { printf 'bench: %s\n' "$*" >&3; }
die() { log "error: $*"; exit 1; }

# ------------------------------------------------------------------ dependencies and the binary
bash "$root/scripts/install-deps.sh" >&2
for tool in nginx haproxy wrk python3 curl taskset openssl cc; do
  command -v "$tool" >/dev/null || die "$tool not found after scripts/install-deps.sh"
done

if [[ -n ${FLOTILLA_BIN:-} ]]; then
  flotilla=$FLOTILLA_BIN
else
  # Reuse build/ when it is a full Release tree; otherwise keep a Release tree of our own.
  build=$root/build
  cache=$build/CMakeCache.txt
  if [[ -f $cache ]] && ! { grep -qx 'CMAKE_BUILD_TYPE:STRING=Release' "$cache" &&
                              grep -qx 'FLOTILLA_MODULES:STRING=' "$cache"; }; then
    build=$root/build-bench
  fi
  if [[ ! -f $build/build.ninja ]]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
  fi
  ninja -C "$build" -j2 flotilla >&2
  flotilla=$build/flotilla
fi
[[ -x $flotilla ]] || die "no flotilla binary at $flotilla"
[[ -z $baseline || -x $baseline ]] || die "no baseline flotilla binary at $baseline"
if [[ -n $perf_out ]]; then command -v perf >/dev/null || die "BENCH_PERF needs perf (linux-perf)"; fi

# Other builds share these 2 cores: a higher priority keeps them from skewing one proxy's run
# more than another's. Children inherit it.
if [[ $nice_level != 0 ]]; then renice -n "$nice_level" -p $$ >/dev/null || log "renice failed: running at normal priority"; fi

# 10 000 idle connections need as many descriptors in the proxy and in the helper.
ulimit -n "$(ulimit -Hn)"
(($(ulimit -n) >= idle_count + 1000)) || die "ulimit -n is $(ulimit -n): need $((idle_count + 1000))"

# ------------------------------------------------------------------ process bookkeeping
work=$(mktemp -d /tmp/flotilla-bench.XXXXXX)
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

# Bounded in time whatever happens: the watchdog ends this script (which then cleans up).
main_pid=$$
(
  trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
  sleep "$hard_limit_s" &
  sleeper=$!
  wait "$sleeper" && log "over ${hard_limit_s}s: giving up" && kill -TERM "$main_pid"
) 2>/dev/null &
started_pids+=($!)

start() {  # start NAME CPU COMMAND...: runs COMMAND pinned to CPU, remembers its PID in $last_pid
  local name=$1 cpu=$2
  shift 2
  taskset -c "$cpu" "$@" >"$work/$name.out" 2>"$work/$name.err" 3>&- &
  last_pid=$!
  started_pids+=("$last_pid")
}

forget() {  # forget PID: a reaped PID leaves the list, so cleanup never signals a reused one
  local kept=() pid
  for pid in "${started_pids[@]}"; do [[ $pid == "$1" ]] || kept+=("$pid"); done
  started_pids=("${kept[@]}")
}

waited() {  # waited COMMAND...: runs COMMAND in the background and waits, so a signal to this
  # script is handled at once (bash defers traps until a foreground command ends)
  "$@" 3>&- &
  local pid=$! status=0
  started_pids+=("$pid")
  wait "$pid" || status=$?
  forget "$pid"
  return "$status"
}

stop() {  # stop PID: TERM, then KILL after 5 s
  local pid=$1
  if kill -TERM "$pid" 2>/dev/null; then
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  forget "$pid"
}

free_ports() {  # prints N free loopback ports
  python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

scheme=$([[ $tls == 1 ]] && echo https || echo http)

wait_http() {  # wait_http PORT PID [SCHEME]: until GET / answers 200 "ok" (10 s at most)
  local port=$1 pid=$2 url_scheme=${3:-$scheme}
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || return 1
    if [[ $(curl -sk --max-time 1 "$url_scheme://127.0.0.1:$port/" 2>/dev/null) == ok ]]; then return 0; fi
    sleep 0.1
  done
  return 1
}

tree_pids() { echo "$1" $(pgrep -P "$1" || true); }  # a process and its children (nginx workers)

cpu_ticks() {  # utime+stime (fields 14 and 15 of /proc/PID/stat) summed over PIDs
  local total=0 pid stat rest
  for pid in "$@"; do
    stat=$(<"/proc/$pid/stat")
    rest=${stat##*) }  # the command name may hold spaces: fields resume after ") "
    read -ra f <<<"$rest"
    total=$((total + f[11] + f[12]))  # rest starts at field 3
  done
  echo "$total"
}

rss_kib() {  # VmRSS summed over PIDs
  local total=0 pid
  for pid in "$@"; do
    total=$((total + $(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")))
  done
  echo "$total"
}

# ------------------------------------------------------------------ configurations
read -r backend_port flotilla_port nginx_port haproxy_port <<<"$(free_ports 4)"
user_line=""
if [[ $(id -u) -eq 0 ]]; then user_line="user $(id -un) $(id -gn);"; fi

nginx_common() {  # the parts of an nginx.conf that keep it self-contained in $1
  cat <<EOF
$user_line
worker_processes 1;
daemon off;
pid $1/nginx.pid;
error_log $1/error.log warn;
EOF
}

nginx_http_common() {
  cat <<EOF
  access_log off;
  client_body_temp_path $1/client_body;
  proxy_temp_path $1/proxy;
  fastcgi_temp_path $1/fastcgi;
  uwsgi_temp_path $1/uwsgi;
  scgi_temp_path $1/scgi;
EOF
}

mkdir -p "$work/backend" "$work/nginx" "$work/haproxy" "$work/flotilla" "$work/tls"

# TLS: one ECDSA P-256 certificate for all three; the same protocols (1.2 and 1.3), one cipher
# suite per version (so all negotiate the same, whoever's preference wins), X25519 only, a
# server-side session cache (20 480 entries, 10 min) and tickets on, ALPN http/1.1.
tls_suite13=TLS_AES_128_GCM_SHA256
tls_cipher12=ECDHE-ECDSA-AES128-GCM-SHA256
nginx_listen="127.0.0.1:$nginx_port"
nginx_tls=""
haproxy_bind="127.0.0.1:$haproxy_port"
haproxy_tls_global=""
flotilla_tls=""
if [[ $tls == 1 ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
    -subj /CN=bench.test -addext subjectAltName=DNS:bench.test \
    -keyout "$work/tls/key.pem" -out "$work/tls/cert.pem" 2>"$work/tls/openssl.err" ||
    die "openssl req failed: $(cat "$work/tls/openssl.err")"
  cat "$work/tls/cert.pem" "$work/tls/key.pem" >"$work/tls/haproxy.pem"
  chmod 644 "$work/tls/"*.pem
  nginx_listen="$nginx_listen ssl"
  nginx_tls="
  ssl_certificate $work/tls/cert.pem;
  ssl_certificate_key $work/tls/key.pem;
  ssl_protocols TLSv1.2 TLSv1.3;
  ssl_ciphers $tls_cipher12;
  ssl_conf_command Ciphersuites $tls_suite13;
  ssl_ecdh_curve X25519;
  ssl_prefer_server_ciphers on;
  ssl_session_cache shared:SSL:10m;
  ssl_session_timeout 10m;
  ssl_session_tickets on;"
  haproxy_bind="$haproxy_bind ssl crt $work/tls/haproxy.pem alpn http/1.1 curves X25519"
  haproxy_tls_global="
  ssl-default-bind-options ssl-min-ver TLSv1.2
  ssl-default-bind-ciphers $tls_cipher12
  ssl-default-bind-ciphersuites $tls_suite13
  tune.ssl.cachesize 20480
  tune.ssl.lifetime 600"
  flotilla_tls="
    tls:
      cert: $work/tls/cert.pem
      key: $work/tls/key.pem
      protocols: [TLSv1.2, TLSv1.3]
      ciphers: $tls_cipher12
      ciphersuites: $tls_suite13
      groups: [X25519]
      session_tickets: true
      session_cache: 20480
      session_timeout: 10m"
  cc -O2 -o "$work/tls_conns" "$here/tls_conns.c" -lssl -lcrypto 2>"$work/tls/cc.err" ||
    die "building tls_conns failed: $(cat "$work/tls/cc.err")"
fi

# The backend: a separate nginx answering 200 "ok" from one worker pinned to the load CPU.
cat >"$work/backend/nginx.conf" <<EOF
$(nginx_common "$work/backend")
events { worker_connections 4096; }
http {
$(nginx_http_common "$work/backend")
  keepalive_timeout 300s;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$backend_port;
    location / { default_type text/plain; return 200 "ok"; }
  }
}
EOF

# Header parity: flotilla always adds X-Forwarded-For/-Proto/-Host, X-Real-IP, Via and an
# X-Request-Id (to the request and the response); `parity` makes nginx and HAProxy do the same
# work, `bare` leaves them at the minimum (only what the brief requires).
nginx_parity=""
haproxy_parity=""
if [[ $headers == parity ]]; then
  nginx_parity='
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header Via "1.1 nginx";
      proxy_set_header X-Request-Id $request_id;
      add_header X-Request-Id $request_id;
      add_header Via "1.1 nginx";'
  haproxy_parity='
  option forwardfor
  unique-id-format %{+X}o%ci%cp%fp%Ts%rt%pid
  http-request set-header X-Real-IP %[src]
  http-request set-header X-Forwarded-Proto $scheme
  http-request set-header X-Forwarded-Host %[req.hdr(host)]
  http-request set-header Via "1.1 haproxy"
  http-request set-header X-Request-Id %[unique-id]
  http-response set-header X-Request-Id %[unique-id]
  http-response add-header Via "1.1 haproxy"'
elif [[ $headers != bare ]]; then
  die "BENCH_HEADERS must be parity or bare"
fi

cat >"$work/nginx/nginx.conf" <<EOF
$(nginx_common "$work/nginx")
worker_rlimit_nofile $(ulimit -n);
events { worker_connections $((idle_count + 1000)); }
http {
$(nginx_http_common "$work/nginx")$nginx_tls
  keepalive_timeout 120s;
  keepalive_requests 1000000;
  upstream app {
    server 127.0.0.1:$backend_port;
    keepalive 64;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
  }
  server {
    listen $nginx_listen;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";$nginx_parity
    }
  }
}
EOF

cat >"$work/haproxy/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn $((idle_count + 200))
  # HAProxy wants 2 descriptors per connection (client + server), more than the 20 000 this
  # machine allows; idle client connections hold no server side, so a warning is enough.
  no strict-limits$haproxy_tls_global
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
  maxconn $((idle_count + 200))$haproxy_parity
  default_backend be
backend be
  http-reuse always
  server app 127.0.0.1:$backend_port
EOF

cat >"$work/flotilla/flotilla.yaml" <<EOF
workers: 1
log: { level: warn }
listen:
  - address: "127.0.0.1:$flotilla_port"
    limits: { max_body: 0 }
    timeouts: { keepalive: 120s }$flotilla_tls
upstreams:
  app:
    servers: ["127.0.0.1:$backend_port"]
    keepalive: 64
    keepalive_timeout: 120s
    keepalive_requests: 1000000
routes:
  - match: { path: / }
    upstream: app
EOF

# ------------------------------------------------------------------ the runs
results=${BENCH_RESULTS:-$work/results.jsonl}
: >"$results"

start backend "$load_cpu" nginx -p "$work/backend" -c "$work/backend/nginx.conf" -e "$work/backend/error.log"
backend_pid=$last_pid
wait_http "$backend_port" "$backend_pid" http || die "the backend did not start: $(cat "$work/backend.err" "$work/backend/error.log" 2>/dev/null)"

log "$(date -u '+%F %T UTC'), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
log "proxies on CPU $proxy_cpu; backend, wrk and the idle helper on CPU $load_cpu; headers: $headers; nice $nice_level; $runs run(s)"
log "$scheme: wrk -t$threads -c$connections -d${duration}s --latency (after a ${warmup}s warm-up); $idle_count idle connections"
[[ $tls == 1 ]] && log "TLS handshakes: ${case_list[*]}, ${handshake_duration}s each, $handshake_concurrency at a time"
log "flotilla: $flotilla${baseline:+; flotilla-base: $baseline}"

measure_wrk() {  # measure_wrk NAME PORT PIDS...: one measured wrk run; sets wrk_json, wrk_status, wrk_ticks
  local name=$1 port=$2
  shift 2
  local before after
  wrk_status=0
  before=$(cpu_ticks "$@")
  waited timeout $((duration + 15)) taskset -c "$load_cpu" \
    wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s "$here/report.lua" \
    "$scheme://127.0.0.1:$port/" >"$work/$name.wrk" 2>&1 || wrk_status=$?
  after=$(cpu_ticks "$@")
  wrk_ticks=$((after - before))
  wrk_json=$(sed -n 's/^JSON //p' "$work/$name.wrk")
  [[ -n $wrk_json ]] || wrk_json='{}'
}

handshakes() {  # handshakes NAME PORT PIDS...: each TLS case (tls_conns.c); sets handshake_json
  local name=$1 port=$2
  shift 2
  local case mode version before after out status entries=()
  waited timeout 15 taskset -c "$load_cpu" "$work/tls_conns" 127.0.0.1 "$port" 1 \
    "$handshake_concurrency" full >/dev/null 2>&1 || true  # warm-up
  for case in "${case_list[@]}"; do
    case $case in
      tls13-full) version=1.3 mode=full ;;
      tls13-ticket) version=1.3 mode=ticket ;;
      tls12-full) version=1.2 mode=full ;;
      tls12-ticket) version=1.2 mode=ticket ;;
      tls12-id) version=1.2 mode=id ;;
      *) die "unknown case '$case' in BENCH_HANDSHAKES" ;;
    esac
    status=0
    before=$(cpu_ticks "$@")
    waited timeout $((handshake_duration + 15)) taskset -c "$load_cpu" "$work/tls_conns" 127.0.0.1 "$port" \
      "$handshake_duration" "$handshake_concurrency" "$mode" "$version" >"$work/$name.$case" 2>&1 || status=$?
    after=$(cpu_ticks "$@")
    out=$(sed -n 's/^JSON //p' "$work/$name.$case")
    entries+=("$(printf '"%s":{"exit":%d,"cpu_ticks":%d,"result":%s}' "$case" "$status" $((after - before)) "${out:-{\}}")")
  done
  handshake_json="{$(IFS=,; echo "${entries[*]}")}"
}

profile() {  # profile NAME PORT PID: perf record -g over extra (unmeasured) runs of the same load
  local name=$1 port=$2 pid=$3 what recorder
  mkdir -p "$perf_out"
  for what in keepalive handshake; do
    [[ $what == handshake && $tls == 0 ]] && continue
    timeout $((duration + 30)) perf record -e cpu-clock -g -p "$pid" \
      -o "$perf_out/$name-$scheme-$what.perf.data" -- sleep "$duration" >>"$work/$name.perf.log" 2>&1 3>&- &
    recorder=$!
    started_pids+=("$recorder")
    sleep 0.5
    if [[ $what == keepalive ]]; then
      waited timeout $((duration + 15)) taskset -c "$load_cpu" \
        wrk -t"$threads" -c"$connections" -d"$((duration - 1))s" "$scheme://127.0.0.1:$port/" >/dev/null 2>&1 || true
    else
      waited timeout $((duration + 15)) taskset -c "$load_cpu" "$work/tls_conns" 127.0.0.1 "$port" \
        "$((duration - 1))" "$handshake_concurrency" full 1.3 >/dev/null 2>&1 || true
    fi
    wait "$recorder" || log "perf record failed: $(tail -n 3 "$work/$name.perf.log")"
    forget "$recorder"
  done
  log "profiles of $name in $perf_out"
}

tls_params() {  # what a client negotiates: protocol, cipher suite and key exchange group
  timeout 5 openssl s_client -connect "127.0.0.1:$1" -servername bench.test -brief </dev/null 2>&1 |
    sed -n 's/^\(Protocol version\|Ciphersuite\|Server Temp Key\): //p' | paste -sd' ' || true
}

bench_proxy() {  # bench_proxy NAME PORT COMMAND...
  local name=$1 port=$2
  shift 2
  start "$name" "$proxy_cpu" "$@"
  local pid=$last_pid
  if ! wait_http "$port" "$pid"; then
    log "$name did not start or does not proxy: $(tail -n 5 "$work/$name.err" 2>/dev/null)"
    printf '{"proxy":"%s","run":%d,"started":false}\n' "$name" "$run" >>"$results"
    stop "$pid"
    return
  fi
  local pids params=""
  pids=$(tree_pids "$pid")
  [[ $tls == 1 ]] && params=$(tls_params "$port")

  waited timeout $((warmup + 10)) taskset -c "$load_cpu" \
    wrk -t"$threads" -c"$connections" -d"${warmup}s" "$scheme://127.0.0.1:$port/" >/dev/null 2>&1 || true

  measure_wrk "$name" "$port" $pids
  handshake_json='{}'
  [[ $tls == 1 ]] && handshakes "$name" "$port" $pids

  # Idle keep-alive connections: RSS growth while the helper holds them.
  sleep 0.5
  local rss_before rss_after status_file=$work/$name.idle established=(0 0) alive=(0 0) tls_flag=()
  [[ $tls == 1 ]] && tls_flag=(--tls)
  rm -f "$status_file"
  rss_before=$(rss_kib $pids)
  start "$name-idle" "$load_cpu" python3 "$here/idle_conns.py" 127.0.0.1 "$port" "$idle_count" "$status_file" --hold 60 \
    --window "$connections" "${tls_flag[@]}"  # no more requests in flight than wrk had: buffer pools do not grow
  local helper=$last_pid
  for _ in $(seq 600); do
    if [[ -f $status_file ]]; then read -ra established <"$status_file"; break; fi
    kill -0 "$helper" 2>/dev/null || break
    sleep 0.1
  done
  sleep 1  # let the proxy finish its bookkeeping for the last connections
  rss_after=$(rss_kib $pids)
  kill -USR1 "$helper" 2>/dev/null || true
  wait "$helper" 2>/dev/null || true
  forget "$helper"
  [[ -f $status_file ]] && read -ra alive <"$status_file"

  if [[ -n $perf_out && $name == flotilla* && $run == 1 ]]; then profile "$name" "$port" "$pid"; fi

  local still_running=true
  kill -0 "$pid" 2>/dev/null || still_running=false
  stop "$pid"
  printf '{"proxy":"%s","run":%d,"started":true,"running_at_end":%s,"wrk_exit":%d,"wrk":%s,"cpu_ticks":%d,"clk_tck":%d,"rss_before_kib":%d,"rss_after_kib":%d,"idle_target":%d,"idle_established":%d,"idle_failed":%d,"idle_alive":%d,"duration_s":%d,"connections":%d,"threads":%d,"tls":%d,"tls_params":"%s","handshakes":%s}\n' \
    "$name" "$run" "$still_running" "$wrk_status" "$wrk_json" "$wrk_ticks" "$(getconf CLK_TCK)" \
    "$rss_before" "$rss_after" "$idle_count" "${established[1]:-0}" "${established[2]:-0}" "${alive[1]:-0}" \
    "$duration" "$connections" "$threads" "$tls" "$params" "$handshake_json" >>"$results"
  log "run $run: $name done${params:+ ($params)}"
}

order=("${proxy_list[@]}")
for ((run = 1; run <= runs; run++)); do
  for proxy in "${order[@]}"; do
    case $proxy in
      flotilla) bench_proxy flotilla "$flotilla_port" "$flotilla" up -c "$work/flotilla/flotilla.yaml" ;;
      flotilla-base)  # the same config and port as flotilla: they never run at the same time
        [[ -n $baseline ]] || die "flotilla-base needs FLOTILLA_BASELINE_BIN"
        bench_proxy flotilla-base "$flotilla_port" "$baseline" up -c "$work/flotilla/flotilla.yaml" ;;
      nginx) bench_proxy nginx "$nginx_port" nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" ;;
      haproxy) bench_proxy haproxy "$haproxy_port" haproxy -db -f "$work/haproxy/haproxy.cfg" ;;
      *) die "unknown proxy '$proxy' in BENCH_PROXIES" ;;
    esac
  done
  order=("${order[@]:1}" "${order[0]}")  # rotate, so no proxy always runs first or last
done

# Exit status: 0 with ratios, 3 when they were refused.
summary_status=0
python3 "$here/summarize.py" "$results" \
  --meta "$(date -u '+%F %T UTC'); $(nproc) CPUs; load average at end $(cut -d' ' -f1-3 /proc/loadavg); $scheme; headers: $headers; $runs run(s)" \
  || summary_status=$?
finished=1
exit "$summary_status"
