"""The frozen-backend table of docs/benchmarks.md: two backends (tests/integration/tail_latency/
backend.py) behind each proxy, 20 concurrent keep-alive connections of GETs, one backend
SIGSTOPped for 6 s after 2 s of warm-up and resumed for 2 s more. Per proxy: requests, requests
slower than 2 s, p99, max, errors. Starts everything it measures itself on loopback and kills
exactly those PIDs.

  python3 bench/tail/frozen.py FLOTILLA_BIN [BEFORE_BIN] [--runs N]

Proxies: flotilla with hedging + per-try timeouts (auto), flotilla without (the same binary,
hedge and per_try_timeout absent), BEFORE_BIN (e.g. main's binary) with the same config as
"without", nginx (proxy_next_upstream error timeout, proxy_read_timeout 60s, max_fails=3
fail_timeout=30s) and HAProxy (retries 3, option redispatch, check inter 2s).
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "tests", "integration", "tail_latency"))
sys.path.insert(0, os.path.join(here, "..", "..", "tests", "integration", "lib"))
import harness  # noqa: E402
import tail_common  # noqa: E402


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


class External:
    def __init__(self, argv, port):
        self.process = harness.Process(argv, name=os.path.basename(argv[0]))
        self.port = port
        wait_port(port)

    def stop(self, sig=signal.SIGTERM):
        return self.process.stop(sig)


def nginx(backends, work):
    port = free_port()
    servers = "\n".join(f"    server {b.address} max_fails=3 fail_timeout=30s;" for b in backends)
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""daemon off; master_process off; worker_processes 2; pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  upstream app {{
{servers}
    keepalive 32;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout;
      proxy_read_timeout 60s;
    }}
  }}
}}
""")
    return External(["nginx", "-p", work, "-c", conf, "-e", f"{work}/nginx-error.log"], port)


def haproxy(backends, work):
    port = free_port()
    servers = "\n".join(f"  server s{i} {b.address} check inter 2s" for i, b in enumerate(backends))
    conf = os.path.join(work, "haproxy.cfg")
    with open(conf, "w") as f:
        f.write(f"""global
  nbthread 2
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  retries 3
  option redispatch
frontend fe
  bind 127.0.0.1:{port}
  default_backend app
backend app
  balance roundrobin
{servers}
""")
    return External(["haproxy", "-f", conf], port)


class FlotillaProxy:
    def __init__(self, binary, backends, tail):
        old = harness.FLOTILLA
        harness.FLOTILLA = binary
        try:
            self.f = harness.Flotilla(tail_common.config(
                backends, hedge=tail, per_try="auto" if tail else None))
        finally:
            harness.FLOTILLA = old
        self.port = self.f.port

    def stop(self, sig=signal.SIGTERM):
        return self.f.stop(sig)


def scenario(name, make_proxy, backends_count=2):
    with harness.Cleanup() as cleanup:
        backends = [cleanup.add(tail_common.Backend()) for _ in range(backends_count)]
        work = tempfile.mkdtemp(prefix="tail-bench-")
        proxy = cleanup.add(make_proxy(backends, work))
        load = tail_common.Load(proxy.port, connections=20, max_seconds=40, timeout=65)
        try:
            time.sleep(2.0)
            backends[-1].freeze()
            time.sleep(6.0)
            backends[-1].thaw()
            time.sleep(2.0)
        finally:
            results = load.stop()
        shutil.rmtree(work, ignore_errors=True)
    s = tail_common.summary(results)
    s["proxy"] = name
    return s


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("flotilla")
    parser.add_argument("before", nargs="?")
    parser.add_argument("--backends", type=int, default=2)
    args = parser.parse_args()
    cases = [("flotilla, hedge + per_try_timeout auto",
              lambda b, w: FlotillaProxy(args.flotilla, b, True)),
             ("flotilla, neither (hedging off)", lambda b, w: FlotillaProxy(args.flotilla, b, False))]
    if args.before:
        cases.append(("flotilla main (before)", lambda b, w: FlotillaProxy(args.before, b, False)))
    cases += [("nginx", nginx), ("HAProxy", haproxy)]
    print(f"{time.strftime('%F %T UTC', time.gmtime())}, {os.cpu_count()} CPUs, load "
          f"{open('/proc/loadavg').read().split()[:3]}; one of {args.backends} backends "
          "SIGSTOPped 6 s; 20 keep-alive connections", flush=True)
    print("| proxy | requests | > 2 s | p99 ms | max ms | errors |")
    print("|---|---|---|---|---|---|")
    for name, make in cases:
        s = scenario(name, make, args.backends)
        print(f"| {name} | {s['requests']} | {s['slower']} | {s['p99_ms']} | {s['max_ms']} | "
              f"{s['errors']} |", flush=True)


if __name__ == "__main__":
    main()
