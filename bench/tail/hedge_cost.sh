#!/usr/bin/env bash
# CPU cost of hedging when nothing is slow: the same flotilla binary with `hedge: {after: auto}` +
# `retry.per_try_timeout: auto` on its route and without, in front of one nginx (two ports, one
# worker) answering 200 "ok", driven by wrk (keep-alive, 50 connections). CPU-µs per request
# = (utime + stime of flotilla) / requests, runs alternating off/on, medians printed.
# Starts everything it measures itself on loopback and kills exactly those PIDs on exit.
#
#   bash bench/tail/hedge_cost.sh build/flotilla [RUNS=5] [SECONDS=8]
set -euo pipefail
flotilla=${1:?usage: hedge_cost.sh FLOTILLA_BIN [RUNS] [SECONDS]}
runs=${2:-5}
duration=${3:-8}
for tool in nginx wrk taskset python3; do command -v "$tool" >/dev/null || { echo "no $tool" >&2; exit 1; }; done
work=$(mktemp -d /tmp/hedge-cost.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
b1=$(port); b2=$(port)
mkdir -p "$work/backend/logs"
cat >"$work/backend/nginx.conf" <<NGINX
daemon off; master_process off; worker_processes 1; pid $work/backend/nginx.pid;
error_log $work/backend/error.log;
events { worker_connections 4096; }
http { access_log off;
  server { listen 127.0.0.1:$b1; listen 127.0.0.1:$b2; keepalive_requests 100000;
           location / { return 200 "ok\n"; } } }
NGINX
taskset -c 1 nginx -p "$work/backend" -c "$work/backend/nginx.conf" -e "$work/backend/error.log" &
pids+=($!)

config() {  # config FILE LISTEN_PORT HEDGE(0|1)
  local tail=""
  [[ $3 == 1 ]] && tail=', "hedge": {"after": "auto"}, "retry": {"per_try_timeout": "auto"}'
  cat >"$1" <<JSON
{"workers": 1, "listen": [{"address": "127.0.0.1:$2"}], "admin": {"listen": "127.0.0.1:0"},
 "state_dir": "$work/state-$3",
 "upstreams": {"app": {"servers": ["127.0.0.1:$b1", "127.0.0.1:$b2"]}},
 "routes": [{"match": {"path": "/"}, "upstream": "app"$tail}]}
JSON
}

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

one_run() {  # one_run HEDGE -> prints "requests ticks"
  local p; p=$(port)
  config "$work/f$1.yaml" "$p" "$1"
  taskset -c 0 "$flotilla" up -c "$work/f$1.yaml" >"$work/f$1.log" 2>&1 &
  local fp=$!
  pids+=($fp)
  for _ in $(seq 100); do grep -q "gateway listening" "$work/f$1.log" && break; sleep 0.1; done
  taskset -c 1 wrk -t1 -c50 -d2s "http://127.0.0.1:$p/" >/dev/null
  local before; before=$(ticks "$fp")
  local out; out=$(taskset -c 1 wrk -t1 -c50 -d"${duration}s" "http://127.0.0.1:$p/")
  local after; after=$(ticks "$fp")
  kill "$fp"; wait "$fp" 2>/dev/null || true
  local requests; requests=$(awk '/requests in/ {print $1}' <<<"$out")
  echo "$requests $((after - before))"
}

hz=$(getconf CLK_TCK)
declare -a off on
for r in $(seq "$runs"); do
  read -r req t <<<"$(one_run 0)"; off+=("$(python3 -c "print(f'{$t * 1e6 / $hz / $req:.3f}')")")
  read -r req t <<<"$(one_run 1)"; on+=("$(python3 -c "print(f'{$t * 1e6 / $hz / $req:.3f}')")")
  echo "run $r: off ${off[-1]} µs/req, on ${on[-1]} µs/req" >&2
done
python3 - "${off[*]}" "${on[*]}" <<'PY'
import statistics, sys
off = [float(x) for x in sys.argv[1].split()]
on = [float(x) for x in sys.argv[2].split()]
mo, mn = statistics.median(off), statistics.median(on)
print(f"| hedging off | {mo:.3f} | {' '.join(f'{x:.2f}' for x in off)} |")
print(f"| hedging on (after: auto, per_try_timeout: auto) | {mn:.3f} | {' '.join(f'{x:.2f}' for x in on)} |")
print(f"on/off: {mn / mo:.4f}")
PY
