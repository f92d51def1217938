"""examples/ai-navigator with real uvicorn processes: flotilla brings up the 4 FastAPI instances,
serves /health and the API, survives a SIGKILL of one instance under a steady GET load with 0
failed requests (and restarts it), and leaves no uvicorn process behind after SIGTERM.

The example is copied to a temporary directory (its state dir and logs go there, not into the
source tree); the listener and instance ports are moved through the example's own
${AI_NAVIGATOR_LISTEN} / ${AI_NAVIGATOR_PORTS} variables."""
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
import supervision  # noqa: E402

EXAMPLE = os.path.join(harness.SOURCE_DIR, "examples", "ai-navigator")


def have_fastapi():
    import subprocess
    return subprocess.run(["/usr/bin/python3", "-c", "import fastapi, uvicorn"],
                          capture_output=True).returncode == 0


class AiNavigatorTest(unittest.TestCase):
    def test_four_uvicorn_instances_survive_a_kill_and_stop_cleanly(self):
        self.assertTrue(have_fastapi(), "python3-fastapi / python3-uvicorn are not installed "
                                        "(scripts/install-deps.sh installs them)")
        work = tempfile.mkdtemp(prefix="flotilla-ai-navigator-")
        for name in ("flotilla.yaml", "app.py"):
            shutil.copy(os.path.join(EXAMPLE, name), work)
        first = supervision.free_port_range(5)
        marker = supervision.unique_marker()
        name, value = marker.split("=", 1)
        # The marker reaches every uvicorn through flotilla's own environment (inherited).
        env = {"AI_NAVIGATOR_LISTEN": "127.0.0.1:0", "AI_NAVIGATOR_ADMIN": "127.0.0.1:0",
               "AI_NAVIGATOR_PORTS": f"{first}-{first + 4}", name: value}
        up = supervision.Up(config_path=os.path.join(work, "flotilla.yaml"), env=env, cwd=work)
        load = slow = None
        stopped = False
        try:
            port = up.wait_listening()
            up.wait_ready("web", 4, timeout=60)
            pids = dict(up.started())
            self.assertEqual(sorted(pids), ["web/0", "web/1", "web/2", "web/3"])

            status, doc = supervision.get_json(port, "/health")
            self.assertEqual((status, doc), (200, {"status": "healthy",
                                                   "service": "AI Navigation Assistant"}))
            status, _, body = harness.request(port, "GET", "/healthz")  # flotilla's own
            self.assertEqual(status, 200, body)
            status, _, body = harness.request(
                port, "POST", "/api/navigate", headers={"content-type": "application/json"},
                body=json.dumps({"origin": "harbor", "destination": "airport"}))
            self.assertEqual(status, 200, body)
            route = json.loads(body)
            self.assertEqual((route["path"][0], route["path"][-1]), ("harbor", "airport"))

            # Quick requests, plus slow ones (50 ms of "model latency") that keep every instance
            # busy so the kill lands on requests in flight.
            load = supervision.Load(port, path="/api/routes", threads=3, max_seconds=60)
            slow = supervision.Load(port, path="/api/suggest?origin=harbor", threads=6,
                                    max_seconds=60)
            victim = pids["web/2"]
            supervision.wait_until(lambda: load.counts_by_pid().get(victim, 0) >= 10, 15,
                                   what="load reaching web/2")
            supervision.wait_until(lambda: slow.counts_by_pid().get(victim, 0) >= 3, 15,
                                   what="slow requests reaching web/2")
            before = load.total()
            t0 = time.monotonic()
            os.kill(victim, signal.SIGKILL)
            new_pid = supervision.wait_until(
                lambda: (up.current_pid("web/2") or victim) != victim
                and up.current_pid("web/2"), 20, what="web/2 restarted")
            supervision.wait_until(lambda: load.counts_by_pid().get(new_pid, 0) >= 5, 30,
                                   what="traffic reaching the restarted uvicorn")
            back_s = time.monotonic() - t0
            ok, failed = load.stop()
            slow_ok, slow_failed = slow.stop()
            print(f"ai-navigator: quick {ok} ok, {failed} failed ({ok - before} after the kill); "
                  f"slow {slow_ok} ok, {slow_failed} failed; web/2 back in rotation "
                  f"{back_s:.2f}s after SIGKILL; per pid {load.counts_by_pid()}")
            self.assertEqual(failed, 0, f"{load.failures}\n{up.log()}")
            self.assertEqual(slow_failed, 0, f"{slow.failures}\n{up.log()}")
            self.assertGreater(ok - before, 50)
            self.assertTrue(up.lines_matching(r"web/2: exited: killed by signal 9"), up.log())

            uvicorns = [p for p in supervision.pids_with_marker(marker) if p != up.pid]
            self.assertGreaterEqual(len(uvicorns), 4, uvicorns)
            code = up.stop(timeout=60)
            stopped = True
            self.assertEqual(code, 0, up.log())
            left = supervision.wait_marked_gone(marker)
            self.assertEqual(left, [], [supervision.cmdline(p) for p in left])
            self.assertIn("Uvicorn running", up.instance_log("web", 0))
        finally:
            for running in (load, slow):
                if running:
                    running.stop()
            if not stopped:
                up.stop()
            supervision.kill_marked(marker)  # only ever this test's own processes


if __name__ == "__main__":
    unittest.main(verbosity=2)
