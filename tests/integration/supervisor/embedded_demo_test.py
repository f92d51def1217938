"""`flotilla up` with no config file and no ./flotilla.yaml runs the embedded demo: 3 demo-app
replicas behind 127.0.0.1:8080, state in ./.flotilla. It must serve from 3 distinct instances
within seconds, and SIGTERM must stop everything (exit 0, no instance left).

Port 8080 is fixed: ctest runs this test under the RESOURCE_LOCK "port8080" (tests/CMakeLists.txt).
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
import supervision  # noqa: E402

PORT = 8080


class EmbeddedDemoTest(unittest.TestCase):
    def test_serves_from_three_instances_then_stops_cleanly(self):
        # Someone else's server on 8080 (outside ctest's lock) would make this test meaningless.
        supervision.wait_until(lambda: supervision.port_free(PORT), 30,
                               what="port 8080 to be free (another process holds it)")
        up = supervision.Up(args=[])  # no -c, and the fresh cwd has no flotilla.yaml
        t0 = time.monotonic()
        try:
            up.process.wait_for_line(r"gateway listening on http://127\.0\.0\.1:8080/", 15)
            up.process.wait_for_line(r"embedded demo", 5)
            instances = {}
            first_ok = None
            deadline = time.monotonic() + 20
            while len(instances) < 3 and time.monotonic() < deadline:
                try:
                    status, doc = supervision.get_json(PORT, "/api/hello", timeout=2)
                except (OSError, ValueError):
                    status, doc = None, None
                if status == 200:
                    first_ok = first_ok or time.monotonic() - t0
                    instances[doc["instance"]] = doc["pid"]
                else:
                    time.sleep(0.05)
            three = time.monotonic() - t0
            self.assertEqual(sorted(instances), ["demo/0", "demo/1", "demo/2"],
                             f"instances seen: {instances}\n{up.log()}")
            self.assertEqual(len(set(instances.values())), 3)
            print(f"embedded demo: first 200 after {first_ok:.2f}s, 3 instances after "
                  f"{three:.2f}s")

            # State and per-instance logs live in ./.flotilla of the working directory.
            logs = os.path.join(up.dir, ".flotilla", "logs")
            for i in range(3):
                self.assertTrue(os.path.exists(os.path.join(logs, f"demo-{i}.log")),
                                f"no {logs}/demo-{i}.log")
            self.assertIn("demo-app listening", up.instance_log("demo", 0))
            pids = [pid for _, pid in up.started()]
            self.assertEqual(sorted(pids), sorted(instances.values()))
        finally:
            code = up.stop()
        self.assertEqual(code, 0, up.log())
        self.assertIn("every instance stopped", up.log())
        for pid in pids:
            st = supervision.proc_stat(pid)
            self.assertIsNone(st, f"instance pid {pid} still exists after flotilla exited: {st}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
