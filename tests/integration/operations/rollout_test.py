"""Rollouts under a steady mixed load (GET /api/hello + POST /api/echo through the gateway), in
one `flotilla up`: a full rollout of 3 instances, a rollout to a command that never becomes
ready (rolled back by itself, the old revision serving throughout), and a rolling restart.
Each ends with 0 failed requests and shows the change happened: new pids and revision in
`flotilla status --json`, the new FLOTILLA_REVISION in /api/hello, both revisions seen. Also:
a rollout or rollback that changes nothing says so, a rollback skips revisions with the
current spec, a rollback during a stuck rollout ends it, and Ctrl-C on a waiting `flotilla
rollout` stops the waiting, not the rollout."""
import json
import os
import select
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
import operations  # noqa: E402
import supervision  # noqa: E402


class RolloutTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ops = operations.Ops()

    @classmethod
    def tearDownClass(cls):
        cls.ops.stop()

    def under_load(self, action):
        """Runs `action()` while a mixed load flows; returns (load, action's result)."""
        load = operations.MixedLoad(self.ops.port, max_seconds=60, slow_threads=4)
        try:
            load.wait_count(100)
            result = action()
            before_end = load.ok()
            load.wait_count(before_end + 100)
        finally:
            load.stop()
        print(f"{self._testMethodName}: {load.summary()}")
        self.assertEqual(load.failed, 0, f"failed requests: {load.failures}\n{self.ops.log()}")
        return load, result

    def test_1_full_rollout(self):
        web = self.ops.wait_settled(3)
        old_pids = {i["pid"] for i in web["instances"]}
        old_revision = web["revision"]
        started = time.monotonic()
        load, (code, out, err) = self.under_load(
            lambda: self.ops.cli("rollout", "web", "--env", "OPS_TEST_MARK=1"))
        print(f"full rollout: exit {code} after {time.monotonic() - started:.1f}s (with load)")
        self.assertEqual(code, 0, out + err)
        self.assertRegex(out + err, r"rollout to revision \d+ succeeded\n")
        web = self.ops.wait_settled(3)
        new_revision = web["revision"]
        new_pids = {i["pid"] for i in web["instances"]}
        self.assertGreater(new_revision, old_revision)
        self.assertEqual({i["revision"] for i in web["instances"]}, {new_revision})
        self.assertFalse(old_pids & new_pids, f"old pids {old_pids} still running: {web}")
        for pid in new_pids:
            self.assertTrue(supervision.proc_environ_has(pid, "OPS_TEST_MARK=1"), pid)
        seen = load.revisions()
        self.assertIn(str(old_revision), seen)
        self.assertIn(str(new_revision), seen)
        self.assertTrue(new_pids <= load.pids(), f"{new_pids} vs {load.pids()}")
        history = self.ops.cli_json("history", "web")
        self.assertEqual(history["current"], new_revision)
        top = next(r for r in history["revisions"] if r["revision"] == new_revision)
        self.assertEqual(top["env"].get("OPS_TEST_MARK"), "1")

    def test_2_rollout_never_ready_rolls_back(self):
        web = self.ops.wait_settled(3)
        old_pids = {i["key"]: i["pid"] for i in web["instances"]}
        old_revision = web["revision"]
        started = time.monotonic()
        # Starts and stays up, but never answers the readiness probe.
        load, (code, out, err) = self.under_load(
            lambda: self.ops.cli("rollout", "web", "--command", "sleep 60"))
        took = time.monotonic() - started
        print(f"failed rollout: exit {code} after {took:.1f}s: {(out + err).strip()[-300:]}")
        self.assertEqual(code, 1, out + err)
        self.assertIn("rolled back", out + err)
        self.assertIn("not ready", out + err)
        web = self.ops.wait_settled(3)
        self.assertEqual(web["revision"], old_revision)
        self.assertEqual({i["key"]: i["pid"] for i in web["instances"]}, old_pids)
        # Only the old revision served, all along.
        self.assertEqual(set(load.revisions()), {str(old_revision)})
        self.assertTrue(load.pids() <= set(old_pids.values()), load.pids())
        history = self.ops.cli_json("history", "web")
        self.assertEqual(history["current"], old_revision)
        failed = max(history["revisions"], key=lambda r: r["revision"])
        self.assertGreater(failed["revision"], old_revision)
        self.assertEqual(failed["command"], "sleep 60")
        self.assertIn("rolled back", failed["outcome"])

    def test_2b_no_change_after_a_failed_rollout(self):
        # The last rollout (test 2) rolled back: a rollout that changes nothing must report
        # itself, at once, not that earlier failure.
        web = self.ops.wait_settled(3)
        revision = web["revision"]
        code, out, err = self.ops.cli("rollout", "web", timeout=30)
        self.assertEqual((code, out), (0, f"web: no change (already revision {revision})\n"),
                         err)
        code, out, err = self.ops.cli("rollout", "web", "--replicas", "3", timeout=30)
        self.assertEqual((code, out), (0, f"web: no change (already revision {revision})\n"),
                         err)
        self.assertEqual(self.ops.web()["rollout"]["state"], "succeeded")

    def test_3_rolling_restart(self):
        web = self.ops.wait_settled(3)
        old_pids = {i["pid"] for i in web["instances"]}
        old_revision = web["revision"]
        load, (code, out, err) = self.under_load(lambda: self.ops.cli("restart", "web"))
        self.assertEqual(code, 0, out + err)
        web = self.ops.wait_settled(3)
        new_pids = {i["pid"] for i in web["instances"]}
        self.assertEqual(len(new_pids), 3)
        self.assertFalse(old_pids & new_pids, f"restart left old pids {old_pids & new_pids}")
        self.assertNotEqual(web["revision"], old_revision)
        seen = load.revisions()
        self.assertIn(str(old_revision), seen)
        self.assertIn(str(web["revision"]), seen)
        self.assertTrue(new_pids <= load.pids(), f"{new_pids} vs {load.pids()}")
        # Same spec: the restart keeps the rolled-out environment.
        for pid in new_pids:
            self.assertTrue(supervision.proc_environ_has(pid, "OPS_TEST_MARK=1"), pid)

    def test_4_rollback_skips_revisions_with_the_current_spec(self):
        # After test 3 the current revision is a restart of test 1's: a step back must leave
        # that spec (and the failed revision of test 2) behind, to the initial one.
        web = self.ops.wait_settled(3)
        before = web["revision"]
        code, out, err = self.ops.cli("rollback", "web", timeout=60)
        self.assertEqual(code, 0, out + err)
        self.assertRegex(out, rf"rollout to revision {before + 1} succeeded\n")
        web = self.ops.wait_settled(3)
        self.assertEqual(web["revision"], before + 1)
        history = self.ops.cli_json("history", "web")
        self.assertEqual(history["revisions"][0]["cause"], "rollback to 1")
        for instance in web["instances"]:
            self.assertFalse(supervision.proc_environ_has(instance["pid"], "OPS_TEST_MARK=1"))

    def test_5_rollback_ends_a_stuck_rollout(self):
        # A rollout that would wait a whole minute for instances that never get ready (a reload
        # sets the long deadline): `flotilla rollback` ends it now, rolled back, and succeeds.
        web = self.ops.wait_settled(3)
        old_pids = {i["key"]: i["pid"] for i in web["instances"]}
        old_revision = web["revision"]
        stuck = json.loads(json.dumps(self.ops.config_dict))
        stuck["services"]["web"]["command"] = "sleep 120"
        stuck["services"]["web"]["rollout"]["progress_deadline"] = "60s"
        self.ops.write_config(json.dumps(stuck, indent=2))
        self.ops.cli("reload", check=0)

        def rollback():
            supervision.wait_until(lambda: len(self.ops.web()["instances"]) > 3, 20,
                                   what="the stuck rollout's first new instance")
            return self.ops.cli("rollback", "web", timeout=60)
        load, (code, out, err) = self.under_load(rollback)
        self.assertEqual(code, 0, out + err)
        self.assertIn(f"rolled back to revision {old_revision}: rollback requested", out)
        web = self.ops.wait_settled(3)
        self.assertEqual(web["revision"], old_revision)
        self.assertEqual({i["key"]: i["pid"] for i in web["instances"]}, old_pids)
        self.assertEqual(set(load.revisions()), {str(old_revision)})
        history = self.ops.cli_json("history", "web")
        self.assertEqual(history["current"], old_revision)
        self.assertEqual(history["revisions"][0]["outcome"], "rolled back: rollback requested")

    def test_6_ctrl_c_stops_waiting_not_the_rollout(self):
        # Ctrl-C on a waiting `flotilla rollout` ends the command (130) and says the rollout
        # goes on; flotilla carries it to its end (here: never ready, rolled back after the 4 s
        # progress deadline, which also leaves the CLI seconds to be interrupted in).
        web = self.ops.wait_settled(3)
        follower = subprocess.Popen(
            [harness.FLOTILLA, "rollout", "web", "--command", "sleep 60", "-c",
             self.ops.config_path],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        try:
            # Interrupt only once the CLI waits: its first progress line comes from its first
            # poll (before that, Ctrl-C is an ordinary SIGINT to a command still sending).
            ready, _, _ = select.select([follower.stdout], [], [], 20)
            self.assertTrue(ready, "no progress line from `flotilla rollout`")
            first = follower.stdout.readline()
            self.assertIn("web", first)
            follower.send_signal(signal.SIGINT)
            out, err = follower.communicate(timeout=10)
        finally:
            if follower.poll() is None:
                follower.kill()
                follower.communicate(timeout=5)
        self.assertEqual(follower.returncode, 130, out + err)
        self.assertIn("the rollout goes on in flotilla", err)
        running = self.ops.web()["rollout"]
        self.assertEqual(running["state"], "running", running)  # the CLI left, not the rollout
        done = supervision.wait_until(
            lambda: self.ops.web()["rollout"]["state"] != "running" and self.ops.web()["rollout"],
            30, what="the rollout's end")
        self.assertEqual(done["state"], "rolled_back", done)
        self.assertEqual(self.ops.wait_settled(3)["revision"], web["revision"])

if __name__ == "__main__":
    unittest.main(verbosity=2)
