"""Graceful GOAWAY on shutdown: a draining flotilla tells its HTTP/2 clients GOAWAY NO_ERROR with
the last stream it took, and the stream in flight still completes with its whole response
(seen by nghttp, whose -v output shows every frame). An HTTP/2 connection without streams is
closed after the listener's keep-alive timeout, and counted."""
import os
import re
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from h2_client import H2Client  # noqa: E402
from harness import Cleanup, Demo, Flotilla, gateway_config, metric  # noqa: E402


class Drain(unittest.TestCase):
    def test_goaway_on_drain_lets_the_stream_in_flight_finish(self):
        with Cleanup() as cleanup:
            demo = cleanup.add(Demo())
            gw = cleanup.add(Flotilla(gateway_config(
                {"app": {"servers": [demo.address]}},
                [{"match": {"path": "/"}, "upstream": "app"}], listener={"http2": True})))
            client = subprocess.Popen(
                ["nghttp", "-v", "--no-dep", f"http://127.0.0.1:{gw.port}/api/slow?ms=2500"],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                stdin=subprocess.DEVNULL)
            try:
                time.sleep(0.8)  # the request is with the upstream
                gw.process.send_signal(signal.SIGTERM)
                out, _ = client.communicate(timeout=20)
            finally:
                if client.poll() is None:
                    client.kill()
                    client.wait()
            self.assertEqual(client.returncode, 0, out)
            goaway = re.search(r"recv GOAWAY frame.*\n\s*\(last_stream_id=(\d+), "
                               r"error_code=(\w+)", out)
            self.assertIsNotNone(goaway, out)
            self.assertEqual(goaway.group(2), "NO_ERROR")
            request = re.search(r"send HEADERS frame <[^>]*stream_id=(\d+)>", out)
            self.assertGreaterEqual(int(goaway.group(1)), int(request.group(1)))
            # The response came after the GOAWAY, whole.
            self.assertGreater(out.index(":status: 200"), goaway.start(), out)
            self.assertIn('"slept_ms":2500', out.replace(" ", ""))
            self.assertEqual(gw.process.proc.wait(timeout=30), 0)

    def test_idle_connection_closes_after_keepalive_timeout(self):
        with Cleanup() as cleanup:
            demo = cleanup.add(Demo())
            gw = cleanup.add(Flotilla(gateway_config(
                {"app": {"servers": [demo.address]}},
                [{"match": {"path": "/"}, "upstream": "app"}],
                listener={"http2": True, "timeouts": {"keepalive": "1s"}})))
            client = H2Client(gw.port)
            try:
                sid = client.request("/api/hello", scheme="http")
                headers, _, _, _ = client.response(sid)
                self.assertEqual(headers[":status"], "200")
                start = time.monotonic()
                while not client.closed and time.monotonic() - start < 10:
                    client.receive(0.5)
                self.assertTrue(client.closed, "the idle connection stayed open")
                self.assertLess(time.monotonic() - start, 5)
            finally:
                client.close()
            # Workers publish their counters on their own schedule: poll, bounded.
            deadline = time.monotonic() + 5
            while True:
                closed = metric(gw.metrics(), "flotilla_http2_events_total", event="idle_timeout")
                if closed or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            self.assertGreaterEqual(closed, 1)


if __name__ == "__main__":
    unittest.main()
