"""HTTP/2 flow control end to end through the real binary: a client that stops reading one
stream stalls that stream alone (another stream on the same connection is served at once) and
flotilla's memory stays flat (the upstream read pauses: nothing is buffered beyond a window); a
large download read slowly and a large upload both go through in constant memory."""
import hashlib
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from h2_client import H2Client  # noqa: E402
from harness import Cleanup, Demo, Flotilla, gateway_config  # noqa: E402

import h2.events  # noqa: E402

MiB = 1024 * 1024


class FlowControl(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.demo = cls.cleanup.add(Demo())
            config = json.loads(gateway_config(
                {"app": {"servers": [cls.demo.address]}},
                [{"match": {"path": "/"}, "upstream": "app"}], listener={"http2": True},
                workers=1))
            config["listen"][0]["limits"] = {"max_body": "2G"}
            cls.gw = cls.cleanup.add(Flotilla(json.dumps(config)))
            cls.port = cls.gw.port
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def rss_mib(self):
        return self.gw.process.rss_kib() / 1024

    def test_slow_reader_stalls_only_its_stream(self):
        client = H2Client(self.port)
        try:
            rss_before = self.rss_mib()
            big = client.request(f"/api/bytes?n={512 * MiB}", scheme="http")
            got = 0
            deadline = time.monotonic() + 10
            # Read until the big stream's window is spent: give the connection window back,
            # never the stream's.
            while time.monotonic() < deadline:
                events = client.receive(0.5, ack=False)
                for e in events:
                    if isinstance(e, h2.events.DataReceived):
                        client.conn.increment_flow_control_window(e.flow_controlled_length)
                        if e.stream_id == big:
                            got += len(e.data)
                client.flush()
                if not events and got > 0:
                    break
            self.assertGreater(got, 0)
            self.assertLess(got, 1 * MiB)  # one stream window, not the body
            # Another stream on the same connection is served at once.
            start = time.monotonic()
            small = client.request("/api/hello", scheme="http")
            while time.monotonic() - start < 5:
                events = client.receive(0.5, ack=False)
                for e in events:
                    if isinstance(e, h2.events.DataReceived):
                        client.conn.increment_flow_control_window(e.flow_controlled_length)
                client.flush()
                if any(isinstance(e, h2.events.StreamEnded) and e.stream_id == small
                       for e in client.events):
                    break
            self.assertTrue(any(isinstance(e, h2.events.StreamEnded) and e.stream_id == small
                                for e in client.events), "the second stream was not served")
            self.assertLess(time.monotonic() - start, 2.0)
            time.sleep(1.0)  # the upstream keeps nothing flowing into flotilla meanwhile
            self.assertLess(self.rss_mib() - rss_before, 32, "flotilla buffered the stalled body")
        finally:
            client.close()

    def test_large_download_read_slowly_in_constant_memory(self):
        size = 256 * MiB
        client = H2Client(self.port)
        client.keep_events = False
        try:
            rss_before = self.rss_mib()
            sid = client.request(f"/api/bytes?n={size}", scheme="http")
            digest = hashlib.sha256()
            got, peak = 0, 0
            deadline = time.monotonic() + 120
            ended = False
            while not ended and time.monotonic() < deadline:
                for e in client.receive(1.0):
                    if isinstance(e, h2.events.DataReceived):
                        digest.update(e.data)
                        got += len(e.data)
                    ended = ended or isinstance(e, h2.events.StreamEnded)
                if got and got % (32 * MiB) < 65536:
                    peak = max(peak, self.rss_mib())
                    time.sleep(0.2)  # a slow reader
            self.assertTrue(ended)
            self.assertEqual(got, size)
            alphabet = bytes(range(ord("a"), ord("a") + 26))
            expected = hashlib.sha256()
            block = alphabet * (MiB // 26 + 2)
            for offset in range(0, size, MiB):
                start = offset % 26
                expected.update(block[start:start + min(MiB, size - offset)])
            self.assertEqual(digest.hexdigest(), expected.hexdigest())
            self.assertLess(max(peak, self.rss_mib()) - rss_before, 48)
        finally:
            client.close()

    def test_large_upload_in_constant_memory(self):
        size = 128 * MiB
        piece = os.urandom(MiB)
        client = H2Client(self.port)
        client.keep_events = False
        try:
            rss_before = self.rss_mib()
            sid = client.request("/api/echo", method="POST", scheme="http", end_stream=False,
                                 extra=[("content-length", str(size))])
            sent, echoed, peak, status, ended = 0, 0, 0, None, False

            def take(events):
                nonlocal echoed, status, ended
                for e in events:
                    if isinstance(e, h2.events.DataReceived):
                        echoed += len(e.data)
                    elif isinstance(e, h2.events.ResponseReceived):
                        status = dict(e.headers)[":status"]
                    elif isinstance(e, (h2.events.StreamEnded, h2.events.StreamReset)):
                        ended = True
            deadline = time.monotonic() + 120
            while sent < size and time.monotonic() < deadline:
                window = min(client.conn.local_flow_control_window(sid),
                             client.conn.max_outbound_frame_size, size - sent)
                if window > 0:
                    offset = sent % MiB
                    chunk = (piece + piece)[offset:offset + window]
                    client.conn.send_data(sid, chunk, end_stream=sent + window == size)
                    sent += window
                    client.flush()
                take(client.receive(0.001 if window > 0 else 0.5))
                if sent % (16 * MiB) < 16384:
                    peak = max(peak, self.rss_mib())
            self.assertEqual(sent, size)
            while not ended and time.monotonic() < deadline:
                take(client.receive(1.0))
            self.assertEqual(status, "200")
            self.assertEqual(echoed, size)
            self.assertLess(max(peak, self.rss_mib()) - rss_before, 48)
        finally:
            client.close()


if __name__ == "__main__":
    unittest.main()
