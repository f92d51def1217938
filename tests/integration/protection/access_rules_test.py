"""Access rules: `allow` / `deny` CIDR lists on a listener and on routes (403), a route's
`methods` (405 with Allow; GET admits HEAD) and its `block` filter (403 for a path, User-Agent or
header pattern); each refusal is counted in flotilla_requests_denied_total{route,reason} and
never reaches the upstream. Clients speak from 127.0.0.x loopback aliases."""
import json
import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import Cleanup, Demo, Flotilla, gateway_config, metric  # noqa: E402
from rawhttp import Reader, read_response  # noqa: E402


def ask(port, source, method="GET", path="/api/echo", headers=b"", host="x"):
    """One request from `source` (a 127.0.0.x address); returns the parsed response."""
    sock = socket.socket()
    sock.settimeout(10)
    try:
        sock.bind((source, 0))
        sock.connect(("127.0.0.1", port))
        sock.sendall(b"%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n%s\r\n"
                     % (method.encode(), path.encode(), host.encode(), headers))
        return read_response(Reader(sock), request_method=method)
    finally:
        sock.close()


class AccessRules(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.demo = cls.cleanup.add(Demo())
            config = json.loads(gateway_config(
                {"app": {"servers": [cls.demo.address]}},
                [{"match": {"host": "admin.test", "path": "/"}, "upstream": "app",
                  "allow": ["127.0.0.3", "10.0.0.0/8"], "deny": "127.0.0.4/32"},
                 {"match": {"host": "ro.test", "path": "/"}, "upstream": "app", "methods": ["GET"]},
                 {"match": {"path": "/api/"}, "upstream": "app", "methods": ["GET", "POST"],
                  "block": {"path_regex": r"/wp-admin|\.env$", "user_agent": "sqlmap|nikto",
                            "header": {"X-Scan": "^yes$"}}}],
                {"deny": ["127.0.0.66/32", "2001:db8::/32"], "health": "/gwhealth"}))
            cls.gw = cls.cleanup.add(Flotilla(json.dumps(config)))
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def test_listener_deny_list(self):
        self.assertEqual(ask(self.gw.port, "127.0.0.1").status, 200)
        denied = ask(self.gw.port, "127.0.0.66")
        self.assertEqual(denied.status, 403, denied.raw_head)
        self.assertIn(b"not allowed", denied.body)
        # The listener's rule comes before its own paths.
        self.assertEqual(ask(self.gw.port, "127.0.0.66", path="/gwhealth").status, 403)
        self.assertEqual(ask(self.gw.port, "127.0.0.65").status, 200)

    def test_route_allow_and_deny(self):
        self.assertEqual(ask(self.gw.port, "127.0.0.3", host="admin.test").status, 200)
        self.assertEqual(ask(self.gw.port, "127.0.0.1", host="admin.test").status, 403)
        self.assertEqual(ask(self.gw.port, "127.0.0.4", host="admin.test").status, 403)
        # Other routes do not care.
        self.assertEqual(ask(self.gw.port, "127.0.0.4", path="/api/echo").status, 200)

    def test_methods_answer_405_with_allow(self):
        self.assertEqual(ask(self.gw.port, "127.0.0.1", "GET", "/api/echo", host="ro.test").status, 200)
        self.assertEqual(ask(self.gw.port, "127.0.0.1", "HEAD", "/api/echo", host="ro.test").status, 200)
        refused = ask(self.gw.port, "127.0.0.1", "DELETE", "/api/echo", host="ro.test")
        self.assertEqual(refused.status, 405, refused.raw_head)
        self.assertEqual(refused.header("allow"), "GET, HEAD")
        post = ask(self.gw.port, "127.0.0.1", "PUT", "/api/echo",
                   b"Content-Length: 0\r\n")
        self.assertEqual(post.status, 405)
        self.assertEqual(post.header("allow"), "GET, POST, HEAD")
        self.assertEqual(ask(self.gw.port, "127.0.0.1", "POST", "/api/echo",
                             b"Content-Length: 0\r\n").status, 200)

    def test_block_filter(self):
        port = self.gw.port
        self.assertEqual(ask(port, "127.0.0.1", path="/api/wp-admin/x").status, 403)
        self.assertEqual(ask(port, "127.0.0.1", path="/api/.env").status, 403)
        self.assertNotEqual(ask(port, "127.0.0.1", path="/api/.envelope").status, 403)
        self.assertEqual(ask(port, "127.0.0.1", headers=b"User-Agent: SQLMap/1.7\r\n").status,
                         403)
        self.assertEqual(ask(port, "127.0.0.1", headers=b"User-Agent: curl/8\r\n").status, 200)
        self.assertEqual(ask(port, "127.0.0.1", headers=b"x-scan: yes\r\n").status, 403)
        self.assertEqual(ask(port, "127.0.0.1", headers=b"X-Scan: yesno\r\n").status, 200)

    def test_denials_are_counted_by_route_and_reason(self):
        ask(self.gw.port, "127.0.0.1", host="admin.test")
        ask(self.gw.port, "127.0.0.1", "DELETE", "/api/echo", host="ro.test")
        ask(self.gw.port, "127.0.0.1", headers=b"User-Agent: nikto\r\n")
        ask(self.gw.port, "127.0.0.66")
        samples = self.gw.metrics()
        name = "flotilla_requests_denied_total"
        self.assertGreaterEqual(metric(samples, name, route="admin.test/", reason="allow"), 1)
        self.assertGreaterEqual(metric(samples, name, route="ro.test/", reason="method"), 1)
        self.assertGreaterEqual(metric(samples, name, route="/api/", reason="block"), 1)
        self.assertGreaterEqual(metric(samples, name, route="", reason="deny"), 1)
        self.assertEqual(metric(samples, name, route="/api/", reason="deny"), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
