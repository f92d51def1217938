"""Failures that explain themselves, through the real binary and CLI:

- an instance's log stream tells its story: each run's start (`flotilla: run N: started pid`),
  the app's own last words, how it ended (exit code / signal, and who ended it), the back-off
  wait before the restart — in that order; an exec failure says what exec said;
- a rollout that rolls back shows the failing instance's last log lines (CLI and API), `history`
  has an OUTCOME column, `status` says `rev 3 failed, rolled back to 2`;
- `flotilla rollout status web` attaches to a running rollout and follows it to its end, and
  reports a finished one (or none) at once;
- flotilla's own log records alert transitions (pending, firing, resolved), and a resolved
  alert leaves /api/v1/alerts after a while."""
import json
import os
import re
import subprocess
import tempfile
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
import operations  # noqa: E402
import supervision  # noqa: E402


def stripped(lines):
    """The log lines without their time stamps."""
    return [re.sub(r"^\S+Z ", "", line) for line in lines]


class InstanceLogStoryTest(unittest.TestCase):
    def test_a_crash_and_its_restart_in_order(self):
        ops = operations.Ops(operations.spec(supervision.free_port_range(10), replicas=1))
        try:
            pid = ops.pids()["web/0"]
            try:
                harness.request(supervision_port(ops, "web/0"), path="/api/crash", timeout=3)
            except OSError:
                pass
            supervision.wait_until(lambda: (ops.pids().get("web/0") or pid) != pid, 15,
                                   what="web/0 restarted")
            code, out, err = ops.cli("logs", "web", "-i", "0", check=0)
            lines = stripped(out.splitlines())
            text = "\n".join(lines)

            def index(pattern):
                for i, line in enumerate(lines):
                    if re.search(pattern, line):
                        return i
                raise AssertionError(f"no line matching {pattern!r} in:\n{text}")
            story = [index(rf"flotilla: run 1: started pid {pid}\b"),
                     index(r"demo-app: crashing on request"),
                     index(rf"flotilla: pid {pid} exited: exit code 3 after \d+ ms "
                           r"\(it crashed by itself\)"),
                     index(r"flotilla: restarting in \d+ ms"),
                     index(r"flotilla: run 2: started pid \d+")]
            self.assertEqual(story, sorted(story), text)
        finally:
            ops.up.stop()

    def test_an_exec_failure_says_what_exec_said(self):
        config = operations.spec(supervision.free_port_range(10), replicas=1)
        config["services"]["broken"] = {"command": ["/nonexistent/app"], "replicas": 1,
                                        "restart": {"policy": "always", "delay": "200ms"}}
        ops = operations.Ops(config)
        try:
            def told():
                _, out, _ = ops.cli("logs", "broken")
                return "cannot start" in out and "restarting in" in out and out
            out = supervision.wait_until(told, 10, what="the exec failure in broken's log")
            self.assertRegex(out, r"flotilla: run 1: cannot start `/nonexistent/app`: .*"
                                  r"(No such file|not found)")
            # A service that never had a rollout: said plainly, not an error.
            code, out, err = ops.cli("rollout", "status", "web", timeout=10)
            self.assertEqual((code, out), (0, "web: no rollout yet\n"), err)
        finally:
            ops.up.stop()


def supervision_port(ops, key):
    return next(i["port"] for i in ops.web()["instances"] if i["key"] == key)


class RolloutStoryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ops = operations.Ops(operations.spec(supervision.free_port_range(10), replicas=2))

    @classmethod
    def tearDownClass(cls):
        cls.ops.up.stop()

    def test_1_a_rolled_back_rollout_shows_the_instance_last_words(self):
        ops = self.ops
        before = ops.wait_settled(2)["revision"]
        code, out, err = ops.cli(
            "rollout", "web", "--command",
            "sh -c \"echo 'config error: DATABASE_URL is not set' >&2; exit 1\"")
        self.assertEqual(code, 1, out + err)
        self.assertIn(f"rolled back to revision {before}", out)
        self.assertRegex(out, r"last log lines of web/\d+:")
        self.assertIn("config error: DATABASE_URL is not set", out)
        self.assertRegex(out, r"exited: exit code 1 after \d+ ms \(it crashed by itself\)")
        rollout = ops.api("/api/v1/services/web/rollout")
        self.assertEqual(rollout["state"], "rolled_back")
        self.assertTrue(any("DATABASE_URL" in line for line in rollout["failed_instance_log"]),
                        rollout)
        failed = rollout["revision"]
        ops.wait_settled(2)
        _, status, _ = ops.cli("status", check=0)
        self.assertIn(f"rev {failed} failed, rolled back to {before}", status)
        _, history, _ = ops.cli("history", "web", check=0)
        self.assertIn("OUTCOME", history.splitlines()[0])
        row = next(line for line in history.splitlines() if re.match(rf"\s+{failed}\s", line))
        self.assertIn("rolled back: web/", row)
        current = next(line for line in history.splitlines() if line.startswith("*"))
        self.assertIn("current", current)

    def test_2_rollout_status_attaches_to_a_running_rollout(self):
        ops = self.ops
        ops.wait_settled(2)
        slow = f'sh -c "sleep 1.5; exec {harness.FLOTILLA} demo-app --port $PORT --threads 2"'
        code, out, err = ops.cli("rollout", "web", "--command", slow, "--detach", check=0)
        self.assertIn("started", out)
        started = time.monotonic()
        code, out, err = ops.cli("rollout", "status", "web", timeout=60)
        took = time.monotonic() - started
        print(f"rollout status followed for {took:.1f}s: {out.strip()!r}")
        self.assertEqual(code, 0, out + err)
        self.assertIn("following the rollout to revision", out)
        self.assertRegex(out, r"web: rollout to revision \d+ succeeded")
        self.assertGreater(took, 1.0, "it returned before the rollout ended")
        # Finished: reported at once, with the same exit status.
        code, out, err = ops.cli("rollout", "status", "web", timeout=10)
        self.assertEqual(code, 0, out + err)
        self.assertRegex(out, r"succeeded")


class AlertLogTest(unittest.TestCase):
    def test_alert_transitions_are_logged_and_resolved_alerts_leave_the_api(self):
        ends = int(time.time()) + 4
        config = operations.spec(supervision.free_port_range(10), replicas=1)
        config["alerts"] = {
            "evaluation_interval": "200ms", "defaults": False,
            "rules": [{"name": "DemoWindow", "expr": f"vector(time()) < {ends}", "for": "1s",
                       "annotations": {"description": "the demo window is open"}}]}
        ops = operations.Ops(config)
        try:
            ops.up.process.wait_for_line(r"alert DemoWindow pending", 10)
            ops.up.process.wait_for_line(r"alert DemoWindow firing \(value \S+\): the demo "
                                         r"window is open", 10)
            ops.up.process.wait_for_line(r"alert DemoWindow resolved", 15)
            alerts = ops.api("/api/v1/alerts")["alerts"]
            self.assertEqual([a["state"] for a in alerts if a["name"] == "DemoWindow"],
                             ["inactive"])
            # 20 evaluation intervals (4 s here) later it is gone from the API.
            supervision.wait_until(
                lambda: not [a for a in ops.api("/api/v1/alerts")["alerts"]
                             if a["name"] == "DemoWindow"], 15,
                what="the resolved alert leaving /api/v1/alerts")
        finally:
            ops.up.stop()


class CheckWarningsTest(unittest.TestCase):
    def test_check_warns_about_what_would_fail_at_start_but_passes(self):
        work = tempfile.mkdtemp(prefix="flotilla-check-")
        not_executable = os.path.join(work, "app.sh")
        with open(not_executable, "w") as f:
            f.write("#!/bin/sh\n")
        config = {
            "services": {
                "a": {"command": ["no-such-program-anywhere", "--port", "$PORT"], "ports": "20000-20001"},
                "b": {"command": [not_executable], "user": "no-such-user-xyz",
                      "group": "no-such-group-xyz"},
                "c": {"command": ["sleep", "1"], "cwd": os.path.join(work, "missing-dir")},
                "ok": {"command": ["sleep", "1"]},
            },
            "alerts": {"rules": [{"name": "Typo", "expr": "rate(http_request_total[5m]) > 1"}]},
        }
        path = os.path.join(work, "flotilla.yaml")
        with open(path, "w") as f:
            json.dump(config, f, indent=1)
        done = subprocess.run([harness.FLOTILLA, "check", "-c", path], capture_output=True,
                              text=True, timeout=30)
        print(done.stderr)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("configuration OK", done.stdout)
        err = done.stderr
        self.assertRegex(err, r"flotilla\.yaml:\d+:\d+: warning: services\.a\.command: "
                              r"`no-such-program-anywhere` is not found on PATH")
        self.assertIn("services.b.command: " + not_executable + " is not executable", err)
        self.assertIn("services.b.user: no user 'no-such-user-xyz'", err)
        self.assertIn("services.b.group: no group 'no-such-group-xyz'", err)
        self.assertIn("services.c.cwd: " + os.path.join(work, "missing-dir") + " does not exist",
                      err)
        self.assertIn("alerts.rules.Typo: flotilla exports no metric 'http_request_total'", err)
        self.assertNotIn("services.ok", err)
        self.assertEqual(err.count("warning:"), 6, err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
