"""Helpers for the supervisor's integration tests: `flotilla up` with services, free port ranges
for instances, a steady keep-alive GET load, and /proc scans for the processes a test started.

Everything is bounded in time; nothing here kills a process it did not start (flotilla is
stopped by its own PID; instances are only signalled by PIDs flotilla reported).
"""
import http.client
import json
import os
import random
import re
import signal
import socket
import tempfile
import threading
import time

import harness

# Instances bind fixed ports from a configured range: pick ranges in 20000-31999 (below the
# ephemeral range, so no client socket can hold them) and check every port is free first.
PORT_LOW = 20000
PORT_HIGH = 31999

_READY_RE = r"service {}: (\d+) of (\d+) instances ready"
_STARTED_RE = re.compile(r"(\S+/\d+): started pid (\d+)")


def port_free(port):
    s = socket.socket()
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def free_port_range(count, attempts=200):
    """`first` such that first..first+count-1 are all bindable now (a random start, so parallel
    tests rarely pick the same one)."""
    rng = random.Random(os.getpid() ^ int(time.time() * 1000))
    for _ in range(attempts):
        first = rng.randrange(PORT_LOW, PORT_HIGH - count)
        if all(port_free(p) for p in range(first, first + count)):
            return first
    raise AssertionError(f"no {count} consecutive free ports in {PORT_LOW}-{PORT_HIGH}")


def wait_until(predicate, timeout, interval=0.05, what="condition"):
    """Polls `predicate` until it returns a truthy value (returned) or `timeout` s pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class Up:
    """`flotilla up -c <config>` in a fresh directory (state and instance logs inside it).

    `config` is the text of flotilla.yaml (JSON is fine) or None with `config_path` pointing at
    an existing file. `cwd`: where flotilla runs (default: the fresh directory)."""

    def __init__(self, config=None, config_path=None, env=None, cwd=None, name="flotilla",
                 args=None):
        self.dir = tempfile.mkdtemp(prefix="flotilla-sup-")
        if config is not None:
            config_path = os.path.join(self.dir, "flotilla.yaml")
            with open(config_path, "w") as f:
                f.write(harness.with_test_admin(config))
        self.config_path = config_path
        full_env = dict(os.environ)
        full_env.update(env or {})
        argv = [harness.FLOTILLA, "up"]
        argv += args if args is not None else ["-c", config_path]
        self.process = harness.Process(argv, env=full_env, cwd=cwd or self.dir, name=name)
        self.port = None

    @property
    def pid(self):
        return self.process.pid

    def log(self):
        return "\n".join(self.process.lines)

    def wait_listening(self, timeout=15.0):
        m = self.process.wait_for_line(r"gateway listening on http://(\S+):(\d+)/", timeout)
        self.port = int(m.group(2))
        return self.port

    def wait_ready(self, service, count, timeout=20.0):
        """Waits until flotilla logs that `count` instances of `service` are ready."""
        pattern = re.compile(_READY_RE.format(re.escape(service)))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            matches = [pattern.search(line) for line in list(self.process.lines)]
            matches = [m for m in matches if m]
            if matches and int(matches[-1].group(1)) == count:
                return
            if self.process.proc.poll() is not None:
                raise AssertionError(f"flotilla exited ({self.process.proc.returncode}):\n"
                                     + self.process.output())
            time.sleep(0.05)
        raise AssertionError(f"{service}: {count} instances not ready within {timeout}s:\n"
                             + self.process.output())

    def started(self):
        """[(instance key, pid)] in the order flotilla started them."""
        out = []
        for line in list(self.process.lines):
            m = _STARTED_RE.search(line)
            if m:
                out.append((m.group(1), int(m.group(2))))
        return out

    def current_pid(self, key):
        pids = [pid for k, pid in self.started() if k == key]
        return pids[-1] if pids else None

    def lines_matching(self, pattern):
        regex = re.compile(pattern)
        return [line for line in list(self.process.lines) if regex.search(line)]

    def instance_log(self, service, index):
        path = os.path.join(self.state_dir(), "logs", f"{service}-{index}.log")
        try:
            with open(path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def state_dir(self):
        return os.path.join(os.path.dirname(self.config_path) if self.config_path else self.dir,
                            ".flotilla")

    def stop(self, sig=signal.SIGTERM, timeout=30.0):
        """SIGTERM (by PID), wait, SIGKILL as a last resort. Returns the exit status."""
        return self.process.stop(sig, timeout)


class Load:
    """`threads` keep-alive clients sending GET `path` to 127.0.0.1:`port` back to back until
    stop() or `max_seconds`. Counts successes and failures (anything but 200, or an exception)
    and what the demo app reports in each answer (instance, pid)."""

    def __init__(self, port, path="/api/hello", threads=4, max_seconds=60.0, timeout=10.0):
        self.port = port
        self.path = path
        self.timeout = timeout
        self.deadline = time.monotonic() + max_seconds
        self.ok = 0
        self.failed = 0
        self.failures = []
        self.seen = {}  # (instance, pid) -> count
        self.lock = threading.Lock()
        self.running = True
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]
        for t in self.threads:
            t.start()

    def _run(self):
        conn = None
        while self.running and time.monotonic() < self.deadline:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                conn.request("GET", self.path)
                resp = conn.getresponse()
                body = resp.read()
                if resp.status != 200:
                    raise AssertionError(f"status {resp.status}: {body[:200]!r}")
                key = None
                try:
                    doc = json.loads(body)
                    key = (doc.get("instance"), doc.get("pid"))
                except ValueError:
                    key = ("?", None)
                with self.lock:
                    self.ok += 1
                    self.seen[key] = self.seen.get(key, 0) + 1
                if resp.getheader("connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except Exception as e:  # any failure counts: the client saw an error
                with self.lock:
                    self.failed += 1
                    if len(self.failures) < 20:
                        self.failures.append(f"{time.monotonic():.3f} {type(e).__name__}: {e}")
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.01)
        if conn is not None:
            conn.close()

    def total(self):
        with self.lock:
            return self.ok + self.failed

    def counts_by_pid(self):
        with self.lock:
            out = {}
            for (_, pid), n in self.seen.items():
                out[pid] = out.get(pid, 0) + n
            return out

    def snapshot(self):
        with self.lock:
            return self.ok, self.failed, dict(self.seen)

    def stop(self, timeout=15.0):
        self.running = False
        for t in self.threads:
            t.join(timeout)
        return self.ok, self.failed


def get_json(port, path, timeout=5.0):
    status, _, body = harness.request(port, "GET", path, timeout=timeout)
    return status, json.loads(body) if body else None


def proc_environ_has(pid, marker):
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            return marker.encode() in f.read()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False


def proc_stat(pid):
    """(state, ppid, pgid) from /proc/PID/stat, or None when gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat[stat.rfind(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[2])


def pids_with_marker(marker):
    """Live processes (zombies excluded: their environ is empty anyway) whose environment
    contains `marker` (e.g. "FLOTILLA_TEST_MARK=abc123")."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        pid = int(name)
        if proc_environ_has(pid, marker):
            st = proc_stat(pid)
            if st and st[0] != "Z":
                out.append(pid)
    return sorted(out)


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except (FileNotFoundError, ProcessLookupError):
        return None


def cgroup_v1_dir(pid, controller):
    """The directory of `pid`'s cgroup in the v1 hierarchy of `controller`, or None."""
    mounts = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            before, _, after = line.partition(" - ")
            fields, tail = before.split(), after.split()
            if len(tail) >= 3 and tail[0] == "cgroup":
                for option in tail[2].split(","):
                    mounts[option] = (fields[4], fields[3])  # mount point, root
    try:
        with open(f"/proc/{pid}/cgroup") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return None
    for line in lines:
        _, names, path = line.split(":", 2)
        if controller in names.split(",") and controller in mounts:
            mount, root = mounts[controller]
            if root != "/" and path.startswith(root):
                path = path[len(root):]
            return mount + path
    return None


def proc_uid(pid):
    """(real, effective) uid of a process from /proc/PID/status."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Uid:"):
                fields = line.split()
                return int(fields[1]), int(fields[2])
    return None


def children_of(pid):
    """Direct children (by ppid) of `pid`, from /proc."""
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = proc_stat(int(name))
            if st and st[1] == pid:
                out.append(int(name))
    return out


def unique_marker(prefix="FLOTILLA_TEST_MARK"):
    return f"{prefix}={os.getpid()}-{random.randrange(1 << 30):x}"


def wait_marked_gone(marker, timeout=3.0):
    """Waits (bounded) for every process carrying `marker` to be gone; returns those left. A
    SIGKILLed process disappears within milliseconds, the wait only absorbs that."""
    deadline = time.monotonic() + timeout
    while True:
        left = pids_with_marker(marker)
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.05)


def kill_marked(marker):
    """Last-resort cleanup: SIGKILLs the processes this test started (identified by the unique
    marker in their environment) that flotilla failed to stop. Returns their pids."""
    pids = pids_with_marker(marker)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return pids
