"""Kubernetes probe semantics with real demo-app instances under a steady GET load:
- a readiness failure (/admin/unready) takes the instance out of rotation without restarting it
  (same pid, no request reaches it), and it comes back when ready again;
- a liveness failure (/admin/unhealthy) restarts the instance (new pid, the old one is gone).
"""
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
import supervision  # noqa: E402


def config(first_port):
    return json.dumps({
        "workers": 2,
        "listen": [{"address": "127.0.0.1:0"}],
        "services": {"demo": {
            "command": [harness.FLOTILLA, "demo-app", "--port", "$PORT", "--threads", "1"],
            "replicas": 3,
            "ports": f"{first_port}-{first_port + 3}",
            "probes": {
                "readiness": {"http": "/ready", "period": "200ms", "failure_threshold": 1},
                "liveness": {"http": "/health", "period": "200ms", "failure_threshold": 2},
            },
            "restart": {"policy": "always", "delay": "200ms"},
            "stop": {"grace": "3s"},
        }},
        "upstreams": {"demo": {"service": "demo", "balance": "round_robin"}},
        "routes": [{"match": {"path": "/"}, "upstream": "demo",
                    "retry": {"on": ["error", "timeout", "http_502", "http_503"], "tries": 3}}],
    }, indent=2)


def ready_count_lines(up):
    return len(up.lines_matching(r"service demo: \d+ of 3 instances ready"))


class ProbesTest(unittest.TestCase):
    def test_readiness_moves_traffic_and_liveness_restarts(self):
        first = supervision.free_port_range(4)
        up = supervision.Up(config(first))
        load = None
        try:
            port = up.wait_listening()
            up.wait_ready("demo", 3)
            pids = dict(up.started())
            load = supervision.Load(port, threads=3, max_seconds=60)
            supervision.wait_until(lambda: len(load.counts_by_pid()) == 3, 10,
                                   what="load reaching all 3 instances")

            # --- readiness: demo/0 leaves rotation, keeps running.
            unready_pid = pids["demo/0"]
            status, _ = supervision.get_json(first, "/admin/unready")
            self.assertEqual(status, 200)
            up.wait_ready("demo", 2, timeout=10)
            self.assertTrue(up.lines_matching(r"demo/0: not ready: readiness probe failed"))
            # Requests already routed may still finish: count from a moment after the change.
            time.sleep(0.3)
            during_before = load.counts_by_pid().get(unready_pid, 0)
            total_before = load.total()
            supervision.wait_until(lambda: load.total() - total_before >= 300, 20,
                                   what="300 requests while demo/0 is unready")
            reached = load.counts_by_pid().get(unready_pid, 0) - during_before
            self.assertEqual(reached, 0, f"{reached} requests reached the unready instance")
            self.assertEqual(up.current_pid("demo/0"), unready_pid, "readiness failure restarted")
            self.assertIsNotNone(supervision.proc_stat(unready_pid))

            status, _ = supervision.get_json(first, "/admin/ready")
            self.assertEqual(status, 200)
            up.wait_ready("demo", 3, timeout=10)
            back = load.counts_by_pid().get(unready_pid, 0)
            supervision.wait_until(lambda: load.counts_by_pid().get(unready_pid, 0) > back + 5,
                                   10, what="traffic returning to demo/0")
            readiness_failed = load.failed

            # --- liveness: demo/1 is restarted.
            sick_pid = pids["demo/1"]
            t0 = time.monotonic()
            status, _ = supervision.get_json(first + 1, "/admin/unhealthy")
            self.assertEqual(status, 200)
            new_pid = supervision.wait_until(
                lambda: (up.current_pid("demo/1") or sick_pid) != sick_pid
                and up.current_pid("demo/1"), 15, what="demo/1 restarted by liveness")
            restart_s = time.monotonic() - t0
            up.wait_ready("demo", 3, timeout=15)
            supervision.wait_until(lambda: load.counts_by_pid().get(new_pid, 0) >= 5, 10,
                                   what="traffic reaching the restarted demo/1")
            ok, failed = load.stop()
            print(f"probes: readiness phase 0 requests to the unready pid over 300, "
                  f"liveness restart (new pid) after {restart_s:.2f}s; load {ok} ok, "
                  f"{failed} failed")
            self.assertTrue(up.lines_matching(r"demo/1: liveness probe failed"), up.log())
            self.assertTrue(up.lines_matching(r"demo/1: liveness probe failed 2 times .*: "
                                              r"restarting"), up.log())
            supervision.wait_until(lambda: supervision.proc_stat(sick_pid) is None, 5,
                                   what="the old demo/1 process to be gone")
            self.assertEqual(readiness_failed, 0, load.failures)
            # The instance leaves rotation before its stop signal: nothing is lost either.
            self.assertEqual(failed, 0, f"{load.failures}\n{up.log()}")
            self.assertEqual(up.current_pid("demo/2"), pids["demo/2"])
        finally:
            if load:
                load.stop()
            code = up.stop()
        self.assertEqual(code, 0, up.log())


if __name__ == "__main__":
    unittest.main(verbosity=2)
