"""Compression over the wire (HTTP/1.1): the Accept-Encoding negotiation table, the head of a
compressed response (Content-Encoding, Vary, no Content-Length but chunked, weak ETag, no
Accept-Ranges), every skip rule, per-route `compression: false` and overrides, request bodies
with Content-Encoding passed untouched, and the bytes-in/out metrics."""
import gzip
import hashlib
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from harness import Cleanup, Flotilla, metric, request  # noqa: E402
from upstream import Upstream, config, json_body  # noqa: E402


class NegotiationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup()
        cls.up = cls.cleanup.add(Upstream())
        routes = [
            {"match": {"path": "/off/"}, "upstream": "app", "compression": False},
            {"match": {"path": "/gz/"}, "upstream": "app",
             "compression": {"brotli": False, "zstd": False, "types": ["text/*"]}},
            {"upstream": "app"},
        ]
        cls.gw = cls.cleanup.add(Flotilla(config(cls.up, {}, routes)))

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def get(self, path, accept=None, method="GET"):
        headers = {} if accept is None else {"Accept-Encoding": accept}
        return request(self.gw.port, method=method, path=path, headers=headers)

    def test_negotiation_table(self):
        table = [
            (None, None),
            ("", None),
            ("gzip", "gzip"),
            ("x-gzip", "gzip"),
            ("gzip, deflate, br", "br"),
            ("gzip, deflate, br, zstd", "br"),
            ("gzip, zstd", "zstd"),
            ("br;q=0.5, gzip", "gzip"),
            ("gzip;q=0.8, br;q=0.8, zstd;q=0.9", "zstd"),
            ("gzip;q=0", None),
            ("*", "br"),
            ("*;q=0.5, br;q=0", "zstd"),
            ("identity", None),
            ("identity;q=1, gzip;q=0.5", None),
            ("identity;q=0, gzip", "gzip"),
            ("deflate", None),
            ("gzip;q=2", None),
            ("BR", "br"),
        ]
        for accept, expected in table:
            with self.subTest(accept=accept):
                status, headers, body = self.get("/json?size=20000", accept)
                self.assertEqual(status, 200)
                self.assertEqual(headers.get("content-encoding"), expected)
                self.assertEqual(headers.get("vary"), "Accept-Encoding")
                if expected is None:
                    self.assertEqual(body, json_body(20000))
                    self.assertEqual(headers.get("content-length"), "20000")

    def test_identity_refused_and_nothing_offered_still_answers(self):
        # Nothing acceptable (identity refused too): flotilla sends identity, as nginx does.
        status, headers, body = self.get("/json?size=20000", "identity;q=0, deflate")
        self.assertEqual(status, 200)
        self.assertIsNone(headers.get("content-encoding"))
        self.assertEqual(body, json_body(20000))

    def test_compressed_head(self):
        status, headers, body = self.get("/json?size=20000", "gzip")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-encoding"], "gzip")
        self.assertNotIn("content-length", headers)
        self.assertEqual(headers.get("transfer-encoding"), "chunked")
        self.assertEqual(headers.get("etag"), 'W/"v1"')
        self.assertNotIn("accept-ranges", headers)
        self.assertEqual(gzip.decompress(body), json_body(20000))
        # Identity keeps the strong ETag and the ranges.
        _, plain, _ = self.get("/json?size=20000")
        self.assertEqual(plain.get("etag"), '"v1"')
        self.assertEqual(plain.get("accept-ranges"), "bytes")

    def test_chunked_upstream_and_types_with_parameters(self):
        status, headers, body = self.get("/chunked?size=50000", "gzip")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-encoding"], "gzip")
        self.assertEqual(gzip.decompress(body), json_body(50000))

    def test_skip_rules(self):
        cases = [
            ("/png?size=20000", "image/png: not a listed type", False),
            ("/encoded?size=20000", "already encoded", False),
            ("/notransform?size=20000", "Cache-Control: no-transform", False),
            ("/small", "known length below min_length", False),
            ("/partial?size=20000", "206", False),
            ("/status/204", "204", False),
            ("/off/json?size=20000", "route compression: false", False),
            ("/gz/json?size=20000", "the route's types: text/* only", False),
        ]
        for path, why, vary in cases:
            with self.subTest(path=path, why=why):
                status, headers, body = self.get(path, "gzip, br, zstd")
                self.assertLess(status, 300, why)
                if path.startswith("/encoded"):  # the upstream's own coding, left alone
                    self.assertEqual(headers.get("content-encoding"), "gzip")
                    self.assertEqual(gzip.decompress(body), json_body(20000))
                else:
                    self.assertIsNone(headers.get("content-encoding"), why)
                self.assertEqual(headers.get("vary") == "Accept-Encoding", vary, why)
        # 304 (conditional answers have no body) and HEAD (no body to compress).
        status, headers, _ = self.get("/status/304", "gzip")
        self.assertEqual(status, 304)
        self.assertIsNone(headers.get("content-encoding"))
        status, headers, body = self.get("/json?size=20000", "gzip", method="HEAD")
        self.assertEqual(status, 200)
        self.assertIsNone(headers.get("content-encoding"))
        self.assertEqual(body, b"")

    def test_route_override_offers_only_gzip_for_its_types(self):
        status, headers, body = self.get("/gz/css?size=20000", "br, zstd, gzip")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-encoding"], "gzip")
        self.assertEqual(gzip.decompress(body), json_body(20000))

    def test_request_body_with_content_encoding_passes_untouched(self):
        payload = gzip.compress(json_body(30000))
        status, _, body = request(self.gw.port, method="POST", path="/echo",
                                  headers={"Content-Encoding": "gzip",
                                           "Content-Type": "application/json"},
                                  body=payload)
        self.assertEqual(status, 200)
        answer = json.loads(body)
        self.assertEqual(answer["sha256"], hashlib.sha256(payload).hexdigest())
        self.assertEqual(answer["content_encoding"], "gzip")

    def test_metrics_count_bytes_in_and_out(self):
        before = self.gw.metrics()
        _, _, body = self.get("/json?size=40000", "gzip")
        after = self.gw.metrics()
        grew_in = (metric(after, "flotilla_compression_bytes_total", coding="gzip", direction="in")
                   - metric(before, "flotilla_compression_bytes_total", coding="gzip",
                            direction="in"))
        grew_out = (metric(after, "flotilla_compression_bytes_total", coding="gzip",
                           direction="out")
                    - metric(before, "flotilla_compression_bytes_total", coding="gzip",
                             direction="out"))
        self.assertEqual(grew_in, 40000)
        self.assertEqual(grew_out, len(body))
        self.assertGreaterEqual(
            metric(after, "flotilla_compression_responses_total", coding="gzip") -
            metric(before, "flotilla_compression_responses_total", coding="gzip"), 1)


if __name__ == "__main__":
    unittest.main()
