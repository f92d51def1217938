"""`flotilla logs` against a real `flotilla up` (service web, 3 demo-app instances): every
instance's output by default, one with -i, a time window with --since, new lines with -f (an
instance killed and restarted writes its start line again), and a clear error for an instance
that never existed."""
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
import operations  # noqa: E402
import supervision  # noqa: E402

START_LINE = "demo-app listening on 127.0.0.1:"


class Logs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ops = operations.Ops()

    @classmethod
    def tearDownClass(cls):
        cls.ops.stop()

    def lines(self, *args):
        _, out, _ = self.ops.cli("logs", "web", *args, check=0)
        return [line for line in out.splitlines() if START_LINE in line]

    def test_every_instance_then_one_then_a_window(self):
        everyone = self.lines()
        self.assertEqual({line.split()[1] for line in everyone}, {"web/0", "web/1", "web/2"},
                         everyone)
        one = self.lines("-i", "1")
        self.assertTrue(one)
        self.assertEqual({line.split()[1] for line in one}, {"web/1"})
        self.assertEqual(len(self.lines("--since", "10m")), len(everyone))
        time.sleep(2.2)
        self.assertEqual(self.lines("--since", "1s"), [])  # the start lines are older

    def test_json_lines(self):
        answer = self.ops.cli_json("logs", "web", "-i", "0")
        self.assertTrue(any(START_LINE in line["line"] and line["instance"] == 0
                            for line in answer["lines"]), answer)

    def test_unknown_instance_is_an_error(self):
        code, out, err = self.ops.cli("logs", "web", "-i", "99")
        self.assertEqual(code, 1, out)
        self.assertIn("no instance 99", err)
        code, _, err = self.ops.cli("logs", "nosuch")
        self.assertEqual(code, 1)
        self.assertIn("nosuch", err)

    def test_follow_shows_new_lines(self):
        follower = subprocess.Popen(
            [harness.FLOTILLA, "logs", "web", "-i", "2", "-f", "-c", self.ops.config_path],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            text=True)
        try:
            before = self.ops.pids()["web/2"]
            time.sleep(1.0)  # the follower printed what was there and polls
            os.kill(before, signal.SIGKILL)
            after = supervision.wait_until(
                lambda: self.ops.pids().get("web/2") not in (None, before)
                and self.ops.pids()["web/2"], 15, what="web/2 restarted")
            time.sleep(1.5)  # a poll (every 500 ms) picks the new start line up
        finally:
            follower.send_signal(signal.SIGINT)
            try:
                out, _ = follower.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                follower.kill()
                out, _ = follower.communicate(timeout=5)
        starts = [line for line in out.splitlines() if START_LINE in line]
        self.assertTrue(any(f"(pid {after})" in line for line in starts), out)
        self.assertTrue(all(line.split()[1] == "web/2" for line in starts), out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
