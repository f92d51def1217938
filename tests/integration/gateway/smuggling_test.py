"""The codec's vector table (tests/unit/http/smuggling_vectors.hpp, dumped by the
flotilla_dump_vectors tool) sent raw through the proxy to a backend that records every byte:
each malformed request is answered with its status and the backend receives nothing at all —
alone or pipelined behind a valid request —, each valid request reaches the backend intact, and
each malformed response becomes a 502."""
import json
import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from backends import CLOSE, Backend, reply  # noqa: E402
from harness import BUILD_DIR, Cleanup, Flotilla, gateway_config, raw_exchange, status_of  # noqa: E402
from rawhttp import Reader, read_message  # noqa: E402

# Valid HTTP that is not for a path-prefix route to an origin server: CONNECT asks a forward
# proxy for a tunnel, `OPTIONS *` asks about flotilla itself. Flotilla answers them (no route).
NOT_PROXIED = {"options_asterisk", "connect_authority"}
# Responses that only make sense after a particular request (checked by their own tests below).
CONTEXTUAL_RESPONSES = {"response_100_continue", "response_101"}


def load_vectors():
    tool = os.path.join(BUILD_DIR, "tests", "flotilla_dump_vectors")
    if not os.path.exists(tool):  # ctest runs tests without building every target first
        subprocess.run(["cmake", "--build", BUILD_DIR, "--target", "flotilla_dump_vectors"],
                       check=True, timeout=600, stdout=subprocess.DEVNULL)
    return json.loads(subprocess.run([tool], check=True, capture_output=True, timeout=30).stdout)


class _Bytes:
    """A socket stand-in serving fixed bytes, to parse a vector with the test's own reader."""

    def __init__(self, data):
        self.data = data

    def recv(self, n):
        out, self.data = self.data[:n], self.data[n:]
        return out


def parse(raw, is_request=True):
    return read_message(Reader(_Bytes(raw)), is_request)


def canonical_chunks(body):
    """The decoded payload of a chunked body, asserting canonical framing: sizes in minimal
    lowercase hex, no extensions, the last chunk with no trailer, nothing after it."""
    out = b""
    while True:
        line, sep, body = body.partition(b"\r\n")
        assert sep, "no CRLF after a chunk size"
        assert re.fullmatch(rb"0|[1-9a-f][0-9a-f]*", line), f"chunk size line {line!r}"
        size = int(line, 16)
        if size == 0:
            assert body == b"\r\n", f"trailer or bytes after the last chunk: {body!r}"
            return out
        out, body = out + body[:size], body[size:]
        assert body.startswith(b"\r\n"), "no CRLF after chunk data"
        body = body[2:]


class Smuggling(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.vectors = load_vectors()
        cls.next_response = None  # None: a normal 200; else raw bytes sent before closing
        cls.cleanup = Cleanup().__enter__()
        try:
            def respond(request, backend):
                if cls.next_response is None:
                    return reply(200, b"ok")
                return (cls.next_response, CLOSE)

            cls.backend = cls.cleanup.add(Backend("recorder", respond=respond))
            cls.gw = cls.cleanup.add(Flotilla(gateway_config(
                {"app": {"servers": [cls.backend.address]}},
                [{"match": {"path": "/"}, "upstream": "app"}])))
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def setUp(self):
        type(self).next_response = None
        self.backend.clear()

    def rejected_requests(self):
        vectors = [v for v in self.vectors["rejected"] if v["request"]]
        self.assertGreater(len(vectors), 90)  # the table as the codec tests know it
        return vectors

    def test_rejected_requests_never_reach_the_backend(self):
        for v in self.rejected_requests():
            with self.subTest(v["name"]):
                raw = bytes.fromhex(v["raw_hex"])
                answer = raw_exchange(self.gw.port, raw, timeout=5)
                self.assertEqual(status_of(answer), v["status"], answer[:200])
                self.assertIn(b"connection: close", answer.lower())
                self.assertEqual(bytes(self.backend.received), b"")
        time.sleep(0.3)  # anything sent late would have arrived by now
        self.assertEqual(self.backend.connections, 0)
        self.assertEqual(bytes(self.backend.received), b"")

    def test_rejected_requests_pipelined_behind_a_valid_one(self):
        first = b"GET /first HTTP/1.1\r\nHost: a\r\n\r\n"
        for v in self.rejected_requests():
            with self.subTest(v["name"]):
                self.backend.clear()
                raw = bytes.fromhex(v["raw_hex"])
                answer = raw_exchange(self.gw.port, first + raw, timeout=5)
                self.assertEqual(status_of(answer), 200, answer[:200])
                second = answer[answer.index(b"\r\n\r\nok") + 6:]
                self.assertEqual(status_of(second), v["status"], answer[:400])
                deadline = time.monotonic() + 2
                while not self.backend.requests and time.monotonic() < deadline:
                    time.sleep(0.01)
                self.assertEqual([r.target for r in self.backend.requests], ["/first"])
                # Not one byte of the rejected request followed the valid one upstream.
                self.assertEqual(bytes(self.backend.received), self.backend.requests[0].raw_head)

    def test_valid_requests_reach_the_backend_intact(self):
        vectors = [v for v in self.vectors["accepted"] if v["request"]]
        self.assertGreater(len(vectors), 15)
        for v in vectors:
            with self.subTest(v["name"]):
                self.backend.clear()
                raw = bytes.fromhex(v["raw_hex"])
                sent = parse(raw)
                answer = raw_exchange(self.gw.port, raw, timeout=5, read_until_close=False)
                if v["name"] in NOT_PROXIED:
                    self.assertEqual(status_of(answer), 404, answer[:200])
                    self.assertEqual(bytes(self.backend.received), b"")
                    continue
                self.assertEqual(status_of(answer), 200, answer[:200])
                self.assertEqual(len(self.backend.requests), 1)
                got = self.backend.requests[0]
                self.assertEqual(got.method, sent.method)
                self.assertEqual(got.body, sent.body)
                self.assertTrue(got.complete)
                if sent.target.startswith("/"):
                    self.assertEqual(got.target, sent.target)

    def test_malformed_responses_become_502(self):
        vectors = [v for v in self.vectors["rejected"] if not v["request"]]
        self.assertGreater(len(vectors), 10)
        for v in vectors:
            with self.subTest(v["name"]):
                type(self).next_response = bytes.fromhex(v["raw_hex"])
                answer = raw_exchange(self.gw.port, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
                                      timeout=5, read_until_close=False)
                self.assertEqual(status_of(answer), v["status"], answer[:200])

    def test_valid_responses_pass(self):
        for v in self.vectors["accepted"]:
            if v["request"] or v["name"] in CONTEXTUAL_RESPONSES:
                continue
            with self.subTest(v["name"]):
                raw = bytes.fromhex(v["raw_hex"])
                expected = parse(raw, is_request=False)
                type(self).next_response = raw
                answer = raw_exchange(self.gw.port, b"GET / HTTP/1.1\r\nHost: a\r\n"
                                      b"Connection: close\r\n\r\n", timeout=5)
                got = parse(answer, is_request=False)
                self.assertEqual(got.status, expected.status, answer[:200])
                self.assertEqual(got.body, expected.body)
                self.assertTrue(got.complete)

    def test_interim_100_is_absorbed_and_unrequested_101_is_refused(self):
        type(self).next_response = (b"HTTP/1.1 100 Continue\r\n\r\n"
                                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        answer = raw_exchange(self.gw.port, b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        self.assertEqual(status_of(answer), 200, answer[:200])
        self.assertNotIn(b"100 Continue", answer)
        # Switching protocols for a client that asked for no upgrade would desynchronise it.
        type(self).next_response = (b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                                    b"Upgrade: websocket\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n")
        answer = raw_exchange(self.gw.port, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
                              read_until_close=False)
        self.assertEqual(status_of(answer), 502, answer[:200])
        self.assertNotIn(b"smuggled", answer)

    def wait_for_backend_bytes(self, marker):
        deadline = time.monotonic() + 5
        while marker not in bytes(self.backend.received) and time.monotonic() < deadline:
            time.sleep(0.02)
        return bytes(self.backend.received)

    def test_chunked_bodies_go_upstream_in_canonical_framing(self):
        # Leading zeros, a chunk extension and a trailer from the client: the backend sees minimal
        # hex sizes, no extension, no trailer, and `Transfer-Encoding: chunked` exactly.
        answer = raw_exchange(self.gw.port, b"POST /up HTTP/1.1\r\nHost: a\r\n"
                              b"Transfer-Encoding:  chunked \r\nConnection: close\r\n\r\n"
                              b"005;name=value\r\nhello\r\n000A\r\n0123456789\r\n"
                              b"0\r\nX-Trailer: t\r\n\r\n")
        self.assertEqual(status_of(answer), 200, answer[:200])
        got = self.wait_for_backend_bytes(b"0\r\n\r\n")
        head, _, body = got.partition(b"\r\n\r\n")
        self.assertIn(b"\r\nTransfer-Encoding: chunked\r\n", head + b"\r\n", got)
        self.assertEqual(head.lower().count(b"transfer-encoding"), 1, got)
        self.assertEqual(canonical_chunks(body), b"hello0123456789", got)

    def test_upgrade_with_a_tab_after_chunked_is_framed_the_same_upstream(self):
        # The fuzzer's intended difference upgrade_with_tabbed_chunked: we trim the HTAB and read
        # a chunked body before the upgrade; llhttp (every Node.js backend) would keep the HTAB,
        # see no body and treat the body as the tunnel's first bytes. Upstream, the framing is
        # ours, canonical: llhttp reads the same body.
        raw_exchange(self.gw.port, b"GET /chat HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\n"
                     b"Upgrade: websocket\r\nTransfer-Encoding: chunked\t\r\n\r\n"
                     b"5\r\nhello\r\n0\r\n\r\n", timeout=2)
        got = self.wait_for_backend_bytes(b"0\r\n\r\n")
        head, _, body = got.partition(b"\r\n\r\n")
        self.assertNotIn(b"chunked\t", got)
        self.assertIn(b"\r\nTransfer-Encoding: chunked\r\n", head + b"\r\n", got)
        self.assertEqual(body, b"5\r\nhello\r\n0\r\n\r\n", got)


if __name__ == "__main__":
    unittest.main(verbosity=2)
