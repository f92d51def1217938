#!/usr/bin/env bash
# Installs every Debian package flotilla needs to build, test and benchmark.
# Idempotent and quick when nothing is missing: apt is only touched for missing packages.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build make ccache clang libclang-rt-14-dev clang-format pkg-config
  # libraries
  libasio-dev libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libssl-dev zlib1g-dev libcurl4-openssl-dev libnghttp2-dev
  # response compression: brotli and zstd encoders (zlib above does gzip)
  libbrotli-dev libzstd-dev
  # sd_notify (Type=notify readiness, watchdog); systemd-analyze verifies the exported units;
  # `make install`'s test renders the man page and loads the bash and zsh completions
  libsystemd-dev systemd man-db groff-base zsh
  # tests, fuzzing, benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev node-llhttp curl
  # HTTP/2 tests: nghttp and h2load, the frame-level abuse client (python3-h2) and the
  # conformance table (raw frames, server header blocks decoded with python3-hpack)
  nghttp2-client python3-h2 python3-hpack
  # observability tests: promtool (check rules / metrics), a real Prometheus and Alertmanager
  prometheus prometheus-alertmanager tmux
  # the proxy benchmark (bench/proxy/run.sh): competitors, load generator, idle-connection helper,
  # the certificate and the TLS handshake client (openssl, gcc); its profiling aids
  # (BENCH_PERF=DIR: perf; bench/proxy/instructions.sh: valgrind's callgrind)
  nginx haproxy wrk python3 openssl gcc linux-perf valgrind
  # examples/ai-navigator (a FastAPI app under uvicorn) and its integration test
  python3-fastapi python3-uvicorn
  # tests/integration/demo/single_write_test.py watches the demo app's write syscalls
  strace
  # compression tests decompress bodies with the Debian tools; the compression benchmark's nginx
  # brotli filter
  gzip brotli zstd libnginx-mod-http-brotli-filter
  # tests/integration/acme/: Let's Encrypt's test ACME server
  pebble
  # static files: /etc/mime.types for the media-type table (a built-in table when it is missing)
  media-types
  # the dashboard: Chart.js is embedded into the binary at build time (src/dashboard/); its
  # test drives Debian's headless Chromium over the DevTools protocol (fonts for the screenshot)
  libjs-chart.js chromium fonts-dejavu-core
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi

# nginx and haproxy are run by hand on loopback by tests and benchmarks: their packages must not
# start system services. Without a policy-rc.d, install a temporary one that forbids starting any.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
  "${sudo_cmd[@]}" chmod 755 "$policy"
  trap '"${sudo_cmd[@]}" rm -f "$policy"' EXIT
fi

echo "install-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
