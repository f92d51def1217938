"""Routing sees the path as nginx's location matching does — escapes decoded, dot segments
resolved, slashes merged — so `/public/../admin` cannot take the `/public/` route to an upstream
that resolves the dots itself. The upstream still gets the target exactly as the client sent it.
A Host ending in the root's `.` routes like the name without it."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from backends import Backend  # noqa: E402
from harness import Cleanup, Flotilla, gateway_config  # noqa: E402
from rawhttp import Reader, connect, read_response  # noqa: E402


class RouteNormalization(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.public = cls.cleanup.add(Backend("recorder"))
            cls.admin = cls.cleanup.add(Backend("recorder"))
            cls.named = cls.cleanup.add(Backend("recorder"))
            cls.gw = cls.cleanup.add(Flotilla(gateway_config(
                {"public": {"servers": [cls.public.address]},
                 "admin": {"servers": [cls.admin.address]},
                 "named": {"servers": [cls.named.address]}},
                [{"match": {"path": "/public/"}, "upstream": "public"},
                 {"match": {"path": "/admin/"}, "upstream": "admin"},
                 {"match": {"host": "named.test", "path": "/"}, "upstream": "named"}],
                {"health": "/healthz"})))
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def send(self, target, host="any.test"):
        """One GET; returns (status, {backend name: request lines it received})."""
        for backend in (self.public, self.admin, self.named):
            backend.clear()
        sock = connect(self.gw.port)
        try:
            sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            response = read_response(Reader(sock))
        finally:
            sock.close()
        seen = {name: [r.start_line.decode() for r in backend.requests]
                for name, backend in (("public", self.public), ("admin", self.admin),
                                      ("named", self.named))}
        return response.status, {k: v for k, v in seen.items() if v}

    def test_dot_segments_escapes_and_slash_runs_route_by_the_normal_path(self):
        cases = (
            ("/public/x", "public"),
            ("/public/../admin/users", "admin"),
            ("/public/%2e%2e/admin/users", "admin"),
            ("/public/..%2fadmin/users", "admin"),
            ("//admin//users", "admin"),
            ("/%61dmin/users", "admin"),
            ("/admin/./users", "admin"),
            ("/admin/../public/x", "public"),
        )
        for target, backend in cases:
            with self.subTest(target=target):
                status, seen = self.send(target)
                self.assertEqual(status, 200)
                # Routed by the normal form, forwarded as sent.
                self.assertEqual(seen, {backend: [f"GET {target} HTTP/1.1"]})

    def test_a_path_resolving_outside_every_route_is_not_routed(self):
        status, seen = self.send("/public/../nowhere")
        self.assertEqual(status, 404)
        self.assertEqual(seen, {})

    def test_health_path_is_matched_normalised(self):
        status, seen = self.send("/x/../healthz")
        self.assertEqual(status, 200)
        self.assertEqual(seen, {})

    def test_host_with_trailing_dot(self):
        status, seen = self.send("/", host="named.test.")
        self.assertEqual(status, 200)
        self.assertEqual(seen, {"named": ["GET / HTTP/1.1"]})


if __name__ == "__main__":
    unittest.main(verbosity=2)
