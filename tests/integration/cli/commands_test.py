"""The everyday commands against a real `flotilla up`, the way a person types them:

- from another directory with no flotilla.yaml, the CLI finds the running flotilla through the
  record `up` wrote (<state_dir>/instance.json and FLOTILLA_RUNTIME_DIR/instances/<pid>.json),
  through FLOTILLA_CONFIG and through FLOTILLA_ADMIN (a socket path or a URL); the records go
  away when flotilla stops;
- `status web` shows only that service, `status nope` names the closest one, `status --watch`
  redraws (no escape codes when stdout is not a terminal);
- `logs -n N` prints the last N lines;
- `drain` / `undrain` take an instance out of rotation and put it back;
- `stop web` stops every instance and `start web` brings back the same count;
- `flotilla statu` is named with a suggestion.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
import operations  # noqa: E402
import supervision  # noqa: E402


class Commands(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.runtime_dir = tempfile.mkdtemp(prefix="flotilla-runtime-")
        os.environ["FLOTILLA_RUNTIME_DIR"] = cls.runtime_dir  # inherited by flotilla and the CLI
        spec = operations.spec(supervision.free_port_range(10), replicas=2)
        spec["services"]["ticker"] = {  # a worker whose log is known line by line
            "command": "for i in 1 2 3 4 5 6; do echo line $i; done; exec sleep 3600",
            "shell": True}
        cls.ops = operations.Ops(spec)
        cls.elsewhere = tempfile.mkdtemp(prefix="flotilla-elsewhere-")

    @classmethod
    def tearDownClass(cls):
        cls.ops.stop()

    def run_cli(self, *args, env=None, cwd=None, timeout=30):
        full_env = {k: v for k, v in os.environ.items()
                    if k not in ("FLOTILLA_CONFIG", "FLOTILLA_ADMIN")}
        full_env.update(env or {})
        done = subprocess.run([harness.FLOTILLA, *args], capture_output=True, text=True,
                              timeout=timeout, cwd=cwd or self.elsewhere, env=full_env,
                              stdin=subprocess.DEVNULL)
        return done.returncode, done.stdout, done.stderr

    def web_entry(self, status):
        return next(s for s in status["services"] if s["name"] == "web")

    def test_found_from_another_directory(self):
        record_path = os.path.join(self.ops.dir, "state", "instance.json")
        with open(record_path) as f:
            record = json.load(f)
        self.assertEqual(record["pid"], self.ops.up.pid)
        self.assertEqual(record["config"], os.path.abspath(self.ops.config_path))
        self.assertTrue(os.path.exists(
            os.path.join(self.runtime_dir, "instances", f"{self.ops.up.pid}.json")))

        code, out, err = self.run_cli("status", "--json")  # no config here: the record
        self.assertEqual(code, 0, err)
        self.assertEqual(len(self.web_entry(json.loads(out))["instances"]), 2)
        # From a subdirectory of the project, through <dir>/state? No: the state dir is
        # named in the config; the user-level record finds it from anywhere.
        sub = os.path.join(self.ops.dir, "sub")
        os.makedirs(sub, exist_ok=True)
        code, out, err = self.run_cli("status", cwd=sub)
        self.assertEqual(code, 0, err)
        self.assertIn("web", out)

        code, out, err = self.run_cli("status", "--json",
                                      env={"FLOTILLA_CONFIG": self.ops.config_path})
        self.assertEqual(code, 0, err)
        code, out, err = self.run_cli(
            "status", "--json", env={"FLOTILLA_ADMIN": os.path.join(self.ops.dir, "admin.sock")})
        self.assertEqual(code, 0, err)
        code, out, err = self.run_cli(
            "status", "--json",
            env={"FLOTILLA_ADMIN": f"http://127.0.0.1:{self.ops.admin_port}"})
        self.assertEqual(code, 0, err)
        # A wrong FLOTILLA_CONFIG is an error naming the file, not a silent fallback.
        code, _, err = self.run_cli("status", env={"FLOTILLA_CONFIG": "/nonexistent/f.yaml"})
        self.assertEqual(code, 2, err)
        self.assertIn("/nonexistent/f.yaml: no such file", err)
        # Nothing answers there: 69, like every command that cannot reach flotilla.
        code, _, err = self.run_cli("status", env={"FLOTILLA_ADMIN": "http://127.0.0.1:9"})
        self.assertEqual(code, 69, err)

    def test_status_of_one_service_and_watch(self):
        code, out, err = self.run_cli("status", "web", env={"FLOTILLA_CONFIG": self.ops.config_path})
        self.assertEqual(code, 0, err)
        self.assertIn("web/0", out)
        self.assertNotIn("LISTENER", out)
        code, _, err = self.run_cli("status", "wbe", env={"FLOTILLA_CONFIG": self.ops.config_path})
        self.assertEqual(code, 1)
        self.assertIn("no service 'wbe' (did you mean 'web'?)", err)

        env = {k: v for k, v in os.environ.items() if k != "FLOTILLA_ADMIN"}
        env["FLOTILLA_CONFIG"] = self.ops.config_path
        proc = subprocess.Popen([harness.FLOTILLA, "status", "--watch", "--interval", "0.3"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=env, cwd=self.elsewhere, stdin=subprocess.DEVNULL)
        try:
            out, err = proc.communicate(timeout=1.5)
        except subprocess.TimeoutExpired:
            proc.kill()  # the watch we started, by its handle
            out, err = proc.communicate(timeout=5)
        self.assertGreaterEqual(out.count("flotilla "), 3, out + err)  # one headline per redraw
        self.assertNotIn("\x1b", out)

    def test_logs_tail(self):
        def wanted():
            code, out, _ = self.ops.cli("logs", "ticker")
            return out if code == 0 and out.rstrip().endswith("line 6") else None
        supervision.wait_until(wanted, 15, 0.2, "ticker's six lines")
        code, out, err = self.ops.cli("logs", "ticker", "-n", "3")
        self.assertEqual(code, 0, err)
        lines = out.splitlines()
        self.assertEqual(len(lines), 3, out)
        for line, n in zip(lines, (4, 5, 6)):
            self.assertTrue(line.endswith(f"line {n}"), out)
        code, out, err = self.ops.cli("logs", "ticker", "--tail", "1", "-i", "0")
        self.assertEqual(code, 0, err)
        self.assertEqual(len(out.splitlines()), 1, out)
        self.assertTrue(out.rstrip().endswith("line 6"), out)

    def test_drain_undrain_stop_start(self):
        code, out, err = self.ops.cli("drain", "web/1")
        self.assertEqual(code, 0, err)
        supervision.wait_until(lambda: any(i["state"] == "drained"
                                           for i in self.ops.web()["instances"]), 10,
                               what="web/1 drained")
        code, out, err = self.ops.cli("undrain", "web/1")
        self.assertEqual((code, out), (0, "web/1: undrained\n"), err)
        self.ops.wait_settled(2)

        code, out, err = self.ops.cli("stop", "web")
        self.assertEqual(code, 0, err)
        self.assertIn("web: stopped (2 instance(s)", out)
        supervision.wait_until(lambda: not self.ops.web()["instances"], 20,
                               what="every web instance stopped")
        self.assertEqual(self.ops.web()["stopped_from"], 2)
        code, out, _ = self.ops.cli("status")
        self.assertIn("stopped; start brings back 2", out)
        code, out, _ = self.ops.cli("stop", "web")
        self.assertIn("already stopped", out)
        code, out, err = self.ops.cli("start", "web")
        self.assertEqual(code, 0, err)
        self.assertIn("web: started (2 instance(s))", out)
        self.ops.wait_settled(2)
        self.assertIsNone(self.ops.web()["stopped_from"])
        code, _, err = self.ops.cli("stop", "nope")
        self.assertEqual(code, 1)
        self.assertIn("not found", err)

    def test_unknown_command_is_named(self):
        code, _, err = self.run_cli("statu")
        self.assertEqual(code, 2)
        self.assertIn("unknown command 'statu' (did you mean 'status'?)", err)
        code, _, err = self.run_cli("frobnicate")
        self.assertEqual(code, 2)
        self.assertIn("unknown command 'frobnicate'", err)
        self.assertNotIn("did you mean", err)


class RecordRemoved(unittest.TestCase):
    def test_records_go_when_flotilla_stops(self):
        runtime_dir = tempfile.mkdtemp(prefix="flotilla-runtime-")
        up = supervision.Up(json.dumps({"listen": [{"address": "127.0.0.1:0"}]}),
                            env={"FLOTILLA_RUNTIME_DIR": runtime_dir})
        try:
            up.wait_listening()
            user_record = os.path.join(runtime_dir, "instances", f"{up.pid}.json")
            supervision.wait_until(lambda: os.path.exists(user_record), 10, what="the record")
            self.assertTrue(os.path.exists(os.path.join(up.state_dir(), "instance.json")))
        finally:
            self.assertEqual(up.stop(), 0)
        self.assertFalse(os.path.exists(user_record))
        self.assertFalse(os.path.exists(os.path.join(up.state_dir(), "instance.json")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
