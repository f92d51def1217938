#!/usr/bin/env bash
# User-space instructions per proxied request (valgrind callgrind), for one or more flotilla
# binaries under the same load: a regression measure that the machine's load does not move, where
# CPU time on this shared VM varies ±15 % between runs. Not a test; a profiling aid. Starts a
# backend nginx and each flotilla on loopback, kills exactly the PIDs it started.
#
#   bash bench/proxy/instructions.sh NEW_BIN [OLD_BIN ...]   # ~30 s per binary
#
# For each binary: warm-up, then callgrind's instrumentation is switched on for a
# `wrk -t1 -c50 -d5s` run (BENCH_TLS=1: over TLS 1.3, keep-alive), switched off, and the dump is
# read: Ir (instructions executed) / requests served, and the top functions by self cost (with
# TLS these include the handshakes of wrk's 50 connections, which the per-request figure leaves out).
# Kernel work is not counted: bench/alloc_count/run.sh counts syscalls. Ratios vs the second.
# BENCH_ROUTE_KEYS adds keys to the route, e.g. ', hedge: { after: auto }' (bench/tail/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
(($# >= 1)) || { echo "usage: $0 NEW_BIN [OLD_BIN ...]" >&2; exit 2; }
for tool in valgrind callgrind_control callgrind_annotate wrk nginx openssl; do
  command -v "$tool" >/dev/null || { echo "$tool not found: bash scripts/install-deps.sh" >&2; exit 1; }
done
tls=${BENCH_TLS:-0}
seconds=${BENCH_DURATION:-5}
work=$(mktemp -d /tmp/flotilla-instr.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ ${BENCH_KEEP_DIR:-0} == 1 ]] || rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=loopback.sh
source "$here/loopback.sh"
read -r backend_port proxy_port <<<"$(free_ports 2)"
mkdir -p "$work/backend"
write_backend_nginx "$work/backend" "$backend_port"
tls_block="" scheme=http
if [[ $tls == 1 ]]; then
  scheme=https
  make_ecdsa_cert "$work"
  tls_block="
    tls: { cert: $work/cert.pem, key: $work/key.pem, ciphersuites: TLS_AES_128_GCM_SHA256, groups: [X25519] }"
fi
cat >"$work/flotilla.yaml" <<EOC
workers: 1
log: { level: warn }
listen:
  - address: "127.0.0.1:$proxy_port"
    limits: { max_body: 0 }$tls_block
upstreams:
  app: { servers: ["127.0.0.1:$backend_port"], keepalive: 64, keepalive_requests: 1000000 }
routes:
  - { match: { path: / }, upstream: app${BENCH_ROUTE_KEYS:-} }
EOC
taskset -c 1 nginx -p "$work/backend" -c "$work/backend/nginx.conf" -e "$work/backend/error.log" &
pids+=($!)

per_request=()
for bin in "$@"; do
  name=$(basename "$(dirname "$(dirname "$bin")")")/$(basename "$(dirname "$bin")")
  out=$work/callgrind.$((${#per_request[@]} + 1))
  # valgrind runs in this PID (taskset execs): callgrind_control finds it; cleanup bounds it.
  taskset -c 0 valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out.%p" \
    "$bin" up -c "$work/flotilla.yaml" >"$work/flotilla.out" 2>&1 &
  vpid=$!
  pids+=($vpid)
  for _ in $(seq 300); do curl -sk -o /dev/null "$scheme://127.0.0.1:$proxy_port/" && break; sleep 0.1; done
  taskset -c 1 wrk -t1 -c50 -d3s "$scheme://127.0.0.1:$proxy_port/" >/dev/null  # warm-up
  callgrind_control -i on "$vpid" >/dev/null
  requests=$(taskset -c 1 wrk -t1 -c50 -d"${seconds}s" "$scheme://127.0.0.1:$proxy_port/" | awk '/requests in/ {print $1}')
  callgrind_control -i off "$vpid" >/dev/null
  kill -TERM "$vpid"
  wait "$vpid" 2>/dev/null || true
  file=$(ls "$out".* | head -1)
  ir=$(awk '/^totals:/ {print $2}' "$file")
  # wrk's own connections are new: their TLS handshakes are not request work (reported apart).
  handshakes=0
  if [[ $tls == 1 ]]; then
    handshakes=$(callgrind_annotate --inclusive=yes "$file" 2>/dev/null |
      awk '/:SSL_do_handshake / {gsub(",", "", $1); print $1; exit}')
  fi
  per_request+=("$(python3 -c "print(round(($ir - ${handshakes:-0}) / $requests))")")
  note=""
  [[ $tls == 1 ]] && note=", ${handshakes:-0} of them in wrk's 50 TLS handshakes, not counted"
  echo "== $bin: ${per_request[-1]} instructions per request ($requests requests, $ir Ir$note)"
  callgrind_annotate --inclusive=no "$file" 2>/dev/null | grep -E '^ *[0-9,]+ \(' | head -16 |
    sed -E 's/\([^)]*\) +//; s/\[[^]]*\]//' | cut -c1-150 || true
done
if ((${#per_request[@]} > 1)); then
  python3 -c "import sys; a=[int(x) for x in sys.argv[1:]]; print('ratio first/second: %.3f' % (a[0] / a[1]))" "${per_request[@]}"
fi
