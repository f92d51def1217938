"""`precompressed: true`: FILE.br / FILE.zst / FILE.gz (made by Debian's brotli, zstd and gzip)
served when the client's Accept-Encoding takes them — chosen by the shared negotiation
(http/content_coding: q-values, `*`, identity;q=0, brotli > zstd > gzip on ties) among the
siblings that exist — with Content-Encoding, Vary: Accept-Encoding and the sibling's own ETag;
the bodies decompress to the original byte for byte; the file itself otherwise."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import Cleanup, Flotilla, request, require_tools  # noqa: E402

ORIGINAL = b"".join(b"line %d of the app bundle\n" % i for i in range(2000))


class Precompressed(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("gzip", "brotli", "zstd")
        cls.cleanup = Cleanup().__enter__()
        cls.dir = tempfile.mkdtemp(prefix="flotilla-pre-")
        try:
            site = os.path.join(cls.dir, "site")
            os.makedirs(site)
            for name in ("all.js", "gz_only.js", "plain.js"):
                with open(os.path.join(site, name), "wb") as f:
                    f.write(ORIGINAL)
            for tool in (["gzip", "-k", "-9"], ["brotli", "-k"], ["zstd", "-q", "-k"]):
                subprocess.run(tool + [os.path.join(site, "all.js")], check=True)
            subprocess.run(["gzip", "-k", os.path.join(site, "gz_only.js")], check=True)
            config = {
                "workers": 1,
                "listen": [{"address": "127.0.0.1:0"}],
                "routes": [{"match": {"path": "/"},
                            "static": {"root": site, "precompressed": True}}],
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

    def decode(self, coding, body):
        if coding is None:
            return body
        tool = {"br": ["brotli", "-d", "-c"], "zstd": ["zstd", "-d", "-c", "-q"],
                "gzip": ["gzip", "-d", "-c"]}[coding]
        return subprocess.run(tool, input=body, capture_output=True, check=True,
                              timeout=20).stdout

    def test_negotiation_table(self):
        rows = [
            ("/all.js", None, None),
            ("/all.js", "gzip, deflate, br, zstd", "br"),
            ("/all.js", "gzip, zstd", "zstd"),
            ("/all.js", "gzip", "gzip"),
            ("/all.js", "br;q=0.5, gzip;q=0.9", "gzip"),
            ("/all.js", "*", "br"),
            ("/all.js", "*;q=0.5, br;q=0", "zstd"),
            ("/all.js", "identity", None),
            ("/all.js", "br;q=0, zstd;q=0, gzip;q=0", None),
            ("/gz_only.js", "br, zstd, gzip", "gzip"),
            ("/gz_only.js", "br", None),
            ("/plain.js", "br, gzip", None),
        ]
        for path, accept, want in rows:
            with self.subTest(path=path, accept=accept):
                headers = {"Accept-Encoding": accept} if accept else {}
                status, h, body = request(self.gw.port, path=path, headers=headers)
                self.assertEqual(status, 200)
                self.assertEqual(h.get("content-encoding"), want)
                self.assertEqual(h["vary"], "Accept-Encoding")
                self.assertEqual(h["content-type"], "text/javascript; charset=utf-8")
                if want:
                    self.assertLess(len(body), len(ORIGINAL))
                self.assertEqual(self.decode(want, body), ORIGINAL)

    def test_variant_has_its_own_etag_and_validates(self):
        _, plain, _ = request(self.gw.port, path="/all.js")
        _, br, _ = request(self.gw.port, path="/all.js", headers={"Accept-Encoding": "br"})
        self.assertNotEqual(plain["etag"], br["etag"])
        st = os.stat(os.path.join(self.dir, "site", "all.js.br"))
        self.assertEqual(br["etag"], '"%x-%x"' % (int(st.st_mtime), st.st_size))
        status, h, body = request(self.gw.port, path="/all.js",
                                  headers={"Accept-Encoding": "br", "If-None-Match": br["etag"]})
        self.assertEqual((status, body, h["vary"]), (304, b"", "Accept-Encoding"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
