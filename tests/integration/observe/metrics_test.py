"""Metrics and access log end to end: `flotilla up` (no services) in front of a scripted upstream,
traffic of every kind the gateway sees (2xx, 5xx, 404, 400, retried connect errors), then:

- /metrics on the admin listener (`admin.listen` from the config) passes `promtool check metrics`
  and shows the exact counts;
- a real Prometheus, run here on loopback, scrapes it, and rate() / histogram_quantile() answer
  in the expected orders of magnitude;
- with `access_log:` on, one JSON line per request lands in the file.

A missing tool (promtool, prometheus) fails the test: it is never skipped.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from backends import Backend, reply  # noqa: E402
from harness import (Cleanup, Flotilla, Process, free_port, raw_exchange, request,  # noqa: E402
                     require_tools)

ADMIN_WAIT_S = 10.0
MIXED_REQUESTS = 10


def respond(req, backend):
    if "/fail" in req.target:
        return reply(500, b"fail")
    return reply(200, b"ok")


def config(backend, dead_port, admin_port, extra=""):
    return f"""
workers: 2
listen:
  - address: "127.0.0.1:0"
admin:
  listen: "127.0.0.1:{admin_port}"
upstreams:
  app:
    servers: ["{backend.address}"]
  mixed:
    servers: ["127.0.0.1:{dead_port}", "{backend.address}"]
    max_fails: 0
routes:
  - match: {{ path: /mixed/ }}
    upstream: mixed
    retry: {{ on: [error], tries: 2 }}
  - match: {{ path: / }}
    upstream: app
{extra}"""


def scrape(admin_port, timeout=5.0):
    """(status, content type, text) of GET /metrics, or None when nothing listens."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{admin_port}/metrics",
                                    timeout=timeout) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode(errors="replace")
    except (ConnectionError, urllib.error.URLError, socket.timeout):
        return None


def wait_for_metrics(admin_port, process):
    deadline = time.monotonic() + ADMIN_WAIT_S
    while time.monotonic() < deadline:
        result = scrape(admin_port, timeout=2.0)
        if result is not None and result[0] == 200:
            return result
        if process.proc.poll() is not None:
            break
        time.sleep(0.2)
    return None


_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse(text):
    """{(name, ((label, value), ...)): value} of every sample line."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        assert m, f"unparsable exposition line: {line!r}"
        labels = tuple(sorted(_LABEL.findall(m.group(3) or "")))
        samples[(m.group(1), labels)] = float(m.group(4))
    return samples


def traffic(port):
    """Every kind of request; returns what was sent, for the expected counts."""
    for _ in range(3):
        assert request(port, path="/ok")[0] == 200
    for _ in range(2):
        assert request(port, path="/fail")[0] == 500
    assert request(port, method="POST", path="/ok", body=b"hello")[0] == 200
    raw = raw_exchange(port, b"NOT HTTP AT ALL\r\n\r\n")
    assert raw.startswith(b"HTTP/1.1 400"), raw[:40]
    for _ in range(MIXED_REQUESTS):
        assert request(port, path="/mixed/x")[0] == 200


class Metrics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.backend = cls.cleanup.add(Backend(respond=respond))
            cls.dead_port = free_port()
            cls.admin_port = free_port()
            cls.gw = cls.cleanup.add(Flotilla(config(cls.backend, cls.dead_port, cls.admin_port)))
            assert wait_for_metrics(cls.admin_port, cls.gw.process) is not None, \
                "no /metrics on the admin listener"
            traffic(cls.gw.port)
            status, cls.content_type, cls.text = scrape(cls.admin_port)
            assert status == 200, status
            cls.samples = parse(cls.text)
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def value(self, name, **labels):
        return self.samples.get((name, tuple(sorted(labels.items()))))

    def test_content_type_is_the_text_format(self):
        self.assertIn("text/plain", self.content_type)
        self.assertIn("version=0.0.4", self.content_type)

    def test_promtool_finds_nothing(self):
        require_tools("promtool")
        check = subprocess.run(["promtool", "check", "metrics"], input=self.text, text=True,
                               capture_output=True, timeout=30)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        self.assertEqual(check.stdout + check.stderr, "", self.text)

    def test_requests_by_method_status_route(self):
        v = self.value
        self.assertEqual(v("http_requests_total", method="GET", route="/", status="200"), 3)
        self.assertEqual(v("http_requests_total", method="GET", route="/", status="500"), 2)
        self.assertEqual(v("http_requests_total", method="POST", route="/", status="200"), 1)
        self.assertEqual(v("http_requests_total", method="OTHER", route="", status="400"), 1)
        self.assertEqual(v("http_requests_total", method="GET", route="/mixed/", status="200"),
                         MIXED_REQUESTS)
        self.assertEqual(v("http_request_duration_seconds_count", route="/"), 6)
        self.assertEqual(v("http_request_duration_seconds_bucket", route="/", le="+Inf"), 6)
        self.assertEqual(v("flotilla_in_flight_requests"), 0)  # the scrape is not a gateway request

    def test_upstream_counters_and_retries(self):
        v = self.value
        live, dead = self.backend.address, f"127.0.0.1:{self.dead_port}"
        self.assertEqual(v("flotilla_upstream_requests_total", upstream="app", endpoint=live,
                           outcome="2xx"), 4)
        self.assertEqual(v("flotilla_upstream_requests_total", upstream="app", endpoint=live,
                           outcome="5xx"), 2)
        dead_attempts = v("flotilla_upstream_requests_total", upstream="mixed", endpoint=dead,
                          outcome="connect_error")
        self.assertIsNotNone(dead_attempts, self.text)
        self.assertGreaterEqual(dead_attempts, 1)
        self.assertEqual(v("flotilla_upstream_failures_total", upstream="mixed", endpoint=dead,
                           reason="connect_error"), dead_attempts)
        self.assertEqual(v("flotilla_retries_total", upstream="mixed", reason="error"),
                         dead_attempts)
        self.assertEqual(v("flotilla_endpoint_up", upstream="app", endpoint=live), 1)
        self.assertEqual(v("flotilla_endpoint_up", upstream="mixed", endpoint=dead), 1)

    def test_prometheus_scrapes_and_queries(self):
        require_tools("prometheus")
        prometheus = shutil.which("prometheus")
        work = tempfile.mkdtemp(prefix="flotilla-prom-")
        port = free_port()
        with open(os.path.join(work, "prometheus.yml"), "w") as f:
            f.write(f"""
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: flotilla
    static_configs:
      - targets: ["127.0.0.1:{self.admin_port}"]
""")
        prom = Process([prometheus, f"--config.file={work}/prometheus.yml",
                        f"--storage.tsdb.path={work}/data", f"--web.listen-address=127.0.0.1:{port}"],
                       name="prometheus")
        try:
            def query(expr):
                url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode(
                    {"query": expr})
                with urllib.request.urlopen(url, timeout=5) as resp:
                    result = json.load(resp)["data"]["result"]
                return float(result[0]["value"][1]) if result else None

            # Steady traffic (~20 requests/s) for up to 30 s. Once Prometheus answers, WINDOW
            # seconds more, so that the range queries cover samples of the whole window (a rate
            # over a window only partly scraped is extrapolated down), then both queries.
            window = 10
            sent = []  # monotonic time of every request sent
            rate = quantile = up_at = None
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                for _ in range(4):
                    request(self.gw.port, path="/ok")
                    sent.append(time.monotonic())
                time.sleep(0.2)
                try:
                    if up_at is None and query("up") is not None:
                        up_at = time.monotonic()
                    if up_at is None or time.monotonic() - up_at < window + 2:
                        continue
                    rate = query(f"sum(rate(http_requests_total[{window}s]))")
                    quantile = query("histogram_quantile(0.95, sum by (le) "
                                     f"(rate(http_request_duration_seconds_bucket[{window}s])))")
                    rate_1m = query("sum(rate(http_requests_total[1m]))")
                except (ConnectionError, urllib.error.URLError, socket.timeout, KeyError):
                    continue  # Prometheus still starting
                break
            self.assertIsNotNone(rate, prom.output())
            self.assertIsNotNone(quantile, prom.output())
            now = time.monotonic()
            client_rate = sum(1 for t in sent if t > now - window) / window
            print(f"\nprometheus: rate[{window}s] {rate:.2f}/s (client sent {client_rate:.2f}/s), "
                  f"rate[1m] {rate_1m:.2f}/s, p95 {quantile * 1000:.2f} ms", file=sys.stderr)
            self.assertGreater(rate, client_rate / 3)  # the same order of magnitude
            self.assertLess(rate, client_rate * 3)
            self.assertGreater(rate_1m, 0)
            self.assertGreater(quantile, 0)  # a loopback upstream answers in milliseconds
            self.assertLessEqual(quantile, 0.1)
        finally:
            prom.stop()
            shutil.rmtree(work, ignore_errors=True)


class AccessLog(unittest.TestCase):
    def test_one_json_line_per_request(self):
        with Cleanup() as cleanup:
            backend = cleanup.add(Backend(respond=respond))
            work = tempfile.mkdtemp(prefix="flotilla-access-")
            log = os.path.join(work, "access.log")
            extra = f"access_log:\n  enabled: true\n  path: {log}\n"
            gw = cleanup.add(Flotilla(config(backend, free_port(), free_port(), extra)))
            traffic(gw.port)
            request_id = request(gw.port, path="/ok")[1]["x-request-id"]
            gw.stop()
            with open(log) as f:
                lines = [json.loads(line) for line in f]
            self.assertEqual(len(lines), 7 + MIXED_REQUESTS + 1)
            # Workers batch their lines separately: find the request by its id, not by position.
            matching = [line for line in lines if line["request_id"] == request_id]
            self.assertEqual(len(matching), 1, lines)
            last = matching[0]
            self.assertEqual((last["method"], last["path"], last["status"], last["route"],
                              last["upstream"], last["attempts"]),
                             ("GET", "/ok", 200, "/", backend.address, 1))
            self.assertRegex(last["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            self.assertEqual(last["client"], "127.0.0.1")
            self.assertGreater(last["bytes_out"], 0)
            self.assertGreater(last["bytes_in"], 0)
            self.assertGreaterEqual(last["duration_ms"], 0)
            self.assertEqual(sum(1 for line in lines if line["status"] == 400), 1)
            fields = {"time", "client", "method", "path", "status", "bytes_in", "bytes_out",
                      "duration_ms", "upstream", "attempts", "request_id", "route"}
            for line in lines:
                self.assertLessEqual(fields, set(line), line)
            self.assertEqual(len({line["request_id"] for line in lines}), len(lines))
            # The retried requests: answered by the live server, some after a failed attempt.
            mixed = [line for line in lines if line["path"] == "/mixed/x"]
            self.assertEqual(len(mixed), MIXED_REQUESTS)
            self.assertEqual({(line["status"], line["upstream"]) for line in mixed},
                             {(200, backend.address)})
            self.assertIn(2, {line["attempts"] for line in mixed}, mixed)
            self.assertEqual({line["status"] for line in lines if line["path"] == "/fail"}, {500})
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
