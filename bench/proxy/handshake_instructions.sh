#!/usr/bin/env bash
# User-space instructions per new TLS connection (valgrind callgrind): one handshake, one proxied
# `GET /`, the close — flotilla against nginx with the same certificate, suite and group, both on
# the same OpenSSL. A profiling aid, not a test: it shows how much of a handshake is OpenSSL's
# (the same for every proxy) and how much is the proxy's own. Starts a backend nginx, then each
# proxy under callgrind on loopback, and kills exactly the PIDs it started. ~1 minute.
#
#   bash bench/proxy/handshake_instructions.sh [FLOTILLA_BIN]   # default build/flotilla
#
# Environment: MODE (full | ticket | id, as tls_conns.c), VERSION (1.3 | 1.2), SECONDS_MEASURED
# (8), TOP (functions listed per proxy, 12).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-$root/build/flotilla}
mode=${MODE:-full} version=${VERSION:-1.3} seconds=${SECONDS_MEASURED:-8} top=${TOP:-12}
for tool in valgrind callgrind_control callgrind_annotate nginx openssl cc curl; do
  command -v "$tool" >/dev/null || { echo "$tool not found: bash scripts/install-deps.sh" >&2; exit 1; }
done
work=$(mktemp -d /tmp/flotilla-hs-instr.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=loopback.sh
source "$here/loopback.sh"
cc -O2 -o "$work/tls_conns" "$here/tls_conns.c" -lssl -lcrypto
read -r backend_port flotilla_port nginx_port <<<"$(free_ports 3)"
mkdir -p "$work/backend" "$work/nginx"
write_backend_nginx "$work/backend" "$backend_port"
make_ecdsa_cert "$work"
cat >"$work/nginx/nginx.conf" <<EOC
worker_processes 1; daemon off; master_process off; pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $work/nginx/cb; proxy_temp_path $work/nginx/p;
  fastcgi_temp_path $work/nginx/f; uwsgi_temp_path $work/nginx/u; scgi_temp_path $work/nginx/s;
  upstream app { server 127.0.0.1:$backend_port; keepalive 64; }
  server { listen 127.0.0.1:$nginx_port ssl; ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem; ssl_protocols TLSv1.2 TLSv1.3;
    ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256; ssl_ecdh_curve X25519;
    ssl_prefer_server_ciphers on; ssl_session_cache shared:SSL:10m; ssl_session_timeout 10m;
    ssl_session_tickets on;
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
EOC
cat >"$work/flotilla.yaml" <<EOC
workers: 1
log: { level: warn }
listen:
  - address: "127.0.0.1:$flotilla_port"
    tls: { cert: $work/cert.pem, key: $work/key.pem, ciphersuites: TLS_AES_128_GCM_SHA256, groups: [X25519] }
upstreams:
  app: { servers: ["127.0.0.1:$backend_port"], keepalive: 64 }
routes:
  - { match: { path: / }, upstream: app }
EOC
taskset -c 1 nginx -p "$work/backend" -c "$work/backend/nginx.conf" -e "$work/backend/error.log" &
pids+=($!)

measure() {  # NAME PORT COMMAND...
  local name=$1 port=$2
  shift 2
  taskset -c 0 valgrind --tool=callgrind --instr-atstart=no \
    --callgrind-out-file="$work/callgrind.$name.%p" "$@" >"$work/$name.out" 2>&1 &
  local vpid=$!
  pids+=($vpid)
  for _ in $(seq 300); do curl -sk -o /dev/null "https://127.0.0.1:$port/" && break; sleep 0.1; done
  "$work/tls_conns" 127.0.0.1 "$port" 2 4 "$mode" "$version" >/dev/null  # warm-up
  callgrind_control -i on "$vpid" >/dev/null
  local result
  result=$("$work/tls_conns" 127.0.0.1 "$port" "$seconds" 4 "$mode" "$version")
  callgrind_control -i off "$vpid" >/dev/null
  kill -TERM "$vpid"
  wait "$vpid" 2>/dev/null || true
  local file ir connections
  file=$(ls "$work/callgrind.$name".* | head -1)
  ir=$(awk '/^totals:/ {print $2}' "$file")
  connections=$(sed 's/.*"connections":\([0-9]*\).*/\1/' <<<"$result")
  ((connections > 0)) || { echo "$name: no connection completed: $result" >&2; return 1; }
  echo "== $name: $((ir / connections)) instructions per connection ($connections connections, TLS $version $mode)"
  callgrind_annotate --inclusive=yes "$file" 2>/dev/null |
    awk -v n="$connections" '/:SSL_do_handshake / && !done {gsub(",", "", $1); printf "   SSL_do_handshake: %d per connection\n", $1 / n; done = 1}'
  callgrind_annotate --inclusive=no "$file" 2>/dev/null | grep -E '^ *[0-9,]+ \(' | head -"$top" |
    sed -E 's/\([^)]*\) +//; s/\[[^]]*\]//' | cut -c1-150 || true
}
measure flotilla "$flotilla_port" "$bin" up -c "$work/flotilla.yaml"
measure nginx "$nginx_port" nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log"
