"""The gateway proxies HTTP/1.1 end to end: forwarding headers, keep-alive, pipelining, chunked
bodies, HTTP/1.0 clients, routing by host and longest prefix, built-in health/ready paths, and
the errors users expect (404 no route, 502 upstream broke, 503 + Retry-After, 504 timeout)."""
import json
import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import Cleanup, Demo, Flotilla, raw_exchange, request, status_of  # noqa: E402


def config(upstreams, routes, listen_extra=""):
    return f"""
workers: 2
listen:
  - address: "127.0.0.1:0"
{listen_extra}
upstreams:
{upstreams}
routes:
{routes}
"""


class ProxyBasics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.a = cls.cleanup.add(Demo(env={"FLOTILLA_INSTANCE": "a"}))
            cls.b = cls.cleanup.add(Demo(env={"FLOTILLA_INSTANCE": "b"}))
            cls.slow = cls.cleanup.add(Demo(env={"FLOTILLA_INSTANCE": "slow"}))
            # A port nothing listens on: bind, note, close.
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            cls.dead_port = s.getsockname()[1]
            s.close()
            upstreams = f"""
  app:
    servers: ["{cls.a.address}", "{cls.b.address}"]
  api_only:
    servers: ["{cls.b.address}"]
  dead:
    servers: ["127.0.0.1:{cls.dead_port}"]
  slow:
    servers: ["{cls.slow.address}"]
"""
            routes = """
  - match: { path: / }
    upstream: app
  - match: { path: /api/status/ }
    upstream: api_only
  - match: { host: "*.example.test", path: / }
    upstream: api_only
  - match: { path: /dead/ }
    upstream: dead
  - match: { path: /api/slow }
    upstream: slow
    timeouts: { read: 300ms }
"""
            listen_extra = "    health: /healthz\n    ready: /readyz\n    limits: { max_body: 0 }"
            cls.gw = cls.cleanup.add(Flotilla(config(upstreams, routes, listen_extra)))
        except BaseException:
            cls.cleanup.__exit__(None, None, None)  # what started is stopped
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def test_get_is_proxied_with_forwarding_headers(self):
        status, headers, body = request(self.gw.port, path="/api/echo",
                                        headers={"X-Forwarded-For": "10.9.8.7"})
        self.assertEqual(status, 200, body)
        seen = {k.lower(): v for k, v in json.loads(body)["headers"].items()}
        self.assertEqual(seen["x-forwarded-for"], "10.9.8.7, 127.0.0.1")
        self.assertEqual(seen["x-real-ip"], "127.0.0.1")
        self.assertEqual(seen["x-forwarded-proto"], "http")
        self.assertIn("1.1 flotilla", seen["via"])
        self.assertRegex(seen["x-request-id"], r"^[0-9a-f]{32}$")
        self.assertEqual(headers["x-request-id"], seen["x-request-id"])
        self.assertIn("flotilla", headers["via"])

    def test_client_request_id_is_kept(self):
        status, headers, body = request(self.gw.port, path="/api/echo",
                                        headers={"X-Request-Id": "abc-123"})
        seen = {k.lower(): v for k, v in json.loads(body)["headers"].items()}
        self.assertEqual(seen["x-request-id"], "abc-123")

    def test_hop_by_hop_headers_are_removed(self):
        raw = raw_exchange(self.gw.port, b"GET /api/echo HTTP/1.1\r\nHost: x\r\n"
                           b"Connection: close, X-Secret\r\nX-Secret: 1\r\nKeep-Alive: 5\r\n"
                           b"TE: trailers\r\nProxy-Connection: keep-alive\r\n\r\n")
        self.assertEqual(status_of(raw), 200, raw[:300])
        body = raw.split(b"\r\n\r\n", 1)[1]
        seen = {k.lower() for k in json.loads(body)["headers"]}
        for name in ("x-secret", "keep-alive", "te", "proxy-connection"):
            self.assertNotIn(name, seen)

    def test_keep_alive_and_both_backends_used(self):
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.gw.port, timeout=5)
        instances = set()
        for _ in range(20):
            conn.request("GET", "/api/hello")
            resp = conn.getresponse()
            self.assertEqual(resp.status, 200)
            instances.add(json.loads(resp.read())["instance"])
        conn.close()
        self.assertEqual(instances, {"a", "b"})

    def test_pipelined_requests(self):
        payload = b"".join(b"GET /api/hello?i=%d HTTP/1.1\r\nHost: x\r\n\r\n" % i for i in range(3))
        payload += b"GET /api/hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        raw = raw_exchange(self.gw.port, payload)
        self.assertEqual(raw.count(b"HTTP/1.1 200 OK"), 4, raw[:500])

    def test_chunked_upload_is_echoed(self):
        payload = (b"POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                   b"Connection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        raw = raw_exchange(self.gw.port, payload)
        self.assertEqual(status_of(raw), 200, raw[:300])
        self.assertIn(b"hello", raw)
        self.assertIn(b" world", raw)

    def test_large_post_streams(self):
        body = os.urandom(3 * 1024 * 1024)
        status, headers, echoed = request(self.gw.port, "POST", "/api/echo", body=body)
        self.assertEqual(status, 200)
        self.assertEqual(echoed, body)

    def test_http10_client(self):
        raw = raw_exchange(self.gw.port, b"GET /api/bytes?n=1000&chunked=1 HTTP/1.0\r\n\r\n")
        self.assertEqual(status_of(raw), 200, raw[:300])
        head, body = raw.split(b"\r\n\r\n", 1)
        self.assertNotIn(b"chunked", head.lower())
        self.assertEqual(len(body), 1000)

    def test_routing_by_host_and_prefix(self):
        for _ in range(4):
            _, _, body = request(self.gw.port, path="/api/hello", headers={"Host": "x.example.test"})
            self.assertEqual(json.loads(body)["instance"], "b")
        status, _, _ = request(self.gw.port, path="/api/status/201")
        self.assertEqual(status, 201)

    def test_health_and_ready_paths(self):
        status, _, body = request(self.gw.port, path="/healthz")
        self.assertEqual((status, body), (200, b"healthy\n"))
        status, _, _ = request(self.gw.port, path="/readyz")
        self.assertEqual(status, 200)

    def test_unreachable_upstream_is_502_and_json_by_accept(self):
        status, headers, body = request(self.gw.port, path="/dead/x",
                                        headers={"Accept": "application/json"})
        # Tried and failed is 502 (nginx, with a single server, never marks it down either).
        self.assertEqual(status, 502)
        self.assertEqual(headers["content-type"], "application/json")
        self.assertEqual(json.loads(body)["status"], 502)
        self.assertRegex(headers["x-request-id"], r"^[0-9a-f]{32}$")
        status, headers, body = request(self.gw.port, path="/dead/x")
        self.assertEqual(status, 502, body)
        self.assertTrue(headers["content-type"].startswith("text/plain"))

    def test_read_timeout_is_504(self):
        status, _, _ = request(self.gw.port, path="/api/slow?ms=2000")
        self.assertEqual(status, 504)

    def test_rejected_request_gets_codec_status(self):
        self.assertEqual(status_of(raw_exchange(self.gw.port, b"GET / HTTP/1.1\r\n\r\n")), 400)
        long_target = b"/" + b"a" * 9000
        self.assertEqual(status_of(raw_exchange(
            self.gw.port, b"GET " + long_target + b" HTTP/1.1\r\nHost: x\r\n\r\n")), 414)
        many = b"".join(b"X-H%d: v\r\n" % i for i in range(150))
        self.assertEqual(status_of(raw_exchange(
            self.gw.port, b"GET / HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")), 431)


if __name__ == "__main__":
    unittest.main(verbosity=2)
