"""Shared helpers for flotilla's integration tests: start the real binary, the demo app and
other peers on loopback, wait for them, talk to them, and always clean up what was started.

Every process is started by the test and killed by PID; every wait is bounded.
"""
import ctypes
import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

FLOTILLA = os.environ.get("FLOTILLA", "build/flotilla")
SOURCE_DIR = os.environ.get("SOURCE_DIR", os.getcwd())
BUILD_DIR = os.environ.get("BUILD_DIR", os.path.join(SOURCE_DIR, "build"))

_LISTEN_RE = re.compile(r"listening on (\S+):(\d+)")

_LIBC = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1


def _die_with_the_test():
    """In the child before exec: SIGKILL when the test process dies, even by SIGKILL (a ctest
    timeout), so no backend of a crashed test outlives it. The signal follows the thread that
    forked, so only children of the main thread (every process the tests start) get it."""
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class Process:
    """A child process whose output is collected by a thread (pipes never fill up)."""

    def __init__(self, argv, env=None, cwd=None, name=None):
        self.name = name or os.path.basename(argv[0])
        self.lines = []
        self._queue = queue.Queue()
        main = threading.current_thread() is threading.main_thread()
        self.proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=env, cwd=cwd, text=True, errors="replace",
            preexec_fn=_die_with_the_test if main else None)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            self._queue.put(line)
        self._queue.put(None)

    @property
    def pid(self):
        return self.proc.pid

    def wait_for_line(self, pattern, timeout=15.0):
        """Returns the match of the first new output line matching `pattern`."""
        regex = re.compile(pattern)
        for line in self.lines:
            m = regex.search(line)
            if m:
                return m
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                raise AssertionError(f"{self.name} exited ({self.proc.poll()}) before printing "
                                     f"/{pattern}/; output:\n" + self.output())
            m = regex.search(line)
            if m:
                return m
        raise AssertionError(f"{self.name} did not print /{pattern}/ in {timeout}s; output:\n"
                             + self.output())

    def output(self):
        return "\n".join(self.lines[-200:])

    def send_signal(self, sig):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        """Sends `sig`, waits, then SIGKILL. Returns the exit status."""
        if self.proc.poll() is None:
            self.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._reader.join(timeout=5)  # EOF follows the exit (unless a grandchild holds the pipe)
        if not self._reader.is_alive() and not self.proc.stdout.closed:
            self.proc.stdout.close()
        return self.proc.returncode

    def rss_kib(self):
        return self.status_kib("VmRSS")

    def status_kib(self, field):
        """A `kB` field of /proc/PID/status (VmRSS, VmHWM...)."""
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0


class Demo:
    """`flotilla demo-app` on a free port."""

    def __init__(self, env=None, threads=2, port=0):
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.process = Process([FLOTILLA, "demo-app", "--port", str(port), "--threads", str(threads)],
                               env=full_env, name="demo-app")
        m = self.process.wait_for_line(r"demo-app listening on (\S+):(\d+)")
        self.port = int(m.group(2))
        self.address = f"127.0.0.1:{self.port}"

    def stop(self, sig=signal.SIGTERM):
        return self.process.stop(sig)


def with_test_admin(config_text):
    """Tests run side by side: unless a config says where its admin API listens, put it on a
    free port instead of the default 127.0.0.1:9090."""
    try:  # configs built as JSON (a YAML subset)
        document = json.loads(config_text)
        document.setdefault("admin", {"listen": "127.0.0.1:0"})
        return json.dumps(document, indent=1)
    except ValueError:
        pass
    if re.search(r"^admin:", config_text, re.M):
        return config_text
    return config_text.rstrip("\n") + '\nadmin:\n  listen: "127.0.0.1:0"\n'


class Flotilla:
    """`flotilla up -c <generated config>`; `port` is the first listener's real port."""

    def __init__(self, config_text, name="flotilla"):
        self.dir = tempfile.mkdtemp(prefix="flotilla-test-")
        self.config = os.path.join(self.dir, "flotilla.yaml")
        with open(self.config, "w") as f:
            f.write(with_test_admin(config_text))
        self.process = Process([FLOTILLA, "up", "-c", self.config], name=name)
        m = self.process.wait_for_line(r"gateway listening on (\S+):(\d+)")
        self.port = int(m.group(2))

    def stop(self, sig=signal.SIGTERM, timeout=35.0):
        return self.process.stop(sig, timeout)

    def admin_port(self, timeout=15.0):
        """The admin listener's real port (printed after every gateway listener)."""
        m = self.process.wait_for_line(r"admin API, metrics and alerts on http://\S+:(\d+)/",
                                       timeout)
        return int(m.group(1))

    def listeners(self):
        """[(scheme, port)] of every gateway listener, in config order."""
        self.admin_port()
        found = []
        for line in list(self.process.lines):
            m = _LISTENER_RE.search(line)
            if m:
                found.append((m.group(1), int(m.group(2))))
        return found

    def cli(self, *args, timeout=30.0):
        """Runs `flotilla ARGS -c CONFIG` (reaching this instance through its admin socket);
        returns (exit status, stdout, stderr)."""
        done = subprocess.run([FLOTILLA, *args, "-c", self.config], capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        return done.returncode, done.stdout, done.stderr

    def metrics(self, timeout=5.0):
        """The admin listener's /metrics as {(name, ((label, value), ...)): value}."""
        return scrape_metrics(self.admin_port(), timeout)


_LISTENER_RE = re.compile(r"gateway listening on (https?)://\S+:(\d+)/")
_SAMPLE_RE = re.compile(r'^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})? (\S+)$')
_LABEL_RE = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"')


def scrape_metrics(port, timeout=5.0):
    """GET /metrics on 127.0.0.1:PORT parsed: {(name, ((label, value), ...)): value}, labels
    sorted by name."""
    status, _, body = request(port, path="/metrics", timeout=timeout)
    if status != 200:
        raise AssertionError(f"GET /metrics: {status} {body[:200]!r}")
    samples = {}
    for line in body.decode().splitlines():
        m = _SAMPLE_RE.match(line)
        if not m:
            continue
        labels = tuple(sorted(_LABEL_RE.findall(m.group(2) or "")))
        samples[(m.group(1), labels)] = float(m.group(3))
    return samples


def metric(samples, name, **labels):
    """The sum of `name`'s samples whose labels include `labels` (0 when there is none)."""
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= set(ls))


class Cleanup:
    """Context manager that stops everything registered, in reverse order."""

    def __init__(self):
        self.items = []

    def add(self, item):
        self.items.append(item)
        return item

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for item in reversed(self.items):
            try:
                item.stop(signal.SIGKILL) if isinstance(item, Demo) else item.stop()
            except Exception:
                pass
        return False


def request(port, method="GET", path="/", headers=None, body=None, timeout=10.0):
    """One request on a new connection: returns (status, headers dict lowercased, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


def raw_exchange(port, payload, timeout=5.0, read_until_close=True):
    """Sends raw bytes, returns everything read until the peer closes (or timeout)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(payload)
        chunks = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                data = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                break
            if not data:
                break
            chunks.append(data)
            if not read_until_close:
                break
        return b"".join(chunks)


def status_of(raw):
    m = re.match(rb"HTTP/1\.[01] (\d{3})", raw)
    return int(m.group(1)) if m else None


def gateway_config(upstreams, routes, listener=None, workers=2):
    """A flotilla config from plain dicts, written as JSON (a subset of YAML).

    `upstreams`: {name: {...}}; `routes`: [{"match": {...}, "upstream": name, ...}];
    `listener`: extra keys of the one listener on 127.0.0.1:0.
    """
    import json
    listen = {"address": "127.0.0.1:0"}
    listen.update(listener or {})
    return json.dumps({"workers": workers, "listen": [listen], "upstreams": upstreams,
                       "routes": routes}, indent=2)


def require_tools(*tools):
    """Fails the calling test when a tool that scripts/install-deps.sh installs is missing: a test
    that skipped itself would let CI pass without testing anything."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    assert not missing, f"not installed: {', '.join(missing)} (run scripts/install-deps.sh)"


def free_port():
    """A port nothing listens on (bound, noted, closed)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def hello_instance(conn):
    """GET /api/hello on an http.client connection; returns (status, instance or None)."""
    import json
    conn.request("GET", "/api/hello")
    resp = conn.getresponse()
    body = resp.read()
    if resp.status != 200:
        return resp.status, None
    return resp.status, json.loads(body)["instance"]
