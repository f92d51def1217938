"""`flotilla top` in a real terminal: tmux (its own server socket, so no other tmux is touched)
runs `flotilla top -c CONFIG -n 1` while a steady load goes through the gateway; two captures of
the pane 2 s apart must both show every instance key with its columns, and must differ (the
table is redrawn in place with new numbers). Then `top --once --json` agrees on the instances.
"""
import json
import os
import re
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
import supervision  # noqa: E402

REPLICAS = 3
KEYS = [f"web/{i}" for i in range(REPLICAS)]


def config(first_port):
    return json.dumps({
        "workers": 2,
        "listen": [{"address": "127.0.0.1:0"}],
        "admin": {"listen": "127.0.0.1:0"},  # top -c talks to the admin socket
        "services": {"web": {
            "command": [harness.FLOTILLA, "demo-app", "--port", "$PORT", "--threads", "2"],
            "replicas": REPLICAS, "ports": f"{first_port}-{first_port + REPLICAS + 1}"}},
        "upstreams": {"web": {"service": "web"}},
        "routes": [{"match": {"path": "/"}, "upstream": "web"}],
    }, indent=2)


class Tmux:
    """A tmux server of our own (-L), one session running `argv`; stopped by its PID."""

    def __init__(self, argv, cwd):
        self.socket = f"flotilla-top-test-{os.getpid()}"
        self.pid = None
        self._tmux("new-session", "-d", "-s", "top", "-x", "160", "-y", "40", "-c", cwd,
                   " ".join(argv))
        self.pid = int(self._tmux("display-message", "-p", "-t", "top", "#{pid}").strip())

    def _tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True, text=True,
                              capture_output=True, timeout=10).stdout

    def capture(self):
        return self._tmux("capture-pane", "-p", "-t", "top")

    def stop(self, *_):
        if self.pid is None:
            return
        try:
            self._tmux("kill-server")
        except (subprocess.SubprocessError, OSError):
            pass
        try:
            os.kill(self.pid, signal.SIGKILL)  # the server we started, if still there
        except ProcessLookupError:
            pass
        self.pid = None


def rows(capture):
    """{instance key: row fields} of the table in a pane capture."""
    out = {}
    for line in capture.splitlines():
        fields = line.split()
        if fields and re.fullmatch(r"web/\d+", fields[0]):
            out[fields[0]] = fields[1:]
    return out


class TopTest(unittest.TestCase):
    def test_top_refreshes_in_place_under_tmux(self):
        harness.require_tools("tmux")
        with harness.Cleanup() as cleanup:
            up = cleanup.add(supervision.Up(config(supervision.free_port_range(REPLICAS + 2))))
            port = up.wait_listening()
            up.wait_ready("web", REPLICAS)
            cleanup.add(supervision.Load(port, threads=3, max_seconds=60))
            tmux = cleanup.add(Tmux([harness.FLOTILLA, "top", "-c", up.config_path, "-n", "1"],
                                    up.dir))
            first = supervision.wait_until(
                lambda: (lambda c: c if len(rows(c)) == REPLICAS else None)(tmux.capture()),
                15, 0.2, "a top table with every instance")
            time.sleep(2)
            second = tmux.capture()
            for capture in (first, second):
                self.assertIn("SERVICE/INSTANCE", capture)
                self.assertEqual(sorted(rows(capture)), KEYS, capture)
                for key, fields in rows(capture).items():
                    self.assertEqual(fields[0], "ready", capture)
            self.assertNotEqual(first, second)
            self.assertNotEqual(rows(first), rows(second))
            # Under load some instance serves requests: a non-zero REQ/S column (5th field
            # after the key: STATE CPU% MEM LIMIT REQ/S).
            self.assertTrue(any(float(f[4]) > 0 for f in rows(second).values()), second)

            once = subprocess.run([harness.FLOTILLA, "top", "-c", up.config_path, "--once",
                                   "--json"], capture_output=True, text=True, timeout=20)
            self.assertEqual(once.returncode, 0, once.stderr)
            print(f"\nfirst capture:\n{first}\nsecond capture:\n{second}\njson: {once.stdout}",
                  file=sys.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
