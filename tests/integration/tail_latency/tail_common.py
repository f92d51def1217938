"""Shared pieces of the tail-latency tests: test backends (backend.py) as processes that can be
frozen with SIGSTOP, a bounded keep-alive load client recording every request's latency, and the
flotilla config with hedging and per-try timeouts."""
import http.client
import json
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402

BACKEND = os.path.join(os.path.dirname(__file__), "backend.py")


class Backend:
    def __init__(self, *options):
        self.process = harness.Process(["/usr/bin/python3", BACKEND, *options], name="backend")
        m = self.process.wait_for_line(r"backend listening on (\S+):(\d+)")
        self.port = int(m.group(2))
        self.address = f"127.0.0.1:{self.port}"
        self.frozen = False

    def freeze(self):
        os.kill(self.process.pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self):
        os.kill(self.process.pid, signal.SIGCONT)
        self.frozen = False

    def log(self):
        status, _, body = harness.request(self.port, path="/_log", timeout=10)
        assert status == 200
        return json.loads(body)

    def stop(self, sig=signal.SIGKILL):
        if self.frozen:
            self.thaw()
        return self.process.stop(sig)


def config(backends, hedge=True, per_try="auto", read="60s", workers=2, hedge_after="auto",
           extra_route=None):
    route = {"match": {"path": "/"}, "upstream": "app",
             "retry": {"on": ["error", "timeout"], "tries": 3},
             "timeouts": {"read": read}}
    if per_try:
        route["retry"]["per_try_timeout"] = per_try
    if hedge:
        route["hedge"] = {"after": hedge_after, "max": 1}
    route.update(extra_route or {})
    return harness.gateway_config(
        {"app": {"servers": [b.address for b in backends], "balance": "round_robin"}},
        [route], workers=workers)


class Load:
    """`connections` keep-alive clients, each sending GET `path` in a loop until stop() (bounded
    by `max_seconds`). Records (start, latency, status or error) per request."""

    def __init__(self, port, connections=20, path="/api", max_seconds=60.0, timeout=30.0):
        self.port = port
        self.path = path
        self.timeout = timeout
        self.results = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.deadline = time.monotonic() + max_seconds
        self.threads = [threading.Thread(target=self._run, daemon=True)
                        for _ in range(connections)]
        for t in self.threads:
            t.start()

    def _run(self):
        conn = None
        while not self.stopping.is_set() and time.monotonic() < self.deadline:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            started = time.monotonic()
            try:
                conn.request("GET", self.path)
                resp = conn.getresponse()
                resp.read()
                outcome = resp.status
                if resp.getheader("connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as e:
                outcome = f"error: {e!r}"
                conn.close()
                conn = None
            with self.lock:
                self.results.append((started, time.monotonic() - started, outcome))
        if conn is not None:
            conn.close()

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=self.timeout + 5)
        return self.results


def summary(results, slow=2.0):
    latencies = sorted(r[1] for r in results)
    errors = [r for r in results if r[2] != 200]
    p99 = latencies[int(0.99 * (len(latencies) - 1))] if latencies else 0.0
    return {"requests": len(results), "slower": sum(1 for x in latencies if x > slow),
            "errors": len(errors), "p99_ms": round(p99 * 1000, 1),
            "max_ms": round(latencies[-1] * 1000, 1) if latencies else 0.0,
            "first_errors": [e[2] for e in errors[:3]]}
