"""Absolute-form request targets (`GET http://host/path HTTP/1.1`, RFC 9112 §3.2.2): the upstream
gets the origin-form target (path and query, "/" for an empty path) and one Host taken from the
target's authority, whatever Host line the client sent; other forms pass unchanged."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from backends import Backend  # noqa: E402
from harness import Cleanup, Flotilla, gateway_config  # noqa: E402
from rawhttp import Reader, connect, read_response  # noqa: E402


class AbsoluteForm(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.recorder = cls.cleanup.add(Backend("recorder"))
            cls.gw = cls.cleanup.add(Flotilla(gateway_config(
                {"recorder": {"servers": [cls.recorder.address]}},
                [{"match": {"path": "/"}, "upstream": "recorder"}])))
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def forwarded(self, raw):
        """Sends one raw request, checks the 200, returns (request line, Host values) the
        upstream saw."""
        self.recorder.clear()
        sock = connect(self.gw.port)
        try:
            sock.sendall(raw)
            response = read_response(Reader(sock))
        finally:
            sock.close()
        self.assertEqual(response.status, 200, response.raw_head)
        self.assertEqual(len(self.recorder.requests), 1)
        request = self.recorder.requests[0]
        return request.start_line.decode(), [v for k, v in request.headers if k.lower() == "host"]

    def test_absolute_form_becomes_origin_form(self):
        cases = (
            (b"GET http://abs.test/a/b?x=1&y=%20 HTTP/1.1\r\nHost: other.test\r\n\r\n",
             "GET /a/b?x=1&y=%20 HTTP/1.1", "abs.test"),
            (b"GET http://abs.test:8080/p HTTP/1.1\r\nHost: abs.test:8080\r\n\r\n",
             "GET /p HTTP/1.1", "abs.test:8080"),
            # An empty path is "/" (RFC 9112 §3.2.1), with or without a query.
            (b"GET http://abs.test HTTP/1.1\r\nHost: abs.test\r\n\r\n", "GET / HTTP/1.1",
             "abs.test"),
            (b"GET http://abs.test?q=1 HTTP/1.1\r\nHost: abs.test\r\n\r\n", "GET /?q=1 HTTP/1.1",
             "abs.test"),
            # HTTP/1.0 goes out as HTTP/1.1 and needs no Host of its own.
            (b"GET http://old.test/v HTTP/1.0\r\n\r\n", "GET /v HTTP/1.1", "old.test"),
            (b"POST https://abs.test/form HTTP/1.1\r\nHost: abs.test\r\nContent-Length: 3\r\n\r\nabc",
             "POST /form HTTP/1.1", "abs.test"),
        )
        for raw, line, host in cases:
            with self.subTest(raw=raw):
                seen_line, seen_hosts = self.forwarded(raw)
                self.assertEqual(seen_line, line)
                self.assertEqual(seen_hosts, [host])

    def test_origin_form_is_unchanged(self):
        seen_line, seen_hosts = self.forwarded(
            b"GET /a/b?c=http://x.test/ HTTP/1.1\r\nHost: site.test\r\n\r\n")
        self.assertEqual(seen_line, "GET /a/b?c=http://x.test/ HTTP/1.1")
        self.assertEqual(seen_hosts, ["site.test"])

    def test_pipelined_absolute_form_requests(self):
        # The rewritten head must not disturb how the next request is found in the buffer.
        self.recorder.clear()
        sock = connect(self.gw.port)
        try:
            sock.sendall(b"GET http://one.test/1 HTTP/1.1\r\nHost: one.test\r\n\r\n"
                         b"GET http://two.test/2?z HTTP/1.1\r\nHost: two.test\r\n\r\n")
            reader = Reader(sock)
            self.assertEqual(read_response(reader).status, 200)
            self.assertEqual(read_response(reader).status, 200)
        finally:
            sock.close()
        self.assertEqual([r.start_line.decode() for r in self.recorder.requests],
                         ["GET /1 HTTP/1.1", "GET /2?z HTTP/1.1"])
        self.assertEqual([r.header("host") for r in self.recorder.requests],
                         ["one.test", "two.test"])


if __name__ == "__main__":
    unittest.main()
