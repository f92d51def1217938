"""SIGKILL of one instance under a steady keep-alive GET load: the instance leaves rotation the
moment it dies, requests it held are retried elsewhere (0 failed requests), and flotilla restarts
it (a new pid, in its log and in the demo app's own answers).

Two loads run: quick /api/hello requests (whose answers say which pid served them) and slow ones
(/api/slow?ms=50) that keep every instance busy, so the kill surely lands on requests in flight
(with quick requests only, the victim is idle most of the time and nothing needs retrying)."""
import json
import os
import signal
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
            "ports": f"{first_port}-{first_port + 3}",  # one more than replicas: a rollout's surge
            "probes": {"readiness": {"http": "/ready", "period": "500ms"}},
            "restart": {"policy": "always", "delay": "300ms", "max_delay": "5s"},
            "stop": {"grace": "5s"},
        }},
        "upstreams": {"demo": {"service": "demo", "balance": "round_robin"}},
        "routes": [{"match": {"path": "/"}, "upstream": "demo",
                    "retry": {"on": ["error", "timeout", "http_502", "http_503"], "tries": 3}}],
    }, indent=2)


class KillUnderLoadTest(unittest.TestCase):
    def test_sigkill_under_load_loses_no_request_and_restarts(self):
        up = supervision.Up(config(supervision.free_port_range(4)))
        load = slow = None
        try:
            port = up.wait_listening()
            up.wait_ready("demo", 3)
            initial = dict(up.started())
            victim = initial.get("demo/1")
            self.assertIsNotNone(victim, up.log())

            load = supervision.Load(port, threads=3, max_seconds=40)
            slow = supervision.Load(port, path="/api/slow?ms=50", threads=6, max_seconds=40)
            supervision.wait_until(lambda: load.counts_by_pid().get(victim, 0) >= 20, 10,
                                   what="load reaching the victim")
            supervision.wait_until(lambda: slow.total() >= 18, 10, what="slow requests flowing")
            before = load.total()
            slow_before = slow.total()
            killed_at = time.monotonic()
            os.kill(victim, signal.SIGKILL)

            restarted = supervision.wait_until(
                lambda: (up.current_pid("demo/1") or victim) != victim
                and up.current_pid("demo/1"), 15, what="demo/1 restarted")
            restarted_after = time.monotonic() - killed_at
            # Back in rotation: the new process answers through the gateway.
            supervision.wait_until(lambda: load.counts_by_pid().get(restarted, 0) >= 5, 15,
                                   what=f"traffic reaching the restarted pid {restarted}")
            serving_after = time.monotonic() - killed_at
            ok, failed = load.stop()
            slow_ok, slow_failed = slow.stop()
            print(f"kill under load: hello {ok} ok, {failed} failed ({ok - before} after the "
                  f"kill); slow {slow_ok} ok, {slow_failed} failed ({slow_ok - slow_before} after "
                  f"the kill); new pid after {restarted_after:.2f}s, serving after "
                  f"{serving_after:.2f}s; per pid {load.counts_by_pid()}")
            self.assertEqual(failed, 0, f"failed requests: {load.failures}\n{up.log()}")
            self.assertEqual(slow_failed, 0, f"failed slow requests: {slow.failures}")
            self.assertGreater(ok - before, 100, "too little load after the kill to mean anything")
            self.assertTrue(up.lines_matching(r"demo/1: exited: killed by signal 9"), up.log())
            # It left rotation on its exit (not after a failed readiness probe), before the
            # restarted process was even spawned. (0 failures alone would not show that: the
            # gateway retries a GET whose connection broke on another endpoint anyway.)
            lines = list(up.process.lines)
            exited_at = next(i for i, line in enumerate(lines)
                             if "demo/1: exited: killed by signal 9" in line)
            ready_sets = [line for line in lines[:exited_at] if "instances ready" in line]
            self.assertIn("service demo: 2 of 3 instances ready", ready_sets[-1],
                          "the ready set published at the exit still had demo/1:\n" + up.log())
            respawned_at = next(i for i, line in enumerate(lines)
                                if f"demo/1: started pid {restarted}" in line)
            self.assertLess(exited_at, respawned_at)
            self.assertFalse(up.lines_matching(r"demo/1: not ready"), up.log())
            self.assertIsNone(supervision.proc_stat(victim), "the killed pid was not reaped")
            for key in ("demo/0", "demo/2"):
                self.assertEqual(up.current_pid(key), initial[key],
                                 f"{key} was restarted though only demo/1 was killed")
        finally:
            for running in (load, slow):
                if running:
                    running.stop()
            code = up.stop()
        self.assertEqual(code, 0, up.log())


if __name__ == "__main__":
    unittest.main(verbosity=2)
