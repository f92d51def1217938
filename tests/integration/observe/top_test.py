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

    def __init__(self, argv, cwd, width=160, name="top"):
        self.socket = f"flotilla-{name}-test-{os.getpid()}"
        self.pid = None
        self._tmux("new-session", "-d", "-s", "top", "-x", str(width), "-y", "40", "-c", cwd,
                   " ".join(argv))
        self.pid = int(self._tmux("display-message", "-p", "-t", "top", "#{pid}").strip())

    def _tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True, text=True,
                              capture_output=True, timeout=10).stdout

    def capture(self):
        return self._tmux("capture-pane", "-p", "-t", "top")

    def send_keys(self, *keys):
        self._tmux("send-keys", "-t", "top", *keys)

    def session_alive(self):
        return subprocess.run(["tmux", "-L", self.socket, "has-session", "-t", "top"],
                              capture_output=True, timeout=10).returncode == 0

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
            time.sleep(1)
            # The next refresh (every second; bounded wait, the machine may be busy).
            second = supervision.wait_until(
                lambda: (lambda c: c if c != first and len(rows(c)) == REPLICAS else None)(
                    tmux.capture()), 10, 0.2, "a refreshed top table")
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

    def test_header_width_and_q(self):
        """A header line (time, req/s, errors, p95), nothing wider than the terminal, and `q`
        ends top (its tmux session closes with it)."""
        with harness.Cleanup() as cleanup:
            up = cleanup.add(supervision.Up(config(supervision.free_port_range(REPLICAS + 2))))
            port = up.wait_listening()
            up.wait_ready("web", REPLICAS)
            cleanup.add(supervision.Load(port, threads=2, max_seconds=60))
            width = 60
            tmux = cleanup.add(Tmux([harness.FLOTILLA, "top", "-c", up.config_path, "-n", "0.5"],
                                    up.dir, width=width, name="top-q"))
            capture = supervision.wait_until(
                lambda: (lambda c: c if "req/s" in c and "web/" in c else None)(tmux.capture()),
                15, 0.2, "a top screen with its header")
            header = capture.splitlines()[0]
            self.assertRegex(header, r"^flotilla top  \d\d:\d\d:\d\d  [\d.]+ req/s  errors ")
            self.assertTrue(all(len(line) <= width for line in capture.splitlines()), capture)
            supervision.wait_until(lambda: "p95 -" not in tmux.capture().splitlines()[0], 15,
                                   0.2, "a p95 under load")
            tmux.send_keys("q")
            supervision.wait_until(lambda: not tmux.session_alive(), 5, 0.1, "top to quit on q")

    def test_unreachable_exits_69_and_pipes_have_no_escapes(self):
        gone = subprocess.run([harness.FLOTILLA, "top", "--admin", "http://127.0.0.1:9",
                               "--once"], capture_output=True, text=True, timeout=20)
        self.assertEqual(gone.returncode, 69, gone.stderr)
        self.assertIn("flotilla top: ", gone.stderr)
        with harness.Cleanup() as cleanup:
            up = cleanup.add(supervision.Up(config(supervision.free_port_range(REPLICAS + 2))))
            up.wait_listening()
            up.wait_ready("web", REPLICAS)
            proc = subprocess.Popen([harness.FLOTILLA, "top", "-c", up.config_path, "-n", "0.3"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    stdin=subprocess.DEVNULL)
            try:
                out, _ = proc.communicate(timeout=1.5)
            except subprocess.TimeoutExpired:
                proc.kill()  # the top we started
                out, _ = proc.communicate(timeout=5)
            self.assertNotIn("\x1b", out)
            self.assertGreaterEqual(out.count("flotilla top  "), 2, out)
            self.assertIn("web/0", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
