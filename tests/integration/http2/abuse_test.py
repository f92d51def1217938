"""HTTP/2 floods against the real binary, each cut off at its budget with GOAWAY
ENHANCE_YOUR_CALM (well before the flood ends) and counted in /metrics, while a well-behaved
client on another connection keeps being served: rapid reset (CVE-2023-44487), CONTINUATION
flood (CVE-2024-27316), PING, SETTINGS and empty-DATA floods; streams over
max_concurrent_streams refused (RFC 9113 §5.1.2); the client preface checked (§3.4)."""
import json
import os
import socket
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from h2_client import H2Client  # noqa: E402
from harness import Cleanup, Demo, Flotilla, gateway_config, metric  # noqa: E402

import h2.errors  # noqa: E402
import h2.exceptions  # noqa: E402
import h2.settings  # noqa: E402
import hpack  # noqa: E402

CALM = h2.errors.ErrorCodes.ENHANCE_YOUR_CALM


def frame(kind, flags, stream_id, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + \
        struct.pack(">I", stream_id) + payload


class Abuse(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.demo = cls.cleanup.add(Demo())
            cls.gw = cls.cleanup.add(Flotilla(gateway_config(
                {"app": {"servers": [cls.demo.address]}},
                [{"match": {"path": "/"}, "upstream": "app"}], listener={"http2": True})))
            cls.port = cls.gw.port
            cls.baseline = cls.hello_latency()
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    @classmethod
    def hello_latency(cls):
        """Seconds for one request on a fresh, well-behaved h2c connection."""
        start = time.monotonic()
        client = H2Client(cls.port)
        try:
            sid = client.request("/api/hello", scheme="http")
            headers, _, _, reset = client.response(sid)
            assert headers.get(":status") == "200" and reset is None, (headers, reset)
        finally:
            client.close()
        return time.monotonic() - start

    def event_count(self, event):
        return metric(self.gw.metrics(), "flotilla_http2_events_total", event=event)

    def assert_flood_cut(self, event, send_flood):
        """Runs `send_flood(client)` (which sends in batches and returns how many frames it
        sent before the server stopped it) and checks GOAWAY, the counter and a bystander."""
        before = self.event_count(event)
        client = H2Client(self.port)
        try:
            sent, total = send_flood(client)
            goaway = client.wait_goaway(10.0)
            self.assertIsNotNone(goaway, f"no GOAWAY after {sent} of {total} frames")
            self.assertEqual(goaway.error_code, CALM)
            self.assertLess(sent, total, "the flood was never cut off")
        finally:
            client.close()
        self.assertGreaterEqual(self.event_count(event), before + 1)
        # A client on another connection is still served, within a wide bound.
        self.assertLess(self.hello_latency(), max(1.0, 10 * self.baseline))

    def batches(self, client, total, make_frames, batch=50):
        """Sends `total` frames from make_frames(client, count) in batches; stops when the
        server has closed or sent GOAWAY. Returns (sent, total)."""
        sent = 0
        while sent < total:
            try:
                client.sock.sendall(make_frames(client, batch))
            except OSError:
                break
            sent += batch
            client.receive(0.001)
            if client.goaway or client.closed:
                break
        return sent, total

    def test_rapid_reset_gets_goaway(self):
        def resets(client, count):
            out = b""
            for _ in range(count):
                sid = client.request("/api/slow?ms=2000", scheme="http")
                client.conn.reset_stream(sid, h2.errors.ErrorCodes.CANCEL)
                out += client.conn.data_to_send()
            return out

        def flood(client):
            try:
                return self.batches(client, 5000, resets)
            except h2.exceptions.ProtocolError:  # the h2 library saw the GOAWAY first
                return 0, 5000
        self.assert_flood_cut("rapid_reset", flood)

    def test_ping_flood_gets_goaway(self):
        self.assert_flood_cut("ping_flood", lambda client: self.batches(
            client, 10000, lambda c, n: b"".join(frame(6, 0, 0, struct.pack(">Q", i))
                                                 for i in range(n))))

    def test_settings_flood_gets_goaway(self):
        self.assert_flood_cut("settings_flood", lambda client: self.batches(
            client, 10000, lambda c, n: frame(4, 0, 0, struct.pack(">HI", 3, 100)) * n))

    def test_empty_data_flood_gets_goaway(self):
        def flood(client):
            sid = client.request("/api/echo", method="POST", scheme="http", end_stream=False)
            return self.batches(client, 10000, lambda c, n: frame(0, 0, sid, b"") * n)
        self.assert_flood_cut("empty_data_flood", flood)

    def test_continuation_flood_gets_goaway(self):
        def flood(client):
            block = hpack.Encoder().encode([(":method", "GET"), (":path", "/api/hello"),
                                            (":scheme", "http"), (":authority", "x")] +
                                           [(f"x-h{i}", "v" * 20) for i in range(200)])
            # HEADERS without END_HEADERS, then one CONTINUATION per byte of the block.
            client.sock.sendall(frame(1, 0x1, 1, block[:1]))
            pieces = [block[i:i + 1] for i in range(1, len(block))]
            sent = 0
            for start in range(0, len(pieces), 50):
                try:
                    client.sock.sendall(b"".join(frame(9, 0, 1, p)
                                                 for p in pieces[start:start + 50]))
                except OSError:
                    break
                sent += 50
                client.receive(0.001)
                if client.goaway or client.closed:
                    break
            return sent, len(pieces)
        self.assert_flood_cut("continuation_flood", flood)

    def test_streams_over_the_limit_are_refused(self):
        before = self.event_count("stream_refused")
        client = H2Client(self.port)
        try:
            # Past the advertised 128, as a client that has not read our SETTINGS would.
            client.conn.remote_settings[h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS] = 1000
            client.conn.remote_settings.acknowledge()
            sids = [client.request("/api/slow?ms=1500", scheme="http") for _ in range(140)]
            resets, ok = 0, 0
            for sid in sids:
                headers, _, _, reset = client.response(sid, timeout=20)
                if reset == h2.errors.ErrorCodes.REFUSED_STREAM:
                    resets += 1
                elif headers.get(":status") == "200":
                    ok += 1
            self.assertEqual(ok, 128)
            self.assertEqual(resets, 12)
        finally:
            client.close()
        self.assertGreaterEqual(self.event_count("stream_refused"), before + 12)

    def test_bad_preface_is_not_http2(self):
        # Almost the preface: not HTTP/2, and not a valid HTTP/1 request either.
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n")
            data = s.recv(4096)
        self.assertTrue(data.startswith(b"HTTP/1.1 4") or data.startswith(b"HTTP/1.1 5"), data)


if __name__ == "__main__":
    unittest.main()
