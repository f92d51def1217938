"""Per-client rate limits against the real binary, with short periods so each test takes seconds:
a fresh client gets N at once and then N per period (admitted counts within 5 % of the
configuration, from one client and from 20 client addresses 127.0.0.2-21); the 429's
Retry-After, RateLimit-Policy and RateLimit headers; a client honouring Retry-After is never
refused again; two workers do not double a budget; delay mode spreads requests instead of
refusing them; dry_run refuses nothing but counts; keys from a header; a named limit shared by
two routes; flotilla_ratelimited_total and the access log's `rate_limited`."""
import http.client
import json
import os
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import Cleanup, Demo, Flotilla, metric  # noqa: E402


class Client:
    """Keep-alive requests from one source address (127.0.0.x)."""

    def __init__(self, port, source="127.0.0.1"):
        self.port, self.source = port, source
        self.conn = None

    def get(self, path, headers=None):
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10,
                                                       source_address=(self.source, 0))
            try:
                self.conn.request("GET", path, headers=headers or {})
                resp = self.conn.getresponse()
                body = resp.read()
                out = resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
                if resp.will_close:
                    self.close()
                return out
            except (ConnectionError, http.client.HTTPException):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def burst_for(client, path, seconds, max_requests=20000, max_seconds=20.0, min_refused=0):
    """Sends requests back to back for at least `seconds` and until `min_refused` were refused (at
    most `max_requests` or `max_seconds`): (admitted, refused, elapsed from the first request's
    start to the last one's end)."""
    admitted = refused = 0
    start = time.monotonic()
    while admitted + refused < max_requests:
        elapsed = time.monotonic() - start
        if elapsed >= max_seconds or (elapsed >= seconds and refused >= min_refused):
            break
        status, _, _ = client.get(path)
        if status == 429:
            refused += 1
        else:
            admitted += 1
    return admitted, refused, time.monotonic() - start


def expected(count, period, elapsed):
    """N at once plus one more each period / N while the requests kept coming."""
    return count + int(count * elapsed / period)


def near(admitted, want):
    """Within 5 % of the configuration (and at least one request, for discreteness)."""
    return abs(admitted - want) <= max(1, 0.05 * want)


def config(demo, routes, workers=1, extra=""):
    lines = [f"workers: {workers}", 'listen: ["127.0.0.1:0"]', "upstreams:",
             f"  app: {{ servers: [\"{demo.address}\"] }}", "routes:"]
    lines += [f"  - {route}" for route in routes]
    return "\n".join(lines) + "\n" + extra


class RateLimits(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.demo = cls.cleanup.add(Demo(threads=4))
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def start(self, routes, workers=1, extra=""):
        gw = Flotilla(config(self.demo, routes, workers, extra))
        self.addCleanup(gw.stop)
        return gw

    def test_seed_limits_from_one_client(self):
        # The seed's 100/min API and 1000/min static limits, on 10 s periods.
        gw = self.start(["{ match: { path: /api/hello }, upstream: app, "
                         "rate_limit: { per_client: 100/10s } }",
                         "{ match: { path: /api/echo }, upstream: app, "
                         "rate_limit: { per_client: 1000/10s } }"])
        client = Client(gw.port, "127.0.0.2")
        self.addCleanup(client.close)
        for path, count in (("/api/hello", 100), ("/api/echo", 1000)):
            with self.subTest(path=path):
                admitted, refused, elapsed = burst_for(client, path, 2.0, min_refused=20)
                want = expected(count, 10, elapsed)
                self.assertGreaterEqual(refused, 20, "the client never went over its limit")
                self.assertTrue(near(admitted, want), (admitted, want, elapsed))

    def test_429_headers_and_body(self):
        gw = self.start(['{ match: { path: /api/hello }, upstream: app, '
                         'rate_limit: { per_client: 20/60s, name: api } }'])
        client = Client(gw.port, "127.0.0.3")
        self.addCleanup(client.close)
        statuses = []
        first_refusal = None
        for _ in range(25):
            status, headers, body = client.get("/api/hello")
            statuses.append(status)
            if status == 429 and first_refusal is None:
                first_refusal = (headers, body)
        self.assertEqual(statuses[:20], [200] * 20)
        self.assertEqual(statuses[20:], [429] * 5)
        headers, body = first_refusal
        # 20 per minute: one more every 3 s, so the next one in (just under) 3 s.
        self.assertEqual(headers["retry-after"], "3")
        self.assertEqual(headers["ratelimit-policy"], '"api";q=20;w=60')
        self.assertEqual(headers["ratelimit"], '"api";r=0;t=3')
        self.assertTrue(headers["content-type"].startswith("text/plain"), headers)
        self.assertIn(b"Too many requests", body)
        # A client that waits Retry-After gets in again.
        time.sleep(int(headers["retry-after"]))
        self.assertEqual(client.get("/api/hello")[0], 200)

    def test_twenty_client_addresses_each_get_their_budget(self):
        gw = self.start(["{ match: { path: /api/hello }, upstream: app, "
                         "rate_limit: { per_client: 20/10s } }"])
        results = {}

        def run(source):
            client = Client(gw.port, source)
            try:
                results[source] = burst_for(client, "/api/hello", 30, max_requests=60, max_seconds=30)
            finally:
                client.close()

        threads = [threading.Thread(target=run, args=(f"127.0.0.{i}",)) for i in range(2, 22)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertEqual(len(results), 20)
        total_admitted = total_want = 0
        for source, (admitted, refused, elapsed) in sorted(results.items()):
            want = expected(20, 10, elapsed)
            # Each client alone: N at once, then one per 0.5 s while it keeps sending.
            self.assertEqual(admitted + refused, 60, source)
            self.assertGreaterEqual(admitted, 20, source)
            self.assertTrue(near(admitted, want), (source, admitted, want, elapsed))
            total_admitted += admitted
            total_want += want
        self.assertLessEqual(abs(total_admitted - total_want), 0.05 * total_want)

    def test_client_honouring_retry_after_is_not_refused_again(self):
        gw = self.start(["{ match: { path: /api/hello }, upstream: app, "
                         "rate_limit: { per_client: 5/2s } }"])
        client = Client(gw.port, "127.0.0.4")
        self.addCleanup(client.close)
        admitted = refusals = refused_after_waiting = 0
        waited = False
        start = time.monotonic()
        while time.monotonic() - start < 4.0:
            status, headers, _ = client.get("/api/hello")
            if status == 429:
                refusals += 1
                refused_after_waiting += 1 if waited else 0
                time.sleep(int(headers["retry-after"]))
                waited = True
            else:
                admitted += 1
                waited = False
        self.assertGreater(refusals, 0)
        self.assertEqual(refused_after_waiting, 0)
        elapsed = time.monotonic() - start
        self.assertLessEqual(admitted, expected(5, 2, elapsed) + 1)
        self.assertGreaterEqual(admitted, 5)

    def test_two_workers_share_one_budget(self):
        gw = self.start(["{ match: { path: /api/hello }, upstream: app, "
                         "rate_limit: { per_client: 40/60s } }"], workers=2)
        # A new connection per request: SO_REUSEPORT spreads them over both workers.
        admitted = 0
        start = time.monotonic()
        for _ in range(120):
            client = Client(gw.port, "127.0.0.5")
            admitted += 1 if client.get("/api/hello")[0] == 200 else 0
            client.close()
        elapsed = time.monotonic() - start
        want = expected(40, 60, elapsed)
        self.assertTrue(near(admitted, want), (admitted, want, elapsed))
        self.assertLess(admitted, 60)  # twice the budget would be 80 and more

    def test_delay_mode_spreads_requests(self):
        gw = self.start(["{ match: { path: /api/hello }, upstream: app, "
                         "rate_limit: { per_client: 5/s, burst: 5, mode: delay } }"])
        results = []
        lock = threading.Lock()
        start = [0.0]
        # The clock starts when all 13 are connected and about to send.
        ready = threading.Barrier(13, action=lambda: start.__setitem__(0, time.monotonic()),
                                  timeout=30)

        def run():
            client = Client(gw.port, "127.0.0.6")
            client.conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=10,
                                                     source_address=("127.0.0.6", 0))
            client.conn.connect()
            ready.wait()
            try:
                status = client.get("/api/hello")[0]
            finally:
                client.close()
            with lock:
                results.append((status, time.monotonic() - start[0]))

        threads = [threading.Thread(target=run) for _ in range(13)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        statuses = sorted(status for status, _ in results)
        # N + burst pass (5 at once, 5 held 0.2 s apart), the rest is refused at once.
        self.assertEqual(statuses, [200] * 10 + [429] * 3, results)
        passed = sorted(t for status, t in results if status == 200)
        self.assertLess(passed[0], 0.5, passed)
        self.assertGreaterEqual(passed[-1], 0.9, passed)
        self.assertLess(passed[-1], 3.0, passed)
        refused = [t for status, t in results if status == 429]
        self.assertLess(max(refused), 0.5, results)

    def test_dry_run_counts_and_logs_without_refusing(self):
        log = os.path.join(tempfile.mkdtemp(prefix="flotilla-rl-"), "access.log")
        gw = self.start(["{ match: { path: /api/hello }, upstream: app, "
                         "rate_limit: { per_client: 3/10s, dry_run: true, name: trial } }",
                         "{ match: { path: /api/echo }, upstream: app, "
                         "rate_limit: { per_client: 3/10s, name: real } }"],
                        extra=f"access_log:\n  enabled: true\n  path: {log}\n")
        client = Client(gw.port, "127.0.0.7")
        self.addCleanup(client.close)
        self.assertEqual([client.get("/api/hello")[0] for _ in range(10)], [200] * 10)
        self.assertEqual([client.get("/api/echo")[0] for _ in range(5)], [200] * 3 + [429] * 2)
        samples = gw.metrics()
        self.assertEqual(metric(samples, "flotilla_ratelimited_total", route="/api/hello",
                                limit="trial"), 7)
        self.assertEqual(metric(samples, "flotilla_ratelimited_total", route="/api/echo",
                                limit="real"), 2)
        gw.stop()
        with open(log) as f:
            lines = [json.loads(line) for line in f]
        marked = [(line["path"], line["status"], line.get("rate_limited")) for line in lines]
        self.assertEqual(marked.count(("/api/hello", 200, "trial")), 7, marked)
        self.assertEqual(marked.count(("/api/hello", 200, None)), 3, marked)
        self.assertEqual(marked.count(("/api/echo", 429, "real")), 2, marked)

    def test_header_key_json_status_and_a_shared_named_limit(self):
        gw = self.start(["{ match: { path: /api/hello }, upstream: app, rate_limit: tenants }",
                         "{ match: { path: /api/echo }, upstream: app, rate_limit: tenants }"],
                        extra="rate_limits:\n  tenants: { per_client: 4/10s, key: header:X-Tenant,"
                              " status: 503, format: json }\n")
        client = Client(gw.port, "127.0.0.8")
        self.addCleanup(client.close)
        a = {"X-Tenant": "a"}
        # One budget for both routes, per tenant, whatever the address.
        self.assertEqual([client.get(p, a)[0] for p in ["/api/hello", "/api/echo"] * 3],
                         [200, 200, 200, 200, 503, 503])
        status, headers, body = client.get("/api/hello", {"X-Tenant": "b"})
        self.assertEqual(status, 200)
        other = Client(gw.port, "127.0.0.9")
        self.addCleanup(other.close)
        status, headers, body = other.get("/api/echo", a)
        self.assertEqual(status, 503)
        self.assertEqual(headers["content-type"], "application/json")
        answer = json.loads(body)
        self.assertEqual((answer["status"], answer["limit"]), (503, "tenants"))
        self.assertGreaterEqual(answer["retry_after"], 1)
        self.assertEqual(headers["ratelimit-policy"], '"tenants";q=4;w=10')


if __name__ == "__main__":
    unittest.main()
