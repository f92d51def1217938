"""A plain listener with `redirect_https: true` sends every request to the TLS listener: 301 for
GET/HEAD, 308 for other methods, Location https://HOST:TLSPORT/path?query with the client's host
and the path and query kept byte for byte — but answers its own health and ready paths. HSTS goes
on TLS responses only; the upstream sees X-Forwarded-Proto: https (http from a plain listener);
the access log says "scheme":"https"."""
import json
import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import tls_certs  # noqa: E402
from backends import Backend  # noqa: E402
from harness import Cleanup, Flotilla, gateway_config, raw_exchange, request  # noqa: E402
from rawhttp import Reader, connect, read_response  # noqa: E402


class RedirectHttps(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.ca = tls_certs.TestCA()
            cls.leaf = cls.ca.issue("localhost", ["localhost"], "ec")
            cls.context = cls.ca.client_context()
            cls.backend = cls.cleanup.add(Backend("recorder"))
            cls.log = os.path.join(tempfile.mkdtemp(prefix="flotilla-log-"), "access.log")
            config = json.loads(gateway_config(
                {"app": {"servers": [cls.backend.address]}},
                [{"match": {"path": "/"}, "upstream": "app"}]))
            config["listen"] = [
                {"address": "127.0.0.1:0", "redirect_https": True, "health": "/healthz",
                 "ready": "/readyz"},
                tls_certs.listener([cls.leaf], hsts={"max_age": "2d",
                                                     "include_subdomains": True}),
                {"address": "127.0.0.1:0"},
            ]
            config["access_log"] = {"enabled": True, "path": cls.log}
            cls.gw = cls.cleanup.add(Flotilla(json.dumps(config)))
            (s1, cls.plain), (s2, cls.tls), (s3, cls.clear) = cls.gw.listeners()
            assert (s1, s2, s3) == ("http", "https", "http")
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def test_redirects_keep_host_path_and_query(self):
        target = "/a/b%20c/d.html?x=1&y=%2F&z"
        cases = (("GET", 301), ("HEAD", 301), ("POST", 308), ("PUT", 308), ("DELETE", 308),
                 ("OPTIONS", 308))
        requests_before = len(self.backend.requests)
        for method, status in cases:
            for host, location_host in (("shop.example.test", "shop.example.test"),
                                        ("shop.example.test:8080", "shop.example.test"),
                                        (f"127.0.0.1:{self.plain}", "127.0.0.1")):
                with self.subTest(method=method, host=host):
                    body = b"x=1" if method in ("POST", "PUT") else None
                    got, headers, data = request(self.plain, method, target,
                                                 {"Host": host}, body)
                    self.assertEqual(got, status)
                    self.assertEqual(headers["location"],
                                     f"https://{location_host}:{self.tls}{target}")
                    self.assertNotIn("strict-transport-security", headers)
        self.assertEqual(len(self.backend.requests), requests_before)  # nothing proxied

    def test_the_redirect_is_followed_to_the_tls_listener(self):
        code, out, err = tls_certs.curl(
            "-L", "-v", "--cacert", self.ca.cert, "--resolve", f"localhost:{self.tls}:127.0.0.1",
            "--resolve", f"localhost:{self.plain}:127.0.0.1",
            f"http://localhost:{self.plain}/follow?me=1")
        self.assertEqual(code, 0, err)
        self.assertIn(f"https://localhost:{self.tls}/follow?me=1", err)
        self.assertEqual(json.loads(out)["instance"], "recorder")
        self.assertEqual(self.backend.requests[-1].target, "/follow?me=1")

    def test_health_and_ready_paths_are_answered_not_redirected(self):
        for path in ("/healthz", "/readyz"):
            for method in ("GET", "HEAD"):
                with self.subTest(path=path, method=method):
                    status, headers, _ = request(self.plain, method, path)
                    self.assertEqual(status, 200)
                    self.assertNotIn("location", headers)

    def test_hsts_on_tls_responses_only(self):
        status, headers, _ = tls_certs.https_request(self.tls, self.context, path="/x")
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("strict-transport-security"),
                         "max-age=172800; includeSubDomains")
        status, headers, _ = request(self.clear, path="/x")
        self.assertEqual(status, 200)
        self.assertNotIn("strict-transport-security", headers)

    def test_forwarded_proto_follows_the_listener(self):
        for port, scheme in ((self.tls, "https"), (self.clear, "http")):
            with self.subTest(scheme=scheme):
                path = f"/proto/{scheme}"
                if scheme == "https":
                    # A client's own X-Forwarded-Proto is not believed.
                    status, _, _ = tls_certs.https_request(
                        port, self.context, path=path, headers={"X-Forwarded-Proto": "http"})
                else:
                    status, _, _ = request(port, path=path,
                                           headers={"X-Forwarded-Proto": "https"})
                self.assertEqual(status, 200)
                seen = [r for r in self.backend.requests if r.target == path][-1]
                self.assertEqual(seen.header("x-forwarded-proto"), scheme)

    def test_access_log_has_the_scheme(self):
        tls_certs.https_request(self.tls, self.context, path="/logged/https")
        request(self.clear, path="/logged/http")
        request(self.plain, path="/logged/redirected")
        entries = {}
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(entries) < 3:
            if os.path.exists(self.log):
                with open(self.log) as f:
                    for line in f:
                        entry = json.loads(line)
                        if entry.get("path", entry.get("target", "")).startswith("/logged/"):
                            entries[entry.get("path", entry.get("target"))] = entry
            time.sleep(0.1)
        self.assertEqual(len(entries), 3, entries)
        self.assertEqual(entries["/logged/https"]["scheme"], "https")
        self.assertEqual(entries["/logged/http"]["scheme"], "http")
        self.assertEqual(entries["/logged/redirected"]["scheme"], "http")
        self.assertEqual(entries["/logged/redirected"]["status"], 301)

    def test_a_keep_alive_client_gets_several_redirects_on_one_connection(self):
        sock = connect(self.plain)
        try:
            reader = Reader(sock)
            for i in range(3):
                sock.sendall(b"GET /k%d?q=%d HTTP/1.1\r\nHost: h.test\r\n\r\n" % (i, i))
                response = read_response(reader)
                self.assertEqual(response.status, 301)
                self.assertEqual(response.header("location"),
                                 f"https://h.test:{self.tls}/k{i}?q={i}")
        finally:
            sock.close()
        raw = raw_exchange(self.plain, b"GET /z HTTP/1.0\r\nHost: h.test\r\n\r\n")
        self.assertIn(b" 301 ", raw.split(b"\r\n")[0])


if __name__ == "__main__":
    unittest.main()
