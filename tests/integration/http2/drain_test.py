"""Graceful GOAWAY on shutdown: a draining flotilla tells its HTTP/2 clients GOAWAY NO_ERROR with
the last stream it took, and a stream in flight still completes with its whole response."""
import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from h2_client import H2Client  # noqa: E402
from harness import Cleanup, Demo, Flotilla, gateway_config  # noqa: E402

import h2.errors  # noqa: E402


class Drain(unittest.TestCase):
    def test_goaway_on_drain_lets_the_stream_in_flight_finish(self):
        with Cleanup() as cleanup:
            demo = cleanup.add(Demo())
            gw = cleanup.add(Flotilla(gateway_config(
                {"app": {"servers": [demo.address]}},
                [{"match": {"path": "/"}, "upstream": "app"}], listener={"http2": True})))
            client = H2Client(gw.port)
            try:
                sid = client.request("/api/slow?ms=2500", scheme="http")
                time.sleep(0.5)  # the request is with the upstream
                gw.process.send_signal(signal.SIGTERM)
                goaway = client.wait_goaway(5.0)
                self.assertIsNotNone(goaway, "no GOAWAY while draining")
                self.assertEqual(goaway.error_code, h2.errors.ErrorCodes.NO_ERROR)
                self.assertGreaterEqual(goaway.last_stream_id, sid)
                headers, body, _, reset = client.response(sid, timeout=10)
                self.assertIsNone(reset)
                self.assertEqual(headers[":status"], "200")
                self.assertIn(b"slept_ms", body)
            finally:
                client.close()
            self.assertEqual(gw.process.proc.wait(timeout=30), 0)


if __name__ == "__main__":
    unittest.main()
