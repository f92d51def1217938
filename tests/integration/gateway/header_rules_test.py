"""Header rules, redirects, TRACE and close-delimited answers, end to end:

- `headers: {request/response: {set, add, remove}}` on a listener and on a route, any header name
  (not only those the codec knows), values with $host, $remote_addr, $request_id, $scheme
  (http and https); the flat `headers: {set, remove}` form means `response:`;
- `redirect: {to, status}` routes with $scheme, $host, $request_uri (default status 301);
- TRACE answered 405 with Allow unless the route says `allow_trace: true`;
- a response framed by the upstream's close is re-chunked for an HTTP/1.1 client, whose
  connection then serves a second request."""
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import tls_certs  # noqa: E402
from backends import CLOSE, Backend, reply  # noqa: E402
from harness import Cleanup, Flotilla, gateway_config, raw_exchange, request  # noqa: E402
from rawhttp import Reader, connect, read_response  # noqa: E402

UPSTREAM_HEADERS = {"X-Upstream-Noise": "1", "X-Powered-By": "php", "X-Resp-Add": "upstream",
                    "X-Resp-Set": "upstream", "X-Backend-Secret": "s", "X-Kept": "yes"}


def respond(request, backend):
    if request.target.startswith("/close/"):
        # No Content-Length, no chunking: the body ends when the connection does.
        return (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Framing: close\r\n\r\n"
                + b"close-delimited " * 1000, CLOSE)
    return reply(200, json.dumps({"target": request.target}).encode(), UPSTREAM_HEADERS)


class HeaderRules(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.ca = tls_certs.TestCA()
            leaf = cls.ca.issue("localhost", ["localhost"], "ec")
            cls.backend = cls.cleanup.add(Backend("recorder", respond=respond))
            routes = [
                {"match": {"path": "/rules/"}, "upstream": "app",
                 "headers": {
                     "request": {
                         "set": {"X-Host": "$host", "X-Remote": "$remote_addr",
                                 "X-Req": "$request_id", "X-Scheme": "$scheme",
                                 "X-Combined": "$scheme://$host from $remote_addr",
                                 "X-Replaced": "by-route"},
                         "add": {"X-Added": ["one", "two"]},
                         "remove": ["X-Drop-Me", "X-Totally-Arbitrary-Name", "User-Agent"]},
                     "response": {
                         "set": {"X-Resp-Set": "r $request_id", "Server": "edge"},
                         "add": {"X-Resp-Add": "gateway"},
                         "remove": ["X-Upstream-Noise", "X-Powered-By"]}}},
                {"match": {"path": "/flat/"}, "upstream": "app",
                 "headers": {"set": {"X-Flat": "yes"}, "remove": ["X-Kept"]}},
                {"match": {"path": "/go/"},
                 "redirect": {"to": "$scheme://$host/new$request_uri", "status": 307}},
                {"match": {"path": "/moved"}, "redirect": {"to": "/elsewhere"}},
                {"match": {"path": "/trace/"}, "upstream": "app", "allow_trace": True},
                {"match": {"path": "/"}, "upstream": "app"},
            ]
            config = json.loads(gateway_config({"app": {"servers": [cls.backend.address]}},
                                               routes))
            listener_rules = {"request": {"set": {"X-Listener": "L $scheme"},
                                          "remove": ["X-Listener-Drop"]},
                              "response": {"set": {"X-Listener-Resp": "on"},
                                           "remove": ["X-Backend-Secret"]}}
            config["listen"] = [{"address": "127.0.0.1:0", "headers": listener_rules},
                                tls_certs.listener([leaf])]
            cls.gw = cls.cleanup.add(Flotilla(json.dumps(config)))
            (_, cls.port), (_, cls.tls) = cls.gw.listeners()
            cls.context = cls.ca.client_context()
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def seen(self, target):
        matching = [r for r in self.backend.requests if r.target == target]
        self.assertEqual(len(matching), 1, f"{target} reached the upstream {len(matching)} times")
        return matching[0]

    def test_request_rules_with_variables(self):
        target = "/rules/a?b=1"
        status, headers, _ = request(self.port, path=target, headers={
            "Host": "Shop.Example.test:8080", "X-Drop-Me": "x", "X-Totally-Arbitrary-Name": "y",
            "X-Replaced": "by-client", "X-Added": "client", "User-Agent": "agent/1",
            "X-Listener-Drop": "z"})
        self.assertEqual(status, 200)
        seen = self.seen(target)
        request_id = headers["x-request-id"]
        self.assertRegex(request_id, r"^[0-9a-f]{16,}$")
        self.assertEqual(seen.header("x-req"), request_id)
        self.assertEqual(seen.header("x-remote"), "127.0.0.1")
        self.assertEqual(seen.header("x-scheme"), "http")
        self.assertEqual(seen.header("x-host"), "shop.example.test")
        self.assertEqual(seen.header("x-combined"), "http://shop.example.test from 127.0.0.1")
        self.assertEqual([v for k, v in seen.headers if k.lower() == "x-replaced"], ["by-route"])
        self.assertEqual([v for k, v in seen.headers if k.lower() == "x-added"],
                         ["client", "one", "two"])
        for name in ("x-drop-me", "x-totally-arbitrary-name", "user-agent", "x-listener-drop"):
            self.assertFalse(seen.has(name), name)
        self.assertEqual(seen.header("x-listener"), "L http")  # the listener's rules too

    def test_response_rules(self):
        status, headers, _ = request(self.port, path="/rules/resp")
        self.assertEqual(status, 200)
        raw = raw_exchange(self.port, b"GET /rules/raw HTTP/1.1\r\nHost: x\r\n"
                                      b"Connection: close\r\n\r\n")
        head = raw.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")[1:]
        fields = [(line.split(":", 1)[0].lower(), line.split(":", 1)[1].strip()) for line in head]
        request_id = dict(fields)["x-request-id"]
        self.assertEqual([v for k, v in fields if k == "x-resp-set"], [f"r {request_id}"])
        self.assertEqual([v for k, v in fields if k == "x-resp-add"], ["upstream", "gateway"])
        self.assertEqual([v for k, v in fields if k == "server"], ["edge"])
        for name in ("x-upstream-noise", "x-powered-by", "x-backend-secret"):
            self.assertNotIn(name, dict(fields), name)
        self.assertEqual(dict(fields)["x-listener-resp"], "on")
        self.assertEqual(dict(fields)["x-kept"], "yes")

    def test_flat_rules_are_response_rules(self):
        status, headers, _ = request(self.port, path="/flat/x", headers={"X-Kept": "client"})
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("x-flat"), "yes")
        self.assertNotIn("x-kept", headers)
        seen = self.seen("/flat/x")
        self.assertEqual(seen.header("x-kept"), "client")  # the request is untouched
        self.assertFalse(seen.has("x-flat"))

    def test_rules_over_tls_see_https_and_skip_the_plain_listener_rules(self):
        status, headers, _ = tls_certs.https_request(self.tls, self.context, path="/rules/tls",
                                                     headers={"Host": "secure.test"})
        self.assertEqual(status, 200)
        seen = self.seen("/rules/tls")
        self.assertEqual(seen.header("x-scheme"), "https")
        self.assertEqual(seen.header("x-combined"), "https://secure.test from 127.0.0.1")
        self.assertFalse(seen.has("x-listener"))
        self.assertNotIn("x-listener-resp", headers)
        self.assertEqual(headers.get("x-backend-secret"), "s")

    def test_redirect_routes(self):
        status, headers, _ = request(self.port, path="/go/a/b?x=1&y=%20",
                                     headers={"Host": "Shop.Example.test"})
        self.assertEqual(status, 307)
        self.assertEqual(headers["location"], "http://shop.example.test/new/go/a/b?x=1&y=%20")
        status, headers, _ = tls_certs.https_request(self.tls, self.context, path="/go/t?q",
                                                     headers={"Host": "secure.test"})
        self.assertEqual(status, 307)
        self.assertEqual(headers["location"], "https://secure.test/new/go/t?q")
        for method in ("GET", "HEAD", "POST"):
            status, headers, body = request(self.port, method, "/moved")
            self.assertEqual(status, 301)
            self.assertEqual(headers["location"], "/elsewhere")
        self.assertFalse([r for r in self.backend.requests
                          if r.target.startswith(("/go/", "/moved"))])

    def test_trace_is_refused_unless_allowed(self):
        sock = connect(self.port)
        try:
            sock.sendall(b"TRACE /anything HTTP/1.1\r\nHost: x\r\nCookie: secret\r\n\r\n")
            reader = Reader(sock)
            response = read_response(reader)
            self.assertEqual(response.status, 405)
            allow = [m.strip() for m in (response.header("allow") or "").split(",")]
            self.assertIn("GET", allow)
            self.assertNotIn("TRACE", allow)
            self.assertNotIn(b"secret", response.body)
            # The connection goes on.
            sock.sendall(b"GET /after-trace HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(read_response(reader).status, 200)
        finally:
            sock.close()
        self.assertFalse([r for r in self.backend.requests if r.method == "TRACE"
                          and r.target == "/anything"])
        raw = raw_exchange(self.port, b"TRACE /trace/x HTTP/1.1\r\nHost: x\r\n"
                                      b"Connection: close\r\n\r\n")
        self.assertTrue(raw.startswith(b"HTTP/1.1 200"), raw[:80])
        self.assertEqual(self.seen("/trace/x").method, "TRACE")

    def test_close_delimited_response_is_rechunked_and_the_connection_survives(self):
        sock = connect(self.port)
        try:
            reader = Reader(sock)
            sock.sendall(b"GET /close/1 HTTP/1.1\r\nHost: x\r\n\r\n")
            response = read_response(reader)
            self.assertEqual(response.status, 200)
            self.assertEqual(response.header("transfer-encoding"), "chunked", response.raw_head)
            self.assertFalse(response.has("content-length"))
            self.assertNotEqual((response.header("connection") or "").lower(), "close")
            self.assertEqual(response.body, b"close-delimited " * 1000)
            self.assertEqual(response.header("x-framing"), "close")
            # A second request on the same connection.
            sock.sendall(b"GET /close/2 HTTP/1.1\r\nHost: x\r\n\r\n")
            second = read_response(reader)
            self.assertEqual(second.status, 200)
            self.assertEqual(second.body, b"close-delimited " * 1000)
            sock.sendall(b"GET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            third = read_response(reader)
            self.assertEqual(json.loads(third.body), {"target": "/plain"})
        finally:
            sock.close()
        # An HTTP/1.0 client cannot take chunks: it reads to the close.
        raw = raw_exchange(self.port, b"GET /close/3 HTTP/1.0\r\nHost: x\r\n\r\n")
        head, _, body = raw.partition(b"\r\n\r\n")
        self.assertFalse(re.search(rb"(?i)transfer-encoding|content-length", head), head)
        self.assertEqual(body, b"close-delimited " * 1000)


if __name__ == "__main__":
    unittest.main()
