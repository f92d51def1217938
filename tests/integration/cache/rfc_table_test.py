"""RFC 9111 as a shared cache, through the real binary against a scriptable origin: each row
scripts one path, sends a first request (which fills the cache or not) and a second one, and
asserts whether the second reached the origin, its status and X-Cache. One worker: the memory
stores are per worker (docs/architecture.md), so both requests must meet the same store.
"""
import gzip
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from origin import Origin  # noqa: E402

HIT, MISS = "HIT", "MISS"

# (name, response headers (list of pairs) or (status, headers), first request headers,
#  second request (method, headers), origin contacted by the second, its status, its X-Cache)
ROWS = [
    ("max-age", [("Cache-Control", "max-age=60")], {}, ("GET", {}), False, 200, HIT),
    ("no-store", [("Cache-Control", "no-store, max-age=60")], {}, ("GET", {}), True, 200, MISS),
    ("private", [("Cache-Control", "private, max-age=60")], {}, ("GET", {}), True, 200, MISS),
    ("private-field", [("Cache-Control", 'private="X-A", max-age=60')], {}, ("GET", {}), True,
     200, MISS),
    ("no-cache", [("Cache-Control", "no-cache, max-age=60"), ("ETag", '"a"')], {}, ("GET", {}),
     True, 200, "REVALIDATED"),
    ("no-cache-without-validator", [("Cache-Control", "no-cache, max-age=60")], {}, ("GET", {}),
     True, 200, "EXPIRED"),
    ("max-age-0", [("Cache-Control", "max-age=0")], {}, ("GET", {}), True, 200, MISS),
    ("s-maxage-over-max-age", [("Cache-Control", "max-age=0, s-maxage=60")], {}, ("GET", {}),
     False, 200, HIT),
    ("expires-future", [("Expires", "{now+60}")], {}, ("GET", {}), False, 200, HIT),
    ("expires-0", [("Expires", "0")], {}, ("GET", {}), True, 200, MISS),
    ("expires-invalid", [("Expires", "next week")], {}, ("GET", {}), True, 200, MISS),
    ("expires-past", [("Expires", "{now-60}")], {}, ("GET", {}), True, 200, MISS),
    ("max-age-over-expires", [("Cache-Control", "max-age=60"), ("Expires", "{now-60}")], {},
     ("GET", {}), False, 200, HIT),
    ("age-within", [("Cache-Control", "max-age=60"), ("Age", "30")], {}, ("GET", {}), False,
     200, HIT),
    ("age-beyond", [("Cache-Control", "max-age=60"), ("Age", "90")], {}, ("GET", {}), True, 200,
     "EXPIRED"),
    ("old-date", [("Cache-Control", "max-age=60"), ("Date", "{now-100}")], {}, ("GET", {}), True,
     200, "EXPIRED"),
    ("heuristic", [("Last-Modified", "{now-100000}")], {}, ("GET", {}), False, 200, HIT),
    ("no-freshness", [], {}, ("GET", {}), True, 200, MISS),
    ("201-not-heuristic", (201, [("Last-Modified", "{now-100000}")]), {}, ("GET", {}), True,
     201, MISS),
    ("404-cacheable", (404, [("Cache-Control", "max-age=60")]), {}, ("GET", {}), False, 404,
     HIT),
    ("vary-same", [("Cache-Control", "max-age=60"), ("Vary", "Accept-Language")],
     {"Accept-Language": "en"}, ("GET", {"Accept-Language": "en"}), False, 200, HIT),
    ("vary-other", [("Cache-Control", "max-age=60"), ("Vary", "Accept-Language")],
     {"Accept-Language": "en"}, ("GET", {"Accept-Language": "fr"}), True, 200, MISS),
    ("vary-normalised", [("Cache-Control", "max-age=60"), ("Vary", "Accept-Encoding")],
     {"Accept-Encoding": "gzip,br"}, ("GET", {"Accept-Encoding": "br, gzip"}), False, 200, HIT),
    ("vary-star", [("Cache-Control", "max-age=60"), ("Vary", "*")], {}, ("GET", {}), True, 200,
     MISS),
    ("authorization", [("Cache-Control", "max-age=60")], {"Authorization": "Bearer x"},
     ("GET", {"Authorization": "Bearer x"}), True, 200, MISS),
    ("authorization-public", [("Cache-Control", "public, max-age=60")],
     {"Authorization": "Bearer x"}, ("GET", {"Authorization": "Bearer x"}), False, 200, HIT),
    ("authorization-s-maxage", [("Cache-Control", "s-maxage=60")], {"Authorization": "Bearer x"},
     ("GET", {"Authorization": "Bearer x"}), False, 200, HIT),
    ("stored-without-auth-refused-with-auth", [("Cache-Control", "max-age=60")], {},
     ("GET", {"Authorization": "Bearer x"}), True, 200, MISS),
    ("request-no-cache", [("Cache-Control", "max-age=60")], {},
     ("GET", {"Cache-Control": "no-cache"}), True, 200, "EXPIRED"),
    ("request-pragma", [("Cache-Control", "max-age=60")], {}, ("GET", {"Pragma": "no-cache"}),
     True, 200, "EXPIRED"),
    ("request-max-age-0", [("Cache-Control", "max-age=60")], {},
     ("GET", {"Cache-Control": "max-age=0"}), True, 200, "EXPIRED"),
    ("request-min-fresh", [("Cache-Control", "max-age=60")], {},
     ("GET", {"Cache-Control": "min-fresh=120"}), True, 200, "EXPIRED"),
    ("request-max-stale", [("Cache-Control", "max-age=60"), ("Age", "100")], {},
     ("GET", {"Cache-Control": "max-stale=60"}), False, 200, "STALE"),
    ("request-max-stale-too-old", [("Cache-Control", "max-age=60"), ("Age", "200")], {},
     ("GET", {"Cache-Control": "max-stale=60"}), True, 200, "EXPIRED"),
    ("max-stale-vs-must-revalidate", [("Cache-Control", "max-age=60, must-revalidate"),
                                      ("Age", "100")], {},
     ("GET", {"Cache-Control": "max-stale"}), True, 200, "EXPIRED"),
    ("request-no-store", [("Cache-Control", "max-age=60")], {"Cache-Control": "no-store"},
     ("GET", {}), True, 200, MISS),
    ("only-if-cached-hit", [("Cache-Control", "max-age=60")], {},
     ("GET", {"Cache-Control": "only-if-cached"}), False, 200, HIT),
    ("head-from-get", [("Cache-Control", "max-age=60")], {}, ("HEAD", {}), False, 200, HIT),
    ("if-none-match", [("Cache-Control", "max-age=60"), ("ETag", '"v1"')], {},
     ("GET", {"If-None-Match": '"v1"'}), False, 304, HIT),
    ("if-modified-since", [("Cache-Control", "max-age=60"), ("Last-Modified", "{now-1000}")], {},
     ("GET", {"If-Modified-Since": "{now}"}), False, 304, HIT),
    ("range-goes-upstream", [("Cache-Control", "max-age=60")], {},
     ("GET", {"Range": "bytes=0-1"}), True, 200, "BYPASS"),
    ("cdn-cache-control-no-store", [("Cache-Control", "max-age=60"),
                                    ("CDN-Cache-Control", "no-store")], {}, ("GET", {}), True,
     200, MISS),
    ("cdn-cache-control-over-cc", [("Cache-Control", "no-store"),
                                   ("CDN-Cache-Control", "max-age=60")], {}, ("GET", {}), False,
     200, HIT),
    ("flotilla-cache-control-first", [("CDN-Cache-Control", "no-store"),
                                      ("Flotilla-Cache-Control", "max-age=60")], {}, ("GET", {}),
     False, 200, HIT),
    ("set-cookie", [("Cache-Control", "max-age=60"), ("Set-Cookie", "a=b")], {}, ("GET", {}),
     True, 200, MISS),
    ("post-not-cached", [("Cache-Control", "max-age=60")], {}, ("POST", {}), True, 200, "BYPASS"),
]


def expand(headers):
    from origin import http_date
    import re
    out = {}
    for k, v in headers.items():
        out[k] = re.sub(r"\{now([+-]\d+)?\}", lambda m: http_date(int(m.group(1) or 0)), v)
    return out


class RfcTableTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = harness.Cleanup().__enter__()
        cls.origin = cls.cleanup.add(Origin())
        cls.down = Origin()  # stopped by a test: every endpoint of its upstream gone
        config = harness.gateway_config(
            {"app": {"servers": [f"127.0.0.1:{cls.origin.port}"]},
             "down": {"servers": [f"127.0.0.1:{cls.down.port}"]}},
            [{"match": {"path": "/ttl-max/"}, "upstream": "app", "cache": {"ttl": {"max": "2s"}}},
             {"match": {"path": "/ttl-default/"}, "upstream": "app", "cache": {"ttl": "60s"}},
             {"match": {"path": "/small/"}, "upstream": "app",
              "cache": {"max_object_size": "10B"}},
             {"match": {"path": "/gz/"}, "upstream": "app", "cache": {},
              "compression": {"min_length": 10, "types": ["text/plain"]}},
             {"match": {"path": "/browser/"}, "upstream": "app", "cache": {"browser_ttl": "1h"}},
             {"match": {"path": "/sie/"}, "upstream": "app", "cache": {"stale_if_error": "60s"}},
             {"match": {"path": "/ce/"}, "upstream": "app",
              "cache": {"cache_everything": True, "ttl": "60s"}},
             {"match": {"path": "/qoff/"}, "upstream": "app", "cache": {"key": {"query": "off"}}},
             {"match": {"path": "/qallow/"}, "upstream": "app",
              "cache": {"key": {"query": ["page"]}}},
             {"match": {"path": "/kcookie/"}, "upstream": "app",
              "cache": {"key": {"cookies": ["variant"], "headers": ["X-Tenant"]}}},
             {"match": {"path": "/lock/"}, "upstream": "app", "cache": {"lock_timeout": "500ms"}},
             {"match": {"path": "/down/"}, "upstream": "down",
              "cache": {"serve_stale_when_down": "1h"}},
             {"match": {"path": "/"}, "upstream": "app", "cache": {}}],
            workers=1)
        cls.gateway = cls.cleanup.add(harness.Flotilla(config))

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def get(self, path, method="GET", headers=None):
        return harness.request(self.gateway.port, method=method, path=path,
                               headers=expand(headers or {}))

    def test_rfc_rows(self):
        failures = []
        for name, response, first, (method, second), contacted, status, x_cache in ROWS:
            path = f"/rfc/{name}"
            code, headers = (response if isinstance(response, tuple) else (200, response))
            self.origin.script(path, status=code, headers=headers)
            self.get(path, headers=first)
            before = self.origin.count(path)
            got_status, got, body = self.get(path, method=method, headers=second)
            reached = self.origin.count(path) > before
            row = (f"{name}: contacted={reached} (want {contacted}), status={got_status} "
                   f"(want {status}), X-Cache={got.get('x-cache')} (want {x_cache})")
            if reached != contacted or got_status != status or got.get("x-cache") != x_cache:
                failures.append(row)
            if x_cache == HIT:
                if "age" not in got:
                    failures.append(f"{name}: a hit without Age")
                if "cache-status" not in got or "hit" not in got["cache-status"]:
                    failures.append(f"{name}: Cache-Status {got.get('cache-status')!r}")
                if method == "HEAD" and body:
                    failures.append(f"{name}: HEAD got a body")
        self.assertEqual(failures, [], "\n" + "\n".join(failures))

    def test_age_grows_and_the_body_is_the_origins(self):
        self.origin.script("/rfc-age", headers=[("Cache-Control", "max-age=60"), ("Age", "5")],
                           body=b"x" * 5000)
        _, _, body = self.get("/rfc-age")
        time.sleep(1.1)
        status, headers, cached = self.get("/rfc-age")
        self.assertEqual((status, headers.get("x-cache")), (200, HIT))
        self.assertGreaterEqual(int(headers["age"]), 6)
        self.assertEqual(cached, body)
        self.assertEqual(self.origin.count("/rfc-age"), 1)

    def test_connection_named_fields_are_not_stored(self):
        self.origin.script("/rfc-conn", headers=[("Cache-Control", "max-age=60"),
                                                 ("Connection", "X-Secret"), ("X-Secret", "1"),
                                                 ("X-Kept", "2")])
        self.get("/rfc-conn")
        _, headers, _ = self.get("/rfc-conn")
        self.assertEqual(headers.get("x-cache"), HIT)
        self.assertNotIn("x-secret", headers)
        self.assertEqual(headers.get("x-kept"), "2")

    def test_unsafe_methods_invalidate_target_and_location(self):
        self.origin.script("/inv/a", headers=[("Cache-Control", "max-age=60")])
        self.origin.script("/inv/b", headers=[("Cache-Control", "max-age=60")])
        self.origin.script("/inv/post", headers=[("Location", "/inv/b")])
        for path in ("/inv/a", "/inv/b"):
            self.get(path)
            self.assertEqual(self.get(path)[1].get("x-cache"), HIT)
        self.origin.script("/inv/a", status=204, headers=[])
        self.get("/inv/a", method="POST")
        self.origin.script("/inv/a", headers=[("Cache-Control", "max-age=60")])
        self.assertEqual(self.get("/inv/a")[1].get("x-cache"), MISS)
        self.get("/inv/post", method="POST")
        self.assertEqual(self.get("/inv/b")[1].get("x-cache"), MISS)

    def test_ttl_max_clamps_and_default_applies(self):
        self.origin.script("/ttl-max/x", headers=[("Cache-Control", "max-age=3600")])
        self.get("/ttl-max/x")
        # Ages are whole seconds: 2 s of lifetime survive one second boundary between the two.
        self.assertEqual(self.get("/ttl-max/x")[1].get("x-cache"), HIT)
        time.sleep(3.2)
        self.get("/ttl-max/x")
        self.assertEqual(self.origin.count("/ttl-max/x"), 2)
        self.origin.script("/ttl-default/x", headers=[])
        self.get("/ttl-default/x")
        self.assertEqual(self.get("/ttl-default/x")[1].get("x-cache"), HIT)
        self.assertEqual(self.origin.count("/ttl-default/x"), 1)

    def test_objects_above_max_object_size_pass_through(self):
        self.origin.script("/small/x", headers=[("Cache-Control", "max-age=60")], body=b"y" * 100)
        self.assertEqual(self.get("/small/x")[2], b"y" * 100)
        self.assertEqual(self.get("/small/x")[2], b"y" * 100)
        self.assertEqual(self.origin.count("/small/x"), 2)

    def test_browser_ttl_is_what_clients_see(self):
        self.origin.script("/browser/x", headers=[("Cache-Control", "s-maxage=60, max-age=5")])
        miss = self.get("/browser/x")[1]
        hit = self.get("/browser/x")[1]
        self.assertEqual(miss.get("cache-control"), "max-age=3600")
        self.assertEqual((hit.get("x-cache"), hit.get("cache-control")), (HIT, "max-age=3600"))

    def test_each_coding_is_a_stored_variant(self):
        body = b"compress me " * 200
        self.origin.script("/gz/x", headers=[("Cache-Control", "max-age=60"),
                                             ("Content-Type", "text/plain")], body=body)
        _, first, zipped = self.get("/gz/x", headers={"Accept-Encoding": "gzip"})
        self.assertEqual(first.get("content-encoding"), "gzip")
        _, second, zipped_again = self.get("/gz/x", headers={"Accept-Encoding": "gzip"})
        self.assertEqual((second.get("x-cache"), second.get("content-encoding")), (HIT, "gzip"))
        self.assertEqual(gzip.decompress(zipped_again), body)
        _, plain, identity = self.get("/gz/x")
        self.assertEqual((plain.get("x-cache"), identity), (MISS, body))
        self.assertEqual(self.get("/gz/x")[1].get("x-cache"), HIT)
        self.assertEqual(self.origin.count("/gz/x"), 2)

    def test_stale_entry_is_revalidated_and_a_304_merged(self):
        self.origin.script("/reval", headers=[("Cache-Control", "max-age=1"), ("ETag", '"v1"'),
                                              ("X-Version", "1")], body=b"original body")
        self.get("/reval")
        time.sleep(1.6)
        self.origin.script("/reval", headers=[("Cache-Control", "max-age=60"), ("ETag", '"v1"'),
                                              ("X-Version", "2")], body=b"never sent")
        status, headers, body = self.get("/reval")
        self.assertEqual(self.origin.last_headers("/reval").get("if-none-match"), '"v1"')
        self.assertEqual((status, headers.get("x-cache"), body), (200, "REVALIDATED",
                                                                 b"original body"))
        self.assertEqual(headers.get("x-version"), "2")  # the 304's fields replace the stored
        status, headers, body = self.get("/reval")
        self.assertEqual((headers.get("x-cache"), body), (HIT, b"original body"))
        self.assertEqual(self.origin.count("/reval"), 2)

    def test_stale_if_error_serves_the_stale_entry_on_a_500(self):
        self.origin.script("/sie/x", headers=[("Cache-Control", "max-age=1")], body=b"good")
        self.get("/sie/x")
        time.sleep(1.6)
        self.origin.script("/sie/x", status=500, headers=[], body=b"broken")
        status, headers, body = self.get("/sie/x")
        self.assertEqual((status, headers.get("x-cache"), body), (200, "STALE", b"good"))
        # must-revalidate forbids it.
        self.origin.script("/sie/y", headers=[("Cache-Control", "max-age=1, must-revalidate")])
        self.get("/sie/y")
        time.sleep(1.6)
        self.origin.script("/sie/y", status=500, headers=[], body=b"broken")
        self.assertEqual(self.get("/sie/y")[0], 500)

    def test_serve_stale_when_down(self):
        # Connection: close, so that no pooled connection outlives the origin's listener.
        self.down.script("/down/page", headers=[("Cache-Control", "max-age=1"),
                                                ("Connection", "close")], body=b"page")
        self.assertEqual(self.get("/down/page")[2], b"page")
        time.sleep(1.6)
        self.down.stop()
        status, headers, body = self.get("/down/page")
        self.assertEqual((status, headers.get("x-cache"), body), (200, "STALE", b"page"))

    def test_metrics_count_results_and_store_size(self):
        self.origin.script("/metrics-row", headers=[("Cache-Control", "max-age=60")])
        self.get("/metrics-row")
        self.get("/metrics-row")
        samples = self.gateway.metrics()
        self.assertGreaterEqual(harness.metric(samples, "flotilla_cache_requests_total",
                                               result="hit"), 1)
        self.assertGreaterEqual(harness.metric(samples, "flotilla_cache_requests_total",
                                               result="miss"), 1)
        self.assertGreater(harness.metric(samples, "flotilla_cache_objects", store="default"), 0)
        self.assertGreater(harness.metric(samples, "flotilla_cache_bytes", store="default"), 0)

    def test_concurrent_misses_make_one_origin_request(self):
        import concurrent.futures
        body = b"z" * 20000
        self.origin.script("/collapse", headers=[("Cache-Control", "max-age=60")], body=body,
                           delay=0.5)
        with concurrent.futures.ThreadPoolExecutor(max_workers=100) as pool:
            results = list(pool.map(lambda _: self.get("/collapse"), range(100)))
        self.assertEqual([r[0] for r in results], [200] * 100)
        self.assertTrue(all(r[2] == body for r in results))
        self.assertEqual(self.origin.count("/collapse"), 1)

    def test_collapsed_misses_go_upstream_after_lock_timeout(self):
        self.origin.script("/lock/x", headers=[("Cache-Control", "max-age=60")], delay=1.5)
        import concurrent.futures
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
            results = list(pool.map(lambda _: self.get("/lock/x"), range(3)))
        self.assertEqual([r[0] for r in results], [200] * 3)
        self.assertGreater(self.origin.count("/lock/x"), 1)  # waited 0.5 s, then went themselves
        self.assertLess(time.monotonic() - started, 5)

    def test_cache_everything_stores_what_has_no_freshness(self):
        self.origin.script("/ce/x", status=201, headers=[])
        self.get("/ce/x")
        self.assertEqual(self.get("/ce/x")[1].get("x-cache"), HIT)
        self.origin.script("/ce/private", headers=[("Cache-Control", "private")])
        self.get("/ce/private")
        self.assertEqual(self.get("/ce/private")[1].get("x-cache"), MISS)

    def test_cache_key_options(self):
        def x_cache(path, headers=None):
            return self.get(path, headers=headers)[1].get("x-cache")
        cc = [("Cache-Control", "max-age=60")]
        self.origin.script("/q", headers=cc)
        self.assertEqual((x_cache("/q?a=1"), x_cache("/q?a=1"), x_cache("/q?a=2")),
                         (MISS, HIT, MISS))  # the query is in the key by default
        self.origin.script("/qoff/x", headers=cc)
        self.assertEqual((x_cache("/qoff/x?a=1"), x_cache("/qoff/x?a=2")), (MISS, HIT))
        self.origin.script("/qallow/x", headers=cc)
        self.assertEqual((x_cache("/qallow/x?page=1&utm=a"), x_cache("/qallow/x?utm=b&page=1"),
                          x_cache("/qallow/x?page=2")), (MISS, HIT, MISS))
        self.origin.script("/kcookie/x", headers=cc)
        self.assertEqual((x_cache("/kcookie/x", {"Cookie": "variant=a"}),
                          x_cache("/kcookie/x", {"Cookie": "session=1; variant=a"}),
                          x_cache("/kcookie/x", {"Cookie": "variant=b"}),
                          x_cache("/kcookie/x", {"Cookie": "variant=a", "X-Tenant": "t2"})),
                         (MISS, HIT, MISS, MISS))

    def test_only_if_cached_miss_is_504_without_the_origin(self):
        self.origin.script("/rfc-oic", headers=[("Cache-Control", "max-age=60")])
        status, _, _ = self.get("/rfc-oic", headers={"Cache-Control": "only-if-cached"})
        self.assertEqual(status, 504)
        self.assertEqual(self.origin.count("/rfc-oic"), 0)


if __name__ == "__main__":
    unittest.main()
