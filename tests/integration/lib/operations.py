"""Helpers for the operations tests: `flotilla up` with a demo-app service `web` behind the
gateway and an admin socket/listener, the CLI run against it, and a mixed keep-alive load
(GET /api/hello + POST /api/echo) that checks every answer and records which revision and pid
served it.

Every wait and every CLI call is bounded; flotilla is stopped by its own PID.
"""
import http.client
import json
import os
import random
import subprocess
import tempfile
import threading
import time

import harness
import supervision

ROUTE_RETRY = {"on": ["error", "timeout", "http_502", "http_503"], "tries": 3}


def spec(first_port, ports=10, replicas=3, admin=None, extra_routes=None, upstream=None,
         command=None):
    """The config as a dict: service `web` (demo app), upstream `web`, one route to it."""
    admin_section = {"listen": "127.0.0.1:0", "socket": "admin.sock"}
    admin_section.update(admin or {})
    upstream_section = {"service": "web", "balance": "round_robin"}
    upstream_section.update(upstream or {})
    routes = list(extra_routes or [])
    routes.append({"match": {"path": "/"}, "upstream": "web", "retry": ROUTE_RETRY})
    return {
        "workers": 2,
        "listen": [{"address": "127.0.0.1:0"}],
        "admin": admin_section,
        "state_dir": "state",
        "services": {"web": {
            "command": command or [harness.FLOTILLA, "demo-app", "--port", "$PORT",
                                   "--threads", "2"],
            "replicas": replicas,
            "ports": f"{first_port}-{first_port + ports - 1}",
            "probes": {"readiness": {"http": "/ready", "period": "250ms"}},
            "rollout": {"max_surge": 1, "max_unavailable": 0, "progress_deadline": "4s"},
            "restart": {"policy": "always", "delay": "300ms", "max_delay": "5s"},
            "stop": {"grace": "5s"},
        }},
        "upstreams": {"web": upstream_section},
        "routes": routes,
    }


class Ops:
    """A running `flotilla up` (supervision.Up) plus its gateway/admin ports and the CLI."""

    def __init__(self, config_dict=None, directory=None, files=None):
        """`config_dict`: the config (default: spec() on free ports); `directory`: where the
        config file, state and sockets live (default: a fresh one); `files`: {name: text} to
        write there first. With a directory and no config_dict, its flotilla.yaml is reused
        (a restart on the same state_dir)."""
        if directory is None:
            directory = tempfile.mkdtemp(prefix="flotilla-ops-")
        config_path = os.path.join(directory, "flotilla.yaml")
        if config_dict is None and os.path.exists(config_path):
            with open(config_path) as f:
                config_dict = json.load(f)
        if config_dict is None:
            config_dict = spec(supervision.free_port_range(10))
        self.config_dict = config_dict
        with open(config_path, "w") as f:
            json.dump(config_dict, f, indent=2)
        for name, text in (files or {}).items():
            with open(os.path.join(directory, name), "w") as f:
                f.write(text)
        self.up = supervision.Up(config_path=config_path, cwd=directory)
        self.dir = os.path.dirname(self.up.config_path)
        self.config_path = self.up.config_path
        try:
            self.port = self.up.wait_listening()
            m = self.up.process.wait_for_line(
                r"admin API, metrics and alerts on http://\S+:(\d+)/")
            self.admin_port = int(m.group(1))
            web = config_dict["services"]["web"]
            self.up.wait_ready("web", web.get("replicas", web.get("autoscale", {}).get("min", 1)))
        except BaseException:
            self.up.stop()  # a failed start must not leave flotilla and its instances behind
            raise

    def cli(self, *args, timeout=60.0, check=None):
        """Runs `flotilla ARGS -c CONFIG`; returns (exit status, stdout, stderr)."""
        argv = [harness.FLOTILLA, *args, "-c", self.config_path]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
        if check is not None and done.returncode != check:
            raise AssertionError(f"{argv} exited {done.returncode} (expected {check}):\n"
                                 f"stdout: {done.stdout}\nstderr: {done.stderr}\n"
                                 + self.up.process.output())
        return done.returncode, done.stdout, done.stderr

    def cli_json(self, *args, timeout=60.0, check=0):
        _, out, _ = self.cli(*args, "--json", timeout=timeout, check=check)
        return json.loads(out)

    def status(self):
        return self.cli_json("status")

    def api(self, path):
        """GET `path` of the admin TCP listener (reads need no token): the parsed JSON."""
        status, body = supervision.get_json(self.admin_port, path)
        if status != 200:
            raise AssertionError(f"GET {path} on the admin listener: {status} {body}")
        return body

    def web(self):
        """The `web` entry of `flotilla status --json`."""
        return next(s for s in self.status()["services"] if s["name"] == "web")

    def pids(self):
        """{instance key: pid} of web's live instances (not stopping)."""
        return {i["key"]: i["pid"] for i in self.web()["instances"]
                if i["state"] not in ("stopping", "stopped")}

    def wait_settled(self, replicas, timeout=20.0):
        """Waits until web runs exactly `replicas` ready instances of one revision and no
        rollout; returns the `web` status entry."""
        last = []

        def settled():
            web = self.web()
            last[:] = [web]
            instances = web["instances"]
            rollout = web["rollout"]
            if (rollout is None or rollout.get("finished")) and len(instances) == replicas \
                    and all(i["ready"] and i["state"] == "ready" for i in instances) \
                    and len({i["revision"] for i in instances}) == 1:
                return web
            return None
        try:
            return supervision.wait_until(settled, timeout, interval=0.1,
                                          what=f"web settled at {replicas} ready instances")
        except AssertionError as e:
            raise AssertionError(f"{e}; last status: {json.dumps(last)}") from None

    def write_config(self, text):
        """Atomically replaces the config file (a reload must never see half a file)."""
        tmp = self.config_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.config_path)

    def stop(self, *args, **kwargs):
        return self.up.stop(*args, **kwargs)

    def log(self):
        return self.up.log()


class Response:
    __slots__ = ("start", "end", "kind", "instance", "pid", "revision")

    def __init__(self, start, end, kind, instance=None, pid=None, revision=None):
        self.start, self.end, self.kind = start, end, kind
        self.instance, self.pid, self.revision = instance, pid, revision


class MixedLoad:
    """`threads` keep-alive clients, each alternating GET /api/hello and POST /api/echo (a random
    body that must come back byte for byte), paced to about `rate` requests/s in total, until
    stop() or `max_seconds`. Anything but a 200 with the right body is a failure.

    `slow_threads` more clients send GET /api/slow?ms=`slow_ms` back to back, so that every
    instance nearly always holds a request in flight when it is stopped or drained (quick
    requests alone leave it idle most of the time)."""

    def __init__(self, port, threads=4, rate=320, max_seconds=60.0, timeout=10.0,
                 slow_threads=0, slow_ms=200):
        self.port = port
        self.timeout = timeout
        self.interval = threads / float(rate)
        self.started = time.monotonic()
        self.stopped = None
        self.deadline = self.started + max_seconds
        self.responses = []
        self.failures = []
        self.failed = 0
        self.lock = threading.Lock()
        self.running = True
        self.slow_path = f"/api/slow?ms={slow_ms}"
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True)
                        for n in range(threads)]
        self.threads += [threading.Thread(target=self._run, args=(-1,), daemon=True)
                         for _ in range(slow_threads)]
        for t in self.threads:
            t.start()

    def _one(self, conn, n, rng):
        if n < 0:
            conn.request("GET", self.slow_path)
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 200 or b"slept_ms" not in body:
                raise AssertionError(f"GET {self.slow_path}: status {resp.status}: {body[:200]!r}")
            return resp, ("slow", None, None, None)
        if n % 2 == 0:
            conn.request("GET", "/api/hello")
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 200:
                raise AssertionError(f"GET /api/hello: status {resp.status}: {body[:200]!r}")
            doc = json.loads(body)
            if doc.get("message") != "hello":
                raise AssertionError(f"GET /api/hello: unexpected body {body[:200]!r}")
            return resp, ("hello", doc.get("instance"), doc.get("pid"), doc.get("revision"))
        payload = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 2048)))
        conn.request("POST", "/api/echo", body=payload,
                     headers={"Content-Type": "application/octet-stream"})
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise AssertionError(f"POST /api/echo: status {resp.status}: {body[:200]!r}")
        if body != payload:
            raise AssertionError(f"POST /api/echo: body of {len(body)} bytes differs from the "
                                 f"{len(payload)} sent")
        return resp, ("echo", None, None, None)

    def _run(self, thread_index):
        rng = random.Random(thread_index * 7919 + os.getpid())
        conn = None
        n = thread_index
        next_at = time.monotonic()
        while self.running and time.monotonic() < self.deadline:
            if thread_index >= 0:  # paced; slow clients are paced by the server
                pause = next_at - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                next_at = max(next_at + self.interval, time.monotonic() - 1.0)
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            start = time.monotonic()
            try:
                resp, (kind, instance, pid, revision) = self._one(conn, n, rng)
                with self.lock:
                    self.responses.append(Response(start, time.monotonic(), kind, instance, pid,
                                                   revision))
                if resp.getheader("connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except Exception as e:  # any error the client sees is a failed request
                with self.lock:
                    self.failed += 1
                    if len(self.failures) < 20:
                        self.failures.append(f"{start - self.started:.3f}s {type(e).__name__}: {e}")
                if conn is not None:
                    conn.close()
                conn = None
            if thread_index >= 0:
                n += 1
        if conn is not None:
            conn.close()

    def ok(self):
        with self.lock:
            return len(self.responses)

    def hellos(self, since=None):
        with self.lock:
            return [r for r in self.responses
                    if r.kind == "hello" and (since is None or r.start >= since)]

    def revisions(self):
        """{revision string: count} over the /api/hello answers."""
        out = {}
        for r in self.hellos():
            out[r.revision] = out.get(r.revision, 0) + 1
        return out

    def pids(self, since=None):
        return {r.pid for r in self.hellos(since)}

    def wait_count(self, count, timeout=15.0):
        supervision.wait_until(lambda: self.ok() >= count, timeout, what=f"{count} responses")

    def stop(self, timeout=15.0):
        self.running = False
        for t in self.threads:
            t.join(timeout)
        self.stopped = time.monotonic()
        return self.ok(), self.failed

    def summary(self):
        elapsed = (self.stopped or time.monotonic()) - self.started
        ok = self.ok()
        echoes = sum(1 for r in self.responses if r.kind == "echo")
        slow = sum(1 for r in self.responses if r.kind == "slow")
        return (f"{ok} ok ({ok - echoes - slow} GET, {echoes} POST, {slow} slow GET), "
                f"{self.failed} failed in "
                f"{elapsed:.1f}s ({(ok + self.failed) / max(elapsed, 0.001):.0f} req/s); "
                f"revisions {self.revisions()}")
