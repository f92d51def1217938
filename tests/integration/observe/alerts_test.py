"""The four default alert rules end to end, with windows and `for` shrunk to seconds: `flotilla up`
runs the demo app as two services (web behind the gateway, hog with a memory limit), a scenario
drives each rule, and /api/v1/alerts must show it go pending -> firing -> resolved (inactive
again) and /api/v1/status list it while firing; a real Alertmanager, run here on loopback, must
receive what fired. After all of it (2xx, 5xx, retries on a dead server, restarts)
`promtool check metrics` must find nothing in a scrape that has the instance families too.

Scenarios: HighErrorRate = /api/status/500 through the gateway; HighResponseTime = /api/slow?ms=2500
through the gateway (nothing fast at the same time, or p95 would not move); HighMemoryUsage =
/api/alloc on hog, straight to its port, in steps until its usage is above 91 % of the limit (the
last step stays well inside it); InstanceCrashLooping = /api/crash on hog, which also resets its
memory (the memory alert resolves): one restart is no crash loop (the rule stays inactive), three
in the window are, and the alert resolves once they leave the window; its value is a whole count.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
import supervision  # noqa: E402

ALERTMANAGER = "/usr/bin/prometheus-alertmanager"
HOG_LIMIT_MIB = 96
RULES = ("HighErrorRate", "HighResponseTime", "InstanceCrashLooping", "HighMemoryUsage")
PHASE_TIMEOUT_S = 25.0


def config(web_port, hog_port, dead_port, admin_port, am_port):
    demo = [harness.FLOTILLA, "demo-app", "--port", "$PORT", "--threads", "4"]
    doc = {
        "workers": 2,
        "listen": [{"address": "127.0.0.1:0"}],
        "admin": {"listen": f"127.0.0.1:{admin_port}"},
        "services": {
            "web": {"command": demo, "replicas": 2, "ports": f"{web_port}-{web_port + 3}",
                    "restart": {"policy": "always", "delay": "200ms"}},
            "hog": {"command": demo, "replicas": 1, "ports": f"{hog_port}-{hog_port + 1}",
                    "resources": {"memory": f"{HOG_LIMIT_MIB}Mi"},
                    "restart": {"policy": "always", "delay": "200ms"}},
        },
        "upstreams": {
            "web": {"service": "web"},
            # A dead static server first: every request is retried on the live one.
            "mixed": {"servers": [f"127.0.0.1:{dead_port}", f"127.0.0.1:{web_port}"],
                      "max_fails": 0},
        },
        "routes": [
            {"match": {"path": "/api/hello"}, "upstream": "mixed",
             "retry": {"on": ["error"], "tries": 2}},
            {"match": {"path": "/"}, "upstream": "web"},
        ],
        "alerts": {"evaluation_interval": "1s",
                   "defaults": {"window": "4s", "restart_window": "20s", "for": "2s"}},
        "alertmanager": {"url": f"http://127.0.0.1:{am_port}"},
    }
    return json.dumps(doc, indent=2)


def get(port, path, timeout=5.0):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as resp:
        return resp.read().decode()


class StateRecorder:
    """Polls /api/v1/alerts every 100 ms; keeps, per rule, the sequence of distinct states seen,
    and every alert name the Alertmanager lists (polled alongside)."""

    def __init__(self, admin_port, am_port):
        self.admin_port = admin_port
        self.am_port = am_port
        self.states = {name: [] for name in RULES}
        self.values = {name: [] for name in RULES}
        self.received = set()
        self.in_status = set()  # (name, state) seen in /api/v1/status
        self.timeline = []  # (seconds since start, rule, state)
        self.t0 = time.monotonic()
        self.errors = []
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        deadline = time.monotonic() + 170
        while self.running and time.monotonic() < deadline:
            try:
                doc = json.loads(get(self.admin_port, "/api/v1/alerts"))
                with self.lock:
                    for rule in doc["rules"]:
                        seq = self.states.get(rule["name"])
                        if seq is not None and (not seq or seq[-1] != rule["state"]):
                            seq.append(rule["state"])
                            self.timeline.append((round(time.monotonic() - self.t0, 1),
                                                  rule["name"], rule["state"]))
                    for alert in doc["alerts"]:
                        if alert["name"] in self.values and alert["state"] == "firing":
                            self.values[alert["name"]].append(float(alert["value"]))
                status = json.loads(get(self.admin_port, "/api/v1/status"))
                with self.lock:
                    self.in_status.update((a["name"], a["state"]) for a in status["alerts"])
                am = json.loads(get(self.am_port, "/api/v2/alerts"))
                with self.lock:
                    self.received.update(a["labels"].get("alertname") for a in am)
            except (OSError, ValueError, KeyError) as e:
                with self.lock:
                    if len(self.errors) < 20:
                        self.errors.append(repr(e))
            time.sleep(0.1)

    def sequence(self, name):
        with self.lock:
            return list(self.states[name])

    def stop(self):
        self.running = False
        self.thread.join(10)


def went_through(seq):
    """True when `seq` contains pending, then firing, then inactive, in that order."""
    want = ["pending", "firing", "inactive"]
    i = 0
    for state in seq:
        if i < len(want) and state == want[i]:
            i += 1
    return i == len(want)


def instance_memory(admin_port, service):
    """(memory bytes, limit bytes) of `service`/0 from /metrics, or None."""
    text = get(admin_port, "/metrics")
    mem = limit = None
    for line in text.splitlines():
        if f'service="{service}"' not in line or line.startswith("#"):
            continue
        if line.startswith("flotilla_instance_memory_bytes{"):
            mem = float(line.rsplit(" ", 1)[1])
        elif line.startswith("flotilla_instance_memory_limit_bytes{"):
            limit = float(line.rsplit(" ", 1)[1])
    return (mem, limit) if mem is not None and limit else None


class AlertsTest(unittest.TestCase):
    def test_default_rules_fire_and_resolve(self):
        harness.require_tools(ALERTMANAGER, "promtool")
        first = supervision.free_port_range(6)
        web_port, hog_port = first, first + 4
        dead_port, admin_port, am_port = (harness.free_port() for _ in range(3))
        work = tempfile.mkdtemp(prefix="flotilla-alerts-")
        with open(os.path.join(work, "alertmanager.yml"), "w") as f:
            f.write("route: { receiver: 'void' }\nreceivers: [ { name: 'void' } ]\n")
        with harness.Cleanup() as cleanup:
            am = cleanup.add(harness.Process(
                [ALERTMANAGER, f"--web.listen-address=127.0.0.1:{am_port}",
                 "--cluster.listen-address=", f"--storage.path={work}/am",
                 f"--config.file={work}/alertmanager.yml"], name="alertmanager"))
            up = cleanup.add(supervision.Up(config(web_port, hog_port, dead_port, admin_port,
                                                   am_port)))
            # Without a cgroup v1 memory controller the limit is an RLIMIT_AS, which the
            # address space (not the RSS) hits first: HighMemoryUsage is then not exercised.
            m = up.process.wait_for_line(r"cgroup v1 controllers: ([^;]*);", 10)
            memory_cgroup = "memory" in m.group(1).split(", ")
            rules = RULES if memory_cgroup else tuple(r for r in RULES if r != "HighMemoryUsage")
            port = up.wait_listening()
            up.wait_ready("web", 2)
            up.wait_ready("hog", 1)
            supervision.wait_until(lambda: self._answers(am_port) or am.proc.poll() is not None,
                                   15, 0.2, "alertmanager")
            self.assertIsNone(am.proc.poll(), am.output())
            recorder = cleanup.add(StateRecorder(admin_port, am_port))
            started = time.monotonic()
            timings = {}

            # 2xx and retries (the dead server first in `mixed`).
            for _ in range(10):
                self.assertEqual(harness.request(port, path="/api/hello")[0], 200)

            # HighMemoryUsage and InstanceCrashLooping, on hog, in a thread; the gateway
            # scenarios meanwhile in this one.
            hog_result = {}
            hog = threading.Thread(target=self._hog_scenario,
                                   args=(admin_port, hog_port, recorder, hog_result, timings,
                                         memory_cgroup))
            hog.start()
            try:
                t0 = time.monotonic()
                self._drive_until(recorder, "HighErrorRate", "firing",
                                  lambda: harness.request(port, path="/api/status/500"))
                self._wait_state(recorder, "HighErrorRate", "inactive")
                timings["HighErrorRate"] = time.monotonic() - t0

                t0 = time.monotonic()
                timings["slow_start"] = t0 - recorder.t0
                slow = supervision.Load(port, path="/api/slow?ms=2500", threads=4,
                                        max_seconds=PHASE_TIMEOUT_S, timeout=20)
                try:
                    self._wait_state(recorder, "HighResponseTime", "firing")
                finally:
                    slow_ok, slow_failed = slow.stop(30)
                    timings["slow_stopped"] = time.monotonic() - recorder.t0
                self.assertEqual(slow_failed, 0, slow.failures)
                self.assertGreater(slow_ok, 0)
                self._wait_state(recorder, "HighResponseTime", "inactive")
                timings["HighResponseTime"] = time.monotonic() - t0
            finally:
                hog.join(3 * PHASE_TIMEOUT_S)
            self.assertNotIn("error", hog_result,
                             f"{hog_result.get('error')}\n{up.process.output()}")

            recorder.stop()
            for name in rules:
                self.assertTrue(went_through(recorder.sequence(name)),
                                f"{name}: {recorder.sequence(name)}; poll errors "
                                f"{recorder.errors}\n{up.process.output()}")
            self.assertLessEqual({(name, "firing") for name in rules}, recorder.in_status,
                                 "every firing alert shows in /api/v1/status")
            self.assertTrue(set(RULES) & recorder.received,
                            f"alertmanager got {recorder.received}:\n{am.output()}")
            memory_ratio = max(recorder.values["HighMemoryUsage"], default=0)
            if memory_cgroup:
                self.assertGreater(memory_ratio, 0.9)
                self.assertLess(memory_ratio, 1.0)
            else:
                print("\nno cgroup v1 memory controller: HighMemoryUsage not exercised",
                      file=sys.stderr)
            self.assertGreater(max(recorder.values["HighResponseTime"]), 2)
            self.assertGreater(max(recorder.values["HighErrorRate"]), 0.1)
            loops = recorder.values["InstanceCrashLooping"]
            self.assertTrue(loops and all(v == int(v) and v >= 3 for v in loops), loops)

            # Every kind of traffic has happened (2xx, 5xx, retries, restarts): the scrape,
            # instance families included, is clean.
            text = get(admin_port, "/metrics")
            self.assertIn('flotilla_instance_restarts_total{', text)
            self.assertIn('flotilla_retries_total{', text)
            check = subprocess.run(["promtool", "check", "metrics"], input=text, text=True,
                                   capture_output=True, timeout=30)
            self.assertEqual((check.returncode, check.stdout + check.stderr), (0, ""), text)
            print(f"\nphases (s): { {k: round(v, 1) for k, v in timings.items()} }; "
                  f"total {time.monotonic() - started:.1f}; peak memory ratio "
                  f"{memory_ratio:.3f}; alertmanager received {sorted(recorder.received)}; "
                  f"timeline {recorder.timeline}",
                  file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)

    @staticmethod
    def _answers(am_port):
        try:
            get(am_port, "/api/v2/status", timeout=1)
            return True
        except OSError:
            return False

    def _hog_scenario(self, admin_port, hog_port, recorder, result, timings, memory_cgroup):
        try:
            t0 = time.monotonic()
            limit = HOG_LIMIT_MIB << 20
            # Steps of 4 MiB, then of 1 MiB past 85 %, until above 91 %: never near the limit.
            for _ in range(HOG_LIMIT_MIB if memory_cgroup else 0):
                usage = instance_memory(admin_port, "hog")
                assert usage is not None, "no memory series for hog"
                if usage[0] > 0.91 * limit:
                    break
                step = 4 if usage[0] < 0.85 * limit else 1
                status, _, body = harness.request(hog_port, path=f"/api/alloc?mb={step}")
                assert status == 200, body
                time.sleep(0.1)
            if memory_cgroup:
                self._wait_state(recorder, "HighMemoryUsage", "firing")
                timings["HighMemoryUsage"] = time.monotonic() - t0
            t0 = time.monotonic()
            self._crash_hog(admin_port, hog_port)
            if memory_cgroup:
                self._wait_state(recorder, "HighMemoryUsage", "inactive")
            # One restart is not a crash loop: the rule stays quiet past its `for`.
            time.sleep(4)
            assert "firing" not in recorder.sequence("InstanceCrashLooping"), \
                f"one restart fired InstanceCrashLooping: {recorder.sequence('InstanceCrashLooping')}"
            for _ in range(2):
                self._crash_hog(admin_port, hog_port)
            self._wait_state(recorder, "InstanceCrashLooping", "firing")
            self._wait_state(recorder, "InstanceCrashLooping", "inactive")
            timings["InstanceCrashLooping"] = time.monotonic() - t0
        except BaseException as e:  # reported by the main thread
            result["error"] = f"{type(e).__name__}: {e}"

    @staticmethod
    def _crash_hog(admin_port, hog_port):
        """/api/crash on hog until it restarted once more (a request that lands while the
        restarted process is not listening yet is refused: sent again), then waits until it
        answers again."""
        def hog():
            doc = json.loads(get(admin_port, "/api/v1/instances"))
            return next(i for i in doc["instances"] if i["key"] == "hog/0")
        restarts = hog()["restarts"]
        deadline = time.monotonic() + PHASE_TIMEOUT_S
        while hog()["restarts"] == restarts:
            assert time.monotonic() < deadline, "hog/0 never restarted after /api/crash"
            try:
                harness.request(hog_port, path="/api/crash", timeout=3)
            except OSError:
                pass  # the connection dies with the process (or nothing listens yet)
            try:
                supervision.wait_until(lambda: hog()["restarts"] > restarts, 2, 0.05)
            except AssertionError:
                pass
        supervision.wait_until(lambda: hog()["state"] in ("running", "ready"), PHASE_TIMEOUT_S,
                               0.05, "hog/0 serving again")

    def _wait_state(self, recorder, name, state):
        supervision.wait_until(lambda: recorder.sequence(name)[-1:] == [state], PHASE_TIMEOUT_S,
                               0.1, f"{name} {state} (seen {recorder.sequence(name)})")

    def _drive_until(self, recorder, name, state, send):
        deadline = time.monotonic() + PHASE_TIMEOUT_S
        while recorder.sequence(name)[-1:] != [state]:
            self.assertLess(time.monotonic(), deadline, f"{name}: {recorder.sequence(name)}")
            send()
            time.sleep(0.05)


if __name__ == "__main__":
    unittest.main(verbosity=2)
