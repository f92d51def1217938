"""resources through cgroup v1: an instance that allocates past its memory limit is killed by the
kernel's OOM killer inside its own cgroup, and flotilla reports it as an OOM kill (from the
cgroup's own oom_kill counter), then restarts it. Its CPU limit is a CFS quota that really
throttles it.

Needs a writable cgroup v1 memory controller (flotilla says which controllers it uses at start);
without one the test says so and is skipped (exit code 77, ctest SKIP_RETURN_CODE)."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
import supervision  # noqa: E402

SKIP = 77
LIMIT_MB = 48
CPU_MILLIS = 100


def config(first_port):
    return json.dumps({
        "services": {"hog": {
            "command": [harness.FLOTILLA, "demo-app", "--port", "$PORT", "--threads", "1"],
            "ports": f"{first_port}-{first_port + 1}",
            "resources": {"memory": f"{LIMIT_MB}Mi", "cpu": f"{CPU_MILLIS}m"},
            "restart": {"policy": "always", "delay": "200ms"},
        }},
    }, indent=2)


class ResourcesTest(unittest.TestCase):
    def test_allocation_past_the_limit_is_an_oom_kill(self):
        port = supervision.free_port_range(2)
        up = supervision.Up(config(port))
        try:
            m = up.process.wait_for_line(r"cgroup v1 controllers: ([^;]*);", 10)
            if "memory" not in m.group(1).split(", "):
                raise unittest.SkipTest(
                    f"no writable cgroup v1 memory controller here (flotilla: '{m.group(1)}'); "
                    f"resources.memory falls back to RLIMIT_AS, which is not an OOM kill")
            up.process.wait_for_line(r"hog/0: resource limits cgroup v1: memory=%d, cpu=%dm" %
                                     (LIMIT_MB << 20, CPU_MILLIS), 10)
            up.process.wait_for_line(r"hog/0: ready", 10)
            victim = up.current_pid("hog/0")

            # CPU: the instance sits in its own cpu cgroup with a 10 ms / 100 ms quota; a busy
            # loop gets it throttled. (The demo's loop runs for wall time: on a starved machine
            # it may not even use 10 ms of a period, hence a few bounded bursts.)
            cpu_dir = supervision.cgroup_v1_dir(victim, "cpu")
            self.assertIsNotNone(cpu_dir)
            self.assertIn(f"flotilla-{up.pid}/hog-0-", cpu_dir)
            with open(os.path.join(cpu_dir, "cpu.cfs_quota_us")) as f:
                self.assertEqual(int(f.read()), CPU_MILLIS * 100)
            stat = {}
            for burst in range(1, 9):
                status, doc = supervision.get_json(port, "/api/cpu?ms=300", timeout=20)
                self.assertEqual(status, 200, doc)
                with open(os.path.join(cpu_dir, "cpu.stat")) as f:
                    stat = dict(line.split() for line in f)
                if int(stat["nr_throttled"]) > 0:
                    break
            print(f"cpu: {CPU_MILLIS}m limit, {burst} x 300 ms busy loop: throttled "
                  f"{stat['nr_throttled']} of {stat['nr_periods']} periods")
            self.assertGreater(int(stat["nr_throttled"]), 0, stat)

            # A small allocation is fine...
            status, doc = supervision.get_json(port, "/api/alloc?mb=8")
            self.assertEqual((status, doc["held_mb"]), (200, 8))
            # ...one that crosses the limit gets the process killed mid-request.
            with self.assertRaises((OSError, ValueError)) as raised:
                supervision.get_json(port, f"/api/alloc?mb={LIMIT_MB * 3}", timeout=10)
            print(f"oom: the allocating request ended with {type(raised.exception).__name__}")

            line = up.process.wait_for_line(r"hog/0: killed by the OOM killer", 10).string
            new_pid = supervision.wait_until(
                lambda: (up.current_pid("hog/0") or victim) != victim
                and up.current_pid("hog/0"), 10, what="hog/0 restarted")
            print(f"oom: flotilla logged: {line.strip()} (restarted as pid {new_pid})")
            self.assertIn("signal 9", line)
            self.assertIsNone(supervision.proc_stat(victim))
            # A SIGKILL from outside is *not* reported as OOM: the report comes from the cgroup.
            supervision.wait_until(lambda: len(up.lines_matching(r"hog/0: ready")) >= 2, 10,
                                   what="hog/0 ready again")
            os.kill(new_pid, 9)
            plain = up.process.wait_for_line(r"hog/0: exited: killed by signal 9", 10).string
            self.assertNotIn("OOM", plain)
        finally:
            code = up.stop()
        self.assertEqual(code, 0, up.log())


if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    if result.skipped and result.wasSuccessful():
        print(f"SKIP: {result.skipped[0][1]}")
        sys.exit(SKIP)
    sys.exit(0 if result.wasSuccessful() else 1)
