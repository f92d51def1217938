"""HTTP semantics the proxy must get right on the wire: Expect: 100-continue, HEAD and 204/304
responses without a body (proven by pipelining what follows), chunked responses de-chunked for
HTTP/1.0 clients, absolute-form targets, the Host the upstream sees, X-Forwarded-* and Via."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from backends import Backend  # noqa: E402
from harness import Cleanup, Demo, Flotilla, gateway_config, raw_exchange  # noqa: E402
from rawhttp import Reader, connect, read_head, read_response  # noqa: E402


class Headers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.a = cls.cleanup.add(Demo(env={"FLOTILLA_INSTANCE": "a"}))
            cls.b = cls.cleanup.add(Demo(env={"FLOTILLA_INSTANCE": "b"}))
            cls.recorder = cls.cleanup.add(Backend("recorder"))
            # Answers with a Content-Length the codec accepts but must not forward as is.
            cls.duplicate_length = cls.cleanup.add(Backend("duplicate-length", respond=(
                lambda request, backend: b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                                         b"X-A: b\r\nContent-Length: 2, 2\r\n\r\nok")))
            cls.gw = cls.cleanup.add(Flotilla(gateway_config(
                {"a": {"servers": [cls.a.address]}, "b": {"servers": [cls.b.address]},
                 "recorder": {"servers": [cls.recorder.address]},
                 "duplicate": {"servers": [cls.duplicate_length.address]}},
                [{"match": {"path": "/"}, "upstream": "a"},
                 {"match": {"host": "www.example.test", "path": "/"}, "upstream": "b"},
                 {"match": {"path": "/recorded/"}, "upstream": "recorder"},
                 {"match": {"path": "/duplicate/"}, "upstream": "duplicate"}],
                {"limits": {"max_body": 0}})))
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def test_expect_100_continue_upload(self):
        for size in (11, 300_000):  # buffered and streamed bodies
            with self.subTest(size=size):
                body = os.urandom(size)
                sock = connect(self.gw.port)
                try:
                    sock.sendall(b"POST /api/echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                                 b"Content-Length: %d\r\n\r\n" % size)
                    reader = Reader(sock)
                    interim = read_head(reader)  # the client waits for it before the body
                    self.assertEqual(interim.status, 100, interim.raw_head)
                    sock.sendall(body)
                    response = read_response(reader, request_method="POST")
                    self.assertEqual(response.status, 200)
                    self.assertEqual(response.body, body)
                    # Exactly one 100: flotilla answered Expect and did not forward it.
                    self.assertEqual(reader.buffer, b"")
                finally:
                    sock.close()

    def test_bodiless_responses_keep_the_connection_in_sync(self):
        # Pipelined: any stray body byte after HEAD, 204 or 304 would corrupt what follows.
        sock = connect(self.gw.port)
        try:
            sock.sendall(b"HEAD /api/bytes?n=1000 HTTP/1.1\r\nHost: x\r\n\r\n"
                         b"GET /api/status/204 HTTP/1.1\r\nHost: x\r\n\r\n"
                         b"HEAD /api/bytes?n=5000&chunked=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                         b"GET /api/status/304 HTTP/1.1\r\nHost: x\r\n\r\n"
                         b"GET /api/hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            reader = Reader(sock)
            head = read_response(reader, request_method="HEAD")
            self.assertEqual((head.status, head.header("content-length"), head.body), (200, "1000", b""))
            no_content = read_response(reader)
            self.assertEqual((no_content.status, no_content.body), (204, b""))
            chunked_head = read_response(reader, request_method="HEAD")
            self.assertEqual((chunked_head.status, chunked_head.body), (200, b""))
            self.assertEqual(chunked_head.header("transfer-encoding"), "chunked")
            not_modified = read_response(reader)
            self.assertEqual((not_modified.status, not_modified.body), (304, b""))
            hello = read_response(reader)
            self.assertEqual(hello.status, 200)
            self.assertEqual(json.loads(hello.body)["message"], "hello")
            self.assertEqual(reader.read_to_eof(), b"")
        finally:
            sock.close()

    def test_chunked_response_to_http10_client_is_dechunked(self):
        for connection in (b"", b"Connection: keep-alive\r\n"):
            with self.subTest(connection=connection):
                raw = raw_exchange(self.gw.port, b"GET /api/bytes?n=100000&chunked=1 HTTP/1.0\r\n"
                                   + connection + b"\r\n", timeout=5)
                head, _, body = raw.partition(b"\r\n\r\n")
                self.assertTrue(head.startswith(b"HTTP/1.1 200"), head)
                self.assertNotIn(b"transfer-encoding", head.lower())
                self.assertIn(b"connection: close", head.lower())  # the close ends the body
                self.assertEqual(len(body), 100000)

    def test_http10_keep_alive_with_content_length(self):
        sock = connect(self.gw.port)
        try:
            reader = Reader(sock)
            for _ in range(2):
                sock.sendall(b"GET /api/hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                response = read_response(reader)
                self.assertEqual(response.status, 200)
                self.assertEqual(response.header("connection").lower(), "keep-alive")
                self.assertEqual(json.loads(response.body)["message"], "hello")
        finally:
            sock.close()

    def test_absolute_form_routes_on_its_authority(self):
        raw = raw_exchange(self.gw.port, b"GET http://www.example.test/api/echo?x=1 HTTP/1.1\r\n"
                           b"Host: other.test\r\nConnection: close\r\n\r\n")
        self.assertTrue(raw.startswith(b"HTTP/1.1 200"), raw[:200])
        seen = json.loads(raw.partition(b"\r\n\r\n")[2])
        # Routed on the target's authority (backend b), and the upstream's Host agrees with it.
        self.assertEqual(seen["headers"]["host"], "www.example.test")
        self.assertEqual(seen["headers"]["x-forwarded-host"], "www.example.test")
        self.assertEqual(json.loads(raw_exchange(self.gw.port, (
            b"GET http://www.example.test/api/hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )).partition(b"\r\n\r\n")[2])["instance"], "b")

    def test_upstream_gets_exactly_one_host(self):
        cases = ((b"GET /recorded/a HTTP/1.1\r\nHost: site.test\r\n\r\n", "site.test"),
                 (b"GET http://abs.test/recorded/b HTTP/1.1\r\nHost: site.test\r\n\r\n", "abs.test"),
                 (b"GET /recorded/c HTTP/1.1\r\nHost:\r\n\r\n", "recorder"),
                 (b"GET /recorded/d HTTP/1.0\r\n\r\n", "recorder"))
        for raw, host in cases:
            with self.subTest(raw=raw):
                self.recorder.clear()
                answer = raw_exchange(self.gw.port, raw, read_until_close=False)
                self.assertTrue(answer.startswith(b"HTTP/1.1 200"), answer[:200])
                request = self.recorder.requests[0]
                self.assertEqual([v for k, v in request.headers if k.lower() == "host"], [host])

    def test_forwarding_headers(self):
        raw = raw_exchange(self.gw.port, b"GET /api/echo HTTP/1.1\r\nHost: x\r\nVia: 1.0 fred\r\n"
                           b"X-Forwarded-For: 1.1.1.1\r\nX-Forwarded-For: 2.2.2.2, 3.3.3.3\r\n"
                           b"X-Real-IP: 6.6.6.6\r\nX-Forwarded-Proto: https\r\n"
                           b"X-Forwarded-Host: evil.test\r\nConnection: close\r\n\r\n")
        head, _, body = raw.partition(b"\r\n\r\n")
        seen = json.loads(body)["headers"]
        # Earlier hops' lists folded into one, then the client; the rest is flotilla's to say.
        self.assertEqual(seen["x-forwarded-for"], "1.1.1.1, 2.2.2.2, 3.3.3.3, 127.0.0.1")
        self.assertEqual(seen["x-real-ip"], "127.0.0.1")
        self.assertEqual(seen["x-forwarded-proto"], "http")
        self.assertEqual(seen["x-forwarded-host"], "x")
        self.assertEqual(seen["via"], "1.0 fred, 1.1 flotilla")
        self.assertIn(b"\r\nvia: 1.1 flotilla", head.lower())
        self.assertRegex(seen["x-request-id"], r"^[0-9a-f]{32}$")
        self.assertIn(b"x-request-id: " + seen["x-request-id"].encode(), head.lower())

    def test_content_length_forwarded_as_one_canonical_line(self):
        # RFC 9110 §8.6: duplicates or a list of one value must become a single valid line.
        for lines, length in ((b"Content-Length: 2\r\nContent-Length: 2\r\n", 2),
                              (b"Content-Length: 2, 2\r\n", 2),
                              (b"Content-Length: 0005\r\n", 5)):
            with self.subTest(lines=lines):
                self.recorder.clear()
                answer = raw_exchange(self.gw.port, b"POST /recorded/x HTTP/1.1\r\nHost: x\r\n"
                                      + lines + b"\r\n" + b"y" * length, read_until_close=False)
                self.assertTrue(answer.startswith(b"HTTP/1.1 200"), answer[:200])
                request = self.recorder.requests[0]
                self.assertEqual([v for k, v in request.headers if k.lower() == "content-length"],
                                 [str(length)], request.raw_head)
                self.assertEqual(request.body, b"y" * length)

        raw = raw_exchange(self.gw.port, b"GET /duplicate/x HTTP/1.1\r\nHost: x\r\n"
                           b"Connection: close\r\n\r\n")
        head, _, body = raw.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 200"), raw[:200])
        self.assertEqual([line for line in head.lower().split(b"\r\n")
                          if line.startswith(b"content-length:")], [b"content-length: 2"])
        self.assertEqual(body, b"ok")

    def test_request_id_is_returned_whether_kept_or_generated(self):
        given = raw_exchange(self.gw.port, b"GET /api/echo HTTP/1.1\r\nHost: x\r\n"
                             b"X-Request-Id: client-id-42\r\nConnection: close\r\n\r\n")
        head, _, body = given.partition(b"\r\n\r\n")
        self.assertEqual(json.loads(body)["headers"]["x-request-id"], "client-id-42")
        self.assertIn(b"\r\nx-request-id: client-id-42\r\n", head.lower() + b"\r\n")

        generated = raw_exchange(self.gw.port, b"GET /api/echo HTTP/1.1\r\nHost: x\r\n"
                                 b"Connection: close\r\n\r\n")
        head, _, body = generated.partition(b"\r\n\r\n")
        seen = json.loads(body)["headers"]["x-request-id"]
        self.assertRegex(seen, r"^[0-9a-f]{32}$")
        self.assertIn(b"\r\nx-request-id: " + seen.encode() + b"\r\n", head.lower() + b"\r\n")

    def test_request_id_named_in_connection_is_replaced(self):
        # The client made its id hop-by-hop: it is dropped, and the upstream still gets one.
        self.recorder.clear()
        answer = raw_exchange(self.gw.port, b"GET /recorded/id HTTP/1.1\r\nHost: x\r\n"
                              b"Connection: X-Request-Id\r\nX-Request-Id: hop\r\n\r\n",
                              read_until_close=False)
        self.assertTrue(answer.startswith(b"HTTP/1.1 200"), answer[:200])
        ids = [v for k, v in self.recorder.requests[0].headers if k.lower() == "x-request-id"]
        self.assertEqual(len(ids), 1, self.recorder.requests[0].raw_head)
        self.assertRegex(ids[0], r"^[0-9a-f]{32}$")
        self.assertIn(b"\r\nx-request-id: " + ids[0].encode() + b"\r\n", answer.lower())

    def test_underscore_aliases_of_forwarding_headers_are_dropped(self):
        # A CGI/WSGI upstream reads X_Real_IP as X-Real-IP: the client must not get to say it.
        self.recorder.clear()
        answer = raw_exchange(self.gw.port, b"GET /recorded/u HTTP/1.1\r\nHost: x\r\n"
                              b"X_Real_IP: 6.6.6.6\r\nX_Forwarded_For: 6.6.6.6\r\n"
                              b"x_forwarded_host: evil.test\r\nX_Request_Id: spoof\r\n"
                              b"VIA_: no\r\nMy_Header: kept\r\n\r\n", read_until_close=False)
        self.assertTrue(answer.startswith(b"HTTP/1.1 200"), answer[:200])
        request = self.recorder.requests[0]
        folded = [k.lower().replace("_", "-") for k, _ in request.headers]
        for name in ("x-real-ip", "x-forwarded-for", "x-forwarded-host", "x-request-id"):
            self.assertEqual(folded.count(name), 1, request.raw_head)
        self.assertEqual(request.header("x-real-ip"), "127.0.0.1")
        self.assertEqual(request.header("my_header"), "kept")
        self.assertEqual(request.header("via_"), "no")  # not an alias of anything we set


if __name__ == "__main__":
    unittest.main(verbosity=2)
