"""Static files compressed on the fly: a file of a listed type above min_length, with no
precompressed sibling the client takes, goes through the compression body stage (read in bounded
pieces instead of sendfile; a file of at most 8 KiB from its in-memory copy) — Content-Encoding,
Vary, a weak ETag, no Content-Length — over HTTP/1.1 (chunked) and h2c (DATA frames), decoded byte
for byte by Debian's gzip, brotli and zstd. Ranges are answered uncompressed (206 of the identity
bytes), HEAD as the compression stage answers any HEAD (the identity head, with Vary), a 304
carries the Vary and the weak ETag of the 200 it stands for; small files, unlisted types,
`compression: false` routes and siblings go as they are."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import Cleanup, Flotilla, request, require_tools  # noqa: E402

TOOLS = {"gzip": ["gzip", "-dc"], "br": ["brotli", "-dc"], "zstd": ["zstd", "-dcq"]}
APP = b"".join(b"function f%d() { return %d * 2; } // app bundle line\n" % (i, i)
               for i in range(2500))
BIG = b"".join(b'{"id": %d, "name": "row %d", "tags": ["a", "b"]}\n' % (i, i % 977)
               for i in range(60000))
SMALL = b"body { color: red; }\n" * 20  # 420 bytes: below min_length
MID = APP[:6000]  # above min_length, within the 8 KiB answered from memory
PNG = bytes(range(256)) * 20


class StaticCompressed(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("curl", "gzip", "brotli", "zstd")
        cls.cleanup = Cleanup().__enter__()
        cls.dir = tempfile.mkdtemp(prefix="flotilla-static-gz-")
        try:
            site = os.path.join(cls.dir, "site")
            os.makedirs(site)
            for name, data in (("app.js", APP), ("big.json", BIG), ("small.css", SMALL),
                               ("mid.js", MID), ("logo.png", PNG), ("pre.js", APP)):
                with open(os.path.join(site, name), "wb") as f:
                    f.write(data)
            subprocess.run(["brotli", "-k", os.path.join(site, "pre.js")], check=True)
            config = {
                "workers": 1,
                "listen": [{"address": "127.0.0.1:0", "http2": True}],
                "compression": {"min_length": 1000},
                "routes": [
                    {"match": {"path": "/plain/"}, "compression": False,
                     "static": {"root": site}},
                    {"match": {"path": "/np/"}, "static": {"root": site}},
                    {"match": {"path": "/"}, "static": {"root": site, "precompressed": True}},
                ],
            }
            cls.gw = cls.cleanup.add(Flotilla(json.dumps(config)))
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            shutil.rmtree(cls.dir, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def etag_of(self, name):
        st = os.stat(os.path.join(self.dir, "site", name))
        return '"%x-%x"' % (int(st.st_mtime), st.st_size)

    def curl(self, path, coding, protocol):
        body = os.path.join(self.dir, "body")
        head = os.path.join(self.dir, "head")
        flag = "--http1.1" if protocol == "1.1" else "--http2-prior-knowledge"
        done = subprocess.run(
            ["curl", "-sS", flag, "-H", f"Accept-Encoding: {coding}", "-D", head, "-o", body,
             "-w", "%{http_version}", f"http://127.0.0.1:{self.gw.port}{path}"],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout, protocol)
        fields = {}
        with open(head) as f:
            for line in f.read().splitlines()[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    fields[k.strip().lower()] = v.strip()
        with open(body, "rb") as f:
            return fields, f.read()

    def decode(self, coding, data):
        done = subprocess.run(TOOLS[coding], input=data, capture_output=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        return done.stdout

    def test_each_tool_decodes_each_coding_on_both_protocols(self):
        for protocol in ("1.1", "2"):
            for coding in ("gzip", "br", "zstd"):
                for name, original in (("app.js", APP), ("big.json", BIG), ("mid.js", MID)):
                    with self.subTest(protocol=protocol, coding=coding, name=name):
                        fields, body = self.curl("/" + name, coding, protocol)
                        self.assertEqual(fields.get("content-encoding"), coding)
                        self.assertEqual(fields.get("vary"), "Accept-Encoding")
                        self.assertNotIn("content-length", fields)
                        self.assertNotIn("accept-ranges", fields)
                        self.assertEqual(fields.get("etag"), "W/" + self.etag_of(name))
                        self.assertEqual(fields.get("x-content-type-options"), "nosniff")
                        if protocol == "1.1":
                            self.assertEqual(fields.get("transfer-encoding"), "chunked")
                        self.assertLess(len(body), len(original) // 4)
                        self.assertEqual(self.decode(coding, body), original)

    def test_left_as_they_are(self):
        rows = [
            # path, Accept-Encoding, Content-Encoding, Vary, the body on the wire
            ("/app.js", None, None, "Accept-Encoding", APP),
            ("/mid.js", None, None, "Accept-Encoding", MID),
            ("/app.js", "identity", None, "Accept-Encoding", APP),
            ("/app.js", "gzip;q=0, br;q=0, zstd;q=0", None, "Accept-Encoding", APP),
            ("/np/small.css", "gzip, br", None, None, SMALL),
            ("/np/logo.png", "gzip, br", None, None, PNG),
            # `precompressed` varies every answer (a sibling could be there).
            ("/small.css", "gzip, br", None, "Accept-Encoding", SMALL),
            ("/plain/app.js", "gzip, br, zstd", None, None, APP),
        ]
        for path, accept, coding, vary, want in rows:
            with self.subTest(path=path, accept=accept):
                headers = {"Accept-Encoding": accept} if accept else {}
                status, h, body = request(self.gw.port, path=path, headers=headers)
                self.assertEqual(status, 200)
                self.assertEqual(h.get("content-encoding"), coding)
                self.assertEqual(h.get("vary"), vary)
                self.assertEqual(h.get("content-length"), str(len(want)))
                self.assertEqual(h.get("etag"), self.etag_of(path.rsplit("/", 1)[1]))
                self.assertEqual(body, want)

    def test_precompressed_sibling_wins_else_on_the_fly(self):
        status, h, body = request(self.gw.port, path="/pre.js",
                                  headers={"Accept-Encoding": "br, gzip"})
        self.assertEqual((status, h["content-encoding"]), (200, "br"))
        self.assertEqual(h["etag"], self.etag_of("pre.js.br"))  # the sibling's, strong
        self.assertEqual(h["content-length"], str(os.path.getsize(
            os.path.join(self.dir, "site", "pre.js.br"))))
        self.assertEqual(self.decode("br", body), APP)
        status, h, body = request(self.gw.port, path="/pre.js", headers={"Accept-Encoding": "gzip"})
        self.assertEqual((status, h["content-encoding"], h["vary"]),
                         (200, "gzip", "Accept-Encoding"))
        self.assertEqual(h["etag"], "W/" + self.etag_of("pre.js"))
        self.assertEqual(self.decode("gzip", body), APP)

    def test_range_is_answered_uncompressed(self):
        status, h, body = request(self.gw.port, path="/app.js",
                                  headers={"Accept-Encoding": "gzip", "Range": "bytes=100-299"})
        self.assertEqual(status, 206)
        self.assertIsNone(h.get("content-encoding"))
        self.assertEqual(h["content-range"], "bytes 100-299/%d" % len(APP))
        self.assertEqual(h["etag"], self.etag_of("app.js"))
        self.assertEqual(body, APP[100:300])
        # If-Range with the weak tag of the compressed answer never validates a range: all of it.
        status, h, body = request(self.gw.port, path="/app.js", headers={
            "Accept-Encoding": "gzip", "Range": "bytes=100-299",
            "If-Range": "W/" + self.etag_of("app.js")})
        self.assertEqual((status, h.get("content-encoding")), (200, "gzip"))
        self.assertEqual(self.decode("gzip", body), APP)

    def test_head_is_the_identity_head_with_vary(self):
        status, h, body = request(self.gw.port, method="HEAD", path="/app.js",
                                  headers={"Accept-Encoding": "gzip"})
        self.assertEqual((status, body), (200, b""))
        self.assertIsNone(h.get("content-encoding"))
        self.assertEqual(h["vary"], "Accept-Encoding")
        self.assertEqual(h["content-length"], str(len(APP)))

    def test_not_modified_carries_vary_and_the_weak_tag(self):
        strong = self.etag_of("app.js")
        for accept, etag in (("gzip", "W/" + strong), (None, strong)):
            for sent in (strong, "W/" + strong):
                with self.subTest(accept=accept, sent=sent):
                    headers = {"If-None-Match": sent}
                    if accept:
                        headers["Accept-Encoding"] = accept
                    status, h, body = request(self.gw.port, path="/app.js", headers=headers)
                    self.assertEqual((status, body), (304, b""))
                    self.assertEqual(h["etag"], etag)
                    self.assertEqual(h["vary"], "Accept-Encoding")
                    self.assertNotIn("content-encoding", h)
                    self.assertNotIn("content-type", h)
        # A type that is never compressed: no Vary on its 304 either.
        status, h, _ = request(self.gw.port, path="/np/logo.png",
                               headers={"If-None-Match": self.etag_of("logo.png"),
                                        "Accept-Encoding": "gzip"})
        self.assertEqual((status, h.get("vary")), (304, None))


if __name__ == "__main__":
    unittest.main(verbosity=2)
