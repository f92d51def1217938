"""Static files through the real binary with curl over HTTP/1.1 and HTTP/2 (h2c, and h2 over
TLS where the body is read and written instead of sendfile'd): headers, the 304/412 and
206/416 matrices, multipart/byteranges parsed back with the email parser, directories (301,
index, no listing), dotfiles, the SPA fallback, 405, and the sendfile/copy byte counters (small
files from memory, larger ones by sendfile in the clear)."""
import email
import email.policy
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import tls_certs  # noqa: E402
from harness import Cleanup, Flotilla, metric, require_tools  # noqa: E402

DIGITS = b"0123456789" * 100  # 1000 bytes
LARGE = b"0123456789abcdef" * 1250  # 20000 bytes: above the 8 KiB kept in memory


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


class StaticFiles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("curl")
        cls.cleanup = Cleanup().__enter__()
        cls.dir = tempfile.mkdtemp(prefix="flotilla-static-")
        try:
            site = os.path.join(cls.dir, "site")
            app = os.path.join(cls.dir, "app")
            write(os.path.join(site, "digits.txt"), DIGITS)
            write(os.path.join(site, "large.bin"), LARGE)
            write(os.path.join(site, "style.css"), b"body { color: red }\n")
            write(os.path.join(site, "data.json"), b'{"a": 1}\n')
            write(os.path.join(site, "logo.png"), b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
            write(os.path.join(site, "docs", "index.html"), b"<h1>docs</h1>\n")
            write(os.path.join(site, ".env"), b"SECRET=1\n")
            write(os.path.join(site, ".well-known", "security.txt"), b"Contact: x\n")
            os.makedirs(os.path.join(site, "empty"))
            write(os.path.join(app, "index.html"), b"<div id=app></div>\n")
            write(os.path.join(app, "assets", "app.js"), b"console.log(1)\n")
            cls.site = site
            cls.ca = tls_certs.TestCA()
            leaf = cls.ca.issue("localhost", ["localhost", "IP:127.0.0.1"], "ec")
            config = {
                "workers": 2,
                "listen": [{"address": "127.0.0.1:0", "http2": True},
                           tls_certs.listener([leaf], http2=True)],
                "routes": [
                    {"match": {"path": "/static/"},
                     "static": {"root": site, "expires": "1y", "immutable": True}},
                    {"match": {"path": "/app/"},
                     "static": {"root": app, "fallback": "index.html"}},
                    {"match": {"path": "/open/"},
                     "static": {"root": site, "show_hidden": True}},
                ],
            }
            cls.gw = cls.cleanup.add(Flotilla(json.dumps(config)))
            ports = cls.gw.listeners()
            cls.port, cls.tls_port = ports[0][1], ports[1][1]
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            shutil.rmtree(cls.dir, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def curl(self, path, *args, http2=False, tls=False, method=None):
        """(status, {lower-case name: value}, body) of one curl request."""
        with tempfile.TemporaryDirectory() as d:
            head, body = os.path.join(d, "head"), os.path.join(d, "body")
            argv = ["curl", "-sS", "--path-as-is", "-D", head, "-o", body, "-w", "%{http_code}"]
            if method == "HEAD":
                argv.append("-I")
            elif method:
                argv += ["-X", method]
            if tls:
                argv += ["--cacert", self.ca.cert, "--resolve", f"localhost:{self.tls_port}:127.0.0.1"]
                argv += ["--http2"] if http2 else ["--http1.1"]
                url = f"https://localhost:{self.tls_port}{path}"
            else:
                argv += ["--http2-prior-knowledge"] if http2 else ["--http1.1"]
                url = f"http://127.0.0.1:{self.port}{path}"
            done = subprocess.run(argv + list(args) + [url], capture_output=True, timeout=30,
                                  stdin=subprocess.DEVNULL)
            self.assertEqual(done.returncode, 0, done.stderr)
            headers = {}
            with open(head, "rb") as f:
                blocks = f.read().decode("latin-1").split("\r\n\r\n")
            final = [b for b in blocks if b.strip()][-1]
            for line in final.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            data = b""
            if os.path.exists(body):
                with open(body, "rb") as f:
                    data = f.read()
            return int(done.stdout), headers, data

    def each_protocol(self):
        return (("http/1.1", {}), ("h2c", {"http2": True}), ("h2", {"http2": True, "tls": True}),
                ("http/1.1+tls", {"tls": True}))

    def test_file_headers_every_protocol(self):
        for name, kw in self.each_protocol():
            with self.subTest(protocol=name):
                status, h, body = self.curl("/static/style.css", **kw)
                self.assertEqual((status, body), (200, b"body { color: red }\n"))
                self.assertEqual(h["content-type"], "text/css; charset=utf-8")
                self.assertEqual(h["content-length"], "20")
                self.assertEqual(h["x-content-type-options"], "nosniff")
                self.assertEqual(h["cache-control"], "public, max-age=31536000, immutable")
                self.assertIn("expires", h)
                self.assertEqual(h["accept-ranges"], "bytes")
                st = os.stat(os.path.join(self.site, "style.css"))
                self.assertEqual(h["etag"], '"%x-%x"' % (int(st.st_mtime), st.st_size))
                self.assertEqual(email.utils.parsedate_to_datetime(h["last-modified"]).timestamp(),
                                 int(st.st_mtime))

    def test_media_types(self):
        for path, want in (("/static/data.json", "application/json; charset=utf-8"),
                           ("/static/logo.png", "image/png"),
                           ("/static/docs/index.html", "text/html; charset=utf-8"),
                           ("/app/assets/app.js", "text/javascript; charset=utf-8")):
            with self.subTest(path=path):
                status, h, _ = self.curl(path)
                self.assertEqual((status, h["content-type"]), (200, want))

    def test_conditional_matrix(self):
        _, h, _ = self.curl("/static/digits.txt")
        etag, last_modified = h["etag"], h["last-modified"]
        earlier = "Thu, 01 Jan 1970 00:00:01 GMT"
        rows = [
            ({}, 200),
            ({"If-None-Match": etag}, 304),
            ({"If-None-Match": "W/" + etag}, 304),
            ({"If-None-Match": '"other", ' + etag}, 304),
            ({"If-None-Match": "*"}, 304),
            ({"If-None-Match": '"other"'}, 200),
            ({"If-Modified-Since": last_modified}, 304),
            ({"If-Modified-Since": earlier}, 200),
            ({"If-None-Match": '"other"', "If-Modified-Since": last_modified}, 200),
            ({"If-Match": etag}, 200),
            ({"If-Match": '"other"'}, 412),
            ({"If-Match": "W/" + etag}, 412),
            ({"If-Unmodified-Since": earlier}, 412),
            ({"If-Unmodified-Since": last_modified}, 200),
            ({"If-Match": etag, "If-Unmodified-Since": earlier}, 200),
            ({"If-Match": '"other"', "If-None-Match": etag}, 412),
        ]
        for name, kw in self.each_protocol()[:2]:
            for headers, want in rows:
                with self.subTest(protocol=name, headers=headers):
                    args = []
                    for k, v in headers.items():
                        args += ["-H", f"{k}: {v}"]
                    status, h, body = self.curl("/static/digits.txt", *args, **kw)
                    self.assertEqual(status, want)
                    if want == 304:
                        self.assertEqual((body, h["etag"]), (b"", etag))
                        self.assertNotIn("content-type", h)
                    if want == 200:
                        self.assertEqual(body, DIGITS)

    def test_range_matrix(self):
        _, h, _ = self.curl("/static/digits.txt")
        etag = h["etag"]
        rows = [
            ("bytes=0-9", None, 206, DIGITS[0:10], "bytes 0-9/1000"),
            ("bytes=990-", None, 206, DIGITS[990:], "bytes 990-999/1000"),
            ("bytes=-5", None, 206, DIGITS[995:], "bytes 995-999/1000"),
            ("bytes=500-99999", None, 206, DIGITS[500:], "bytes 500-999/1000"),
            ("bytes=1000-", None, 416, None, "bytes */1000"),
            ("bytes=5-1", None, 200, DIGITS, None),  # invalid: ignored
            ("items=0-1", None, 200, DIGITS, None),
            ("bytes=0-9", etag, 206, DIGITS[0:10], "bytes 0-9/1000"),
            ("bytes=0-9", '"stale"', 200, DIGITS, None),
            ("bytes=0-9", "W/" + etag, 200, DIGITS, None),
        ]
        for name, kw in self.each_protocol():
            for rng, if_range, want, body_want, content_range in rows:
                with self.subTest(protocol=name, range=rng, if_range=if_range):
                    args = ["-H", f"Range: {rng}"]
                    if if_range:
                        args += ["-H", f"If-Range: {if_range}"]
                    status, h, body = self.curl("/static/digits.txt", *args, **kw)
                    self.assertEqual(status, want)
                    if body_want is not None:
                        self.assertEqual(body, body_want)
                    self.assertEqual(h.get("content-range"), content_range)

    def test_multipart_byteranges_parse_back(self):
        for name, kw in self.each_protocol():
            with self.subTest(protocol=name):
                status, h, body = self.curl("/static/digits.txt", "-H",
                                            "Range: bytes=0-4, 100-109, -3", **kw)
                self.assertEqual(status, 206)
                self.assertTrue(h["content-type"].startswith("multipart/byteranges; boundary="))
                self.assertEqual(int(h["content-length"]), len(body))
                message = email.message_from_bytes(
                    b"Content-Type: " + h["content-type"].encode() + b"\r\n\r\n" + body,
                    policy=email.policy.HTTP)
                self.assertTrue(message.is_multipart())
                parts = [(p["Content-Range"], p.get_payload(decode=True))
                         for p in message.iter_parts()]
                self.assertEqual(parts, [("bytes 0-4/1000", DIGITS[0:5]),
                                         ("bytes 100-109/1000", DIGITS[100:110]),
                                         ("bytes 997-999/1000", DIGITS[997:])])

    def test_directories_index_and_no_listing(self):
        status, h, _ = self.curl("/static/docs?x=1")
        self.assertEqual((status, h["location"]), (301, "/static/docs/?x=1"))
        status, _, body = self.curl("/static/docs/")
        self.assertEqual((status, body), (200, b"<h1>docs</h1>\n"))
        status, _, body = self.curl("/static/empty/")
        self.assertEqual(status, 403)
        self.assertNotIn(b"index of", body.lower())
        status, _, _ = self.curl("/static/")
        self.assertEqual(status, 403)  # the root has no index.html: no listing either

    def test_dotfiles_hidden_unless_shown(self):
        for path in ("/static/.env", "/static/.well-known/security.txt", "/static/%2eenv"):
            with self.subTest(path=path):
                self.assertEqual(self.curl(path)[0], 404)
        self.assertEqual(self.curl("/open/.env")[2], b"SECRET=1\n")

    def test_spa_fallback(self):
        for path in ("/app/", "/app/users/42", "/app/deep/link?tab=2"):
            with self.subTest(path=path):
                status, h, body = self.curl(path)
                self.assertEqual((status, body), (200, b"<div id=app></div>\n"))
                self.assertEqual(h["content-type"], "text/html; charset=utf-8")
        self.assertEqual(self.curl("/app/assets/app.js")[2], b"console.log(1)\n")
        self.assertEqual(self.curl("/static/nope")[0], 404)  # no fallback there

    def test_errors_text_or_json(self):
        status, h, body = self.curl("/static/nope")
        self.assertEqual(status, 404)
        self.assertTrue(h["content-type"].startswith("text/plain"))
        status, h, body = self.curl("/static/nope", "-H", "Accept: application/json")
        self.assertEqual(status, 404)
        self.assertEqual(h["content-type"], "application/json")
        self.assertEqual(json.loads(body)["status"], 404)

    def test_methods(self):
        for method in ("POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH"):
            with self.subTest(method=method):
                status, h, _ = self.curl("/static/style.css", method=method)
                self.assertEqual((status, h.get("allow")), (405, "GET, HEAD"))
        status, h, _ = self.curl("/static/style.css", method="HEAD")
        self.assertEqual((status, h["content-length"]), (200, "20"))
        # HEAD then a pipelined GET: the GET's response follows the HEAD's head at once.
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"HEAD /static/style.css HTTP/1.1\r\nHost: x\r\n\r\n"
                      b"GET /static/style.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = b""
            for _ in range(100):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        first, _, rest = data.partition(b"\r\n\r\n")
        self.assertTrue(first.startswith(b"HTTP/1.1 200"), data)
        self.assertTrue(rest.startswith(b"HTTP/1.1 200"), data)
        self.assertTrue(rest.endswith(b"\r\n\r\nbody { color: red }\n"), data)

    def test_sendfile_in_the_clear_copy_otherwise(self):
        before = self.gw.metrics()
        self.curl("/static/large.bin")
        middle = self.gw.metrics()
        self.curl("/static/large.bin", http2=True)
        self.curl("/static/large.bin", tls=True)
        after = self.gw.metrics()
        name = "flotilla_static_file_bytes_total"
        self.assertEqual(metric(middle, name, send="sendfile") - metric(before, name, send="sendfile"),
                         len(LARGE))
        self.assertEqual(metric(after, name, send="sendfile"), metric(middle, name, send="sendfile"))
        self.assertEqual(metric(after, name, send="copy") - metric(middle, name, send="copy"),
                         2 * len(LARGE))

    def test_small_files_are_written_from_memory(self):
        # ≤ 8 KiB: one write of head and body from the worker's copy, never sendfile.
        before = self.gw.metrics()
        _, h, body = self.curl("/static/digits.txt")
        after = self.gw.metrics()
        self.assertEqual(body, DIGITS)
        self.assertEqual(h["content-length"], str(len(DIGITS)))
        name = "flotilla_static_file_bytes_total"
        self.assertEqual(metric(after, name, send="sendfile"), metric(before, name, send="sendfile"))
        self.assertEqual(metric(after, name, send="copy") - metric(before, name, send="copy"),
                         len(DIGITS))


if __name__ == "__main__":
    unittest.main(verbosity=2)
