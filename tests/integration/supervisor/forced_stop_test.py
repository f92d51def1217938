"""A second SIGTERM stops `flotilla up` at once, like a second Ctrl-C to `docker compose up`.

The first SIGTERM starts the graceful shutdown: flotilla stops accepting and waits (up to 30 s)
for a slow request in flight, and a TERM-ignoring instance would get 60 s of stop grace. The
second SIGTERM cuts the open request, SIGKILLs every instance and flotilla exits 0 within
seconds, with no process of this test left behind. A second signal within one second of the
first is the same request arriving twice (a group-wide signal): it changes nothing.
"""
import json
import os
import signal
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
import supervision  # noqa: E402


def config(first_port, marker):
    name, value = marker.split("=", 1)
    return json.dumps({
        "workers": 1,
        "listen": [{"address": "127.0.0.1:0"}],
        "services": {
            "web": {
                "command": [harness.FLOTILLA, "demo-app", "--port", "$PORT", "--threads", "2"],
                "env": {name: value},
                "replicas": 1,
                "ports": f"{first_port}-{first_port + 1}",
            },
            "stubborn": {
                "command": "trap '' TERM; while :; do sleep 0.2; done",
                "shell": True,
                "env": {name: value},
                "stop": {"grace": "60s"},
            },
        },
        "upstreams": {"web": {"service": "web"}},
        "routes": [{"match": {"path": "/"}, "upstream": "web"}],
    })


class SlowRequest(threading.Thread):
    """GET /api/slow?ms=25000 through the gateway; records what came back (b"" = cut)."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.sent = threading.Event()
        self.answer = None

    def run(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=40) as s:
            s.sendall(b"GET /api/slow?ms=25000 HTTP/1.1\r\nHost: t\r\n\r\n")
            self.sent.set()
            data = b""
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            self.answer = data


class ForcedStopTest(unittest.TestCase):
    def slow_request_in_flight(self, up):
        """Once web and stubborn are up, a slow request sent through the gateway (started)."""
        port = up.wait_listening()
        up.wait_ready("web", 1)
        supervision.wait_until(lambda: up.current_pid("stubborn/0"), 10, what="stubborn up")
        slow = SlowRequest(port)
        slow.start()
        self.assertTrue(slow.sent.wait(5))
        return slow

    def test_second_sigterm_stops_at_once(self):
        marker = supervision.unique_marker()
        up = supervision.Up(config(supervision.free_port_range(2), marker))
        try:
            slow = self.slow_request_in_flight(up)
            time.sleep(0.3)  # the request reaches the instance

            os.kill(up.pid, signal.SIGTERM)
            up.process.wait_for_line(r"draining in-flight requests", 10)
            time.sleep(1.0)
            self.assertIsNone(up.process.proc.poll(),
                              "flotilla did not wait for the request in flight:\n" + up.log())

            t0 = time.monotonic()
            os.kill(up.pid, signal.SIGTERM)
            code = up.process.proc.wait(timeout=15)
            forced_s = time.monotonic() - t0
            up.stop()  # already gone: collects the rest of its output
            self.assertEqual(code, 0, up.log())
            self.assertTrue(up.lines_matching(r"again: stopping at once"), up.log())
            self.assertTrue(up.lines_matching(r"SIGKILL to all 2 instance"), up.log())
            self.assertTrue(up.lines_matching(r"stubborn/0: .*killed by signal 9"), up.log())
            self.assertLess(forced_s, 10, up.log())  # not 30 s of drain nor 60 s of grace

            slow.join(10)
            self.assertFalse(slow.answer and slow.answer.startswith(b"HTTP/1.1 200"),
                             f"the slow request was not cut: {slow.answer!r}")
            left = supervision.wait_marked_gone(marker)
            self.assertEqual(left, [], f"left behind: {left}")
            print(f"forced stop: exited {forced_s:.2f}s after the second SIGTERM "
                  f"(slow request cut, {len(left)} processes left)")
        finally:
            up.stop()
            supervision.kill_marked(marker)  # only ever this test's own processes

    def test_signal_echo_within_a_second_is_the_first(self):
        marker = supervision.unique_marker()
        up = supervision.Up(config(supervision.free_port_range(2), marker))
        try:
            self.slow_request_in_flight(up)  # the drain has a request to wait for
            time.sleep(0.3)

            t0 = time.monotonic()
            os.kill(up.pid, signal.SIGINT)
            time.sleep(0.2)
            os.kill(up.pid, signal.SIGTERM)  # the echo: same process group, 200 ms later
            echo_s = time.monotonic() - t0
            self.assertLess(echo_s, 0.9, "the test itself was too slow to send an echo")
            up.process.wait_for_line(r"again within 1000 ms of the first: taken as the same", 10)
            time.sleep(1.5)
            self.assertIsNone(up.process.proc.poll(),
                              "an echoed signal stopped flotilla at once:\n" + up.log())
            self.assertFalse(up.lines_matching(r"again: stopping at once"), up.log())

            os.kill(up.pid, signal.SIGTERM)  # more than a second later: at once, as before
            code = up.process.proc.wait(timeout=15)
            up.stop()
            self.assertEqual(code, 0, up.log())
            self.assertTrue(up.lines_matching(r"again: stopping at once"), up.log())
            left = supervision.wait_marked_gone(marker)
            self.assertEqual(left, [], f"left behind: {left}")
        finally:
            up.stop()
            supervision.kill_marked(marker)


if __name__ == "__main__":
    unittest.main(verbosity=2)
