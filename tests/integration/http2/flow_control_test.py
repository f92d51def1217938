"""HTTP/2 flow control end to end through the real binary: a client that stops reading one
stream stalls that stream alone (another stream on the same connection is served at once) and
flotilla's memory stays flat (the upstream read pauses: nothing is buffered beyond a window); a
1 GiB download read slowly (then fast) and a 1 GiB upload both go through in constant memory."""
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
GiB = 1024 * MiB


class FlowControl(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.demo = cls.cleanup.add(Demo())
            config = json.loads(gateway_config(
                {"app": {"servers": [cls.demo.address]}},
                # A 256 KiB stream window (the default is 64 KiB): the 1 GiB upload is paced by
                # one window per round trip through flotilla and the upstream, and this keeps
                # it within ~30 s on a loaded 2-core machine; memory stays one window.
                [{"match": {"path": "/"}, "upstream": "app"}],
                listener={"http2": {"initial_window": "256Ki"}}, workers=1))
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
        size = GiB
        client = H2Client(self.port)
        client.keep_events = False
        try:
            rss_before = self.rss_mib()
            sid = client.request(f"/api/bytes?n={size}", scheme="http")
            digest = hashlib.sha256()
            got, peak = 0, 0
            deadline = time.monotonic() + 180
            ended = False
            started = time.monotonic()
            while not ended and time.monotonic() < deadline:
                for e in client.receive(1.0):
                    if isinstance(e, h2.events.DataReceived):
                        digest.update(e.data)
                        got += len(e.data)
                    ended = ended or isinstance(e, h2.events.StreamEnded)
                if got and got % (32 * MiB) < 65536:
                    peak = max(peak, self.rss_mib())
                    if got < 256 * MiB:
                        time.sleep(0.5)  # a slow reader for the first quarter, then a fast one
            self.assertTrue(ended)
            self.assertEqual(got, size)
            print(f"\n  1 GiB download: {time.monotonic() - started:.1f} s, RSS growth "
                  f"{max(peak, self.rss_mib()) - rss_before:.1f} MiB", file=sys.stderr)
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
        size = GiB
        piece = os.urandom(MiB)
        twice = memoryview(piece + piece)  # any MiB-long window of the repeating pattern
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
            deadline = time.monotonic() + 180
            started = time.monotonic()
            next_sample = 0
            while sent < size and time.monotonic() < deadline:
                # All the window allows, in frames of the largest size, then one write.
                window = min(client.conn.local_flow_control_window(sid), size - sent)
                while window > 0:
                    n = min(window, client.conn.max_outbound_frame_size)
                    offset = sent % MiB
                    client.conn.send_data(sid, twice[offset:offset + n],
                                          end_stream=sent + n == size)
                    sent += n
                    window -= n
                client.flush()
                # The echo and the WINDOW_UPDATEs: returns as soon as either arrives.
                take(client.receive(0.5))
                if sent >= next_sample:
                    peak = max(peak, self.rss_mib())
                    next_sample += 16 * MiB
            self.assertEqual(sent, size)
            while not ended and time.monotonic() < deadline:
                take(client.receive(1.0))
            self.assertEqual(status, "200")
            self.assertEqual(echoed, size)
            print(f"\n  1 GiB upload (echoed): {time.monotonic() - started:.1f} s, RSS growth "
                  f"{max(peak, self.rss_mib()) - rss_before:.1f} MiB", file=sys.stderr)
            self.assertLess(max(peak, self.rss_mib()) - rss_before, 48)
        finally:
            client.close()


if __name__ == "__main__":
    unittest.main()
