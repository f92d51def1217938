"""Compressed bodies decoded by the Debian tools equal the originals byte for byte: gzip, brotli
and zstd, over HTTP/1.1 (chunked) and HTTP/2 (h2c prior knowledge on an `http2: true` listener:
DATA frames, no content-length), for a Content-Length upstream body, a chunked one and a large
one, fetched with curl."""
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from harness import Cleanup, Flotilla, require_tools  # noqa: E402
from upstream import Upstream, config, json_body  # noqa: E402

TOOLS = {"gzip": ["gzip", "-dc"], "br": ["brotli", "-dc"], "zstd": ["zstd", "-dcq"]}


class DecodeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("curl", "gzip", "brotli", "zstd")
        cls.cleanup = Cleanup()
        cls.up = cls.cleanup.add(Upstream())
        cls.gw = cls.cleanup.add(Flotilla(config(cls.up, {}, http2=True)))
        cls.tmp = tempfile.mkdtemp(prefix="flotilla-compression-")

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def fetch(self, path, coding, protocol):
        body = os.path.join(self.tmp, "body")
        head = os.path.join(self.tmp, "head")
        flag = "--http1.1" if protocol == "1.1" else "--http2-prior-knowledge"
        done = subprocess.run(
            ["curl", "-sS", flag, "-H", f"Accept-Encoding: {coding}", "-D", head, "-o", body,
             "-w", "%{http_version}", f"http://127.0.0.1:{self.gw.port}{path}"],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout, "1.1" if protocol == "1.1" else "2")
        with open(head) as f:
            fields = {}
            for line in f.read().splitlines()[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    fields[k.strip().lower()] = v.strip()
        return fields, body

    def decode(self, coding, path):
        with open(path, "rb") as f:
            done = subprocess.run(TOOLS[coding], stdin=f, capture_output=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        return done.stdout

    def test_each_tool_decodes_each_coding_on_both_protocols(self):
        for protocol in ("1.1", "2"):
            for coding in ("gzip", "br", "zstd"):
                for path, size in (("/json?size=100000", 100000), ("/chunked?size=70000", 70000),
                                   ("/text?size=3000000", 3000000)):
                    with self.subTest(protocol=protocol, coding=coding, path=path):
                        fields, body = self.fetch(path, coding, protocol)
                        self.assertEqual(fields.get("content-encoding"), coding)
                        self.assertEqual(fields.get("vary"), "Accept-Encoding")
                        self.assertNotIn("content-length", fields)
                        if protocol == "1.1":
                            self.assertEqual(fields.get("transfer-encoding"), "chunked")
                        original = json_body(size)
                        self.assertLess(os.path.getsize(body), len(original) // 3)
                        self.assertEqual(self.decode(coding, body), original)


if __name__ == "__main__":
    unittest.main()
