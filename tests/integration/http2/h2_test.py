"""HTTP/2 downstream through the real binary: ALPN h2 on a TLS listener with HTTP/1.1 clients on
the same port, h2c with prior knowledge on a plain listener (HTTP/1.1 still served there), curl
`--http2` / `--http2-prior-knowledge`, nghttp and h2load with 100 concurrent streams, the request
and response mapping (RFC 9113 §8.3: :authority wins over Host; §8.2.3 cookie crumbs joined;
§8.2.2 connection-specific fields refused; HEAD, 204 and 304 without DATA; content-length checked
against DATA), uploads and downloads through flow control, and the per-protocol metrics."""
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import tls_certs  # noqa: E402
from h2_client import H2Client  # noqa: E402
from harness import Cleanup, Demo, Flotilla, gateway_config, metric, request  # noqa: E402

import h2.errors  # noqa: E402


def pattern(n):
    """/api/bytes's body: byte i is 'a' + i % 26."""
    alphabet = bytes(range(ord("a"), ord("a") + 26))
    return (alphabet * (n // 26 + 1))[:n]


class Http2(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.ca = tls_certs.TestCA()
            cls.leaf = cls.ca.issue("localhost", ["localhost", "IP:127.0.0.1"], "ec")
            cls.demo = cls.cleanup.add(Demo())
            config = json.loads(gateway_config(
                {"app": {"servers": [cls.demo.address]}},
                [{"match": {"path": "/"}, "upstream": "app"}]))
            config["listen"] = [
                tls_certs.listener([cls.leaf], http2=True, limits={"max_body": "64M"}),
                {"address": "127.0.0.1:0", "http2": True},
                tls_certs.listener([cls.leaf]),  # http2 off: ALPN offers http/1.1 only
            ]
            cls.gw = cls.cleanup.add(Flotilla(json.dumps(config)))
            ports = cls.gw.listeners()
            assert [s for s, _ in ports] == ["https", "http", "https"], ports
            cls.tls_port, cls.plain_port, cls.h1_only_port = (p for _, p in ports)
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def curl(self, *args, timeout=60.0):
        return tls_certs.curl("--cacert", self.ca.cert, "--resolve",
                              f"localhost:{self.tls_port}:127.0.0.1",
                              "--resolve", f"localhost:{self.h1_only_port}:127.0.0.1",
                              *args, timeout=timeout)

    def tls_client(self, **kwargs):
        return H2Client(self.tls_port, self.ca.client_context(), **kwargs)

    # ---- priority 1: negotiation ----

    def test_status_shows_the_protocols_each_listener_offers(self):
        code, out, err = self.gw.cli("status")
        self.assertEqual(code, 0, err)
        rows = {}
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0].startswith("127.0.0.1:"):
                rows[int(parts[0].rsplit(":", 1)[1])] = parts[1]
        self.assertEqual(rows, {self.tls_port: "h2,http/1.1", self.plain_port: "h2c,http/1.1",
                                self.h1_only_port: "http/1.1"}, out)

    def test_alpn_h2_and_http11_on_one_tls_port(self):
        url = f"https://localhost:{self.tls_port}/api/hello"
        code, out, err = self.curl("--http2", "-w", "\n%{http_version}", url)
        self.assertEqual(code, 0, err)
        body, version = out.rsplit("\n", 1)
        self.assertEqual(version, "2")
        self.assertEqual(json.loads(body)["message"], "hello")
        code, out, err = self.curl("--http1.1", "-w", "\n%{http_version}", url)
        self.assertEqual(code, 0, err)
        self.assertEqual(out.rsplit("\n", 1)[1], "1.1")

    def test_listener_without_http2_offers_only_http11(self):
        code, out, err = self.curl("--http2", "-w", "\n%{http_version}",
                                   f"https://localhost:{self.h1_only_port}/api/hello")
        self.assertEqual(code, 0, err)
        self.assertEqual(out.rsplit("\n", 1)[1], "1.1")

    def test_h2c_prior_knowledge_and_http11_on_one_plain_port(self):
        code, out, err = tls_certs.curl("--http2-prior-knowledge", "-w", "\n%{http_version}",
                                        f"http://127.0.0.1:{self.plain_port}/api/hello")
        self.assertEqual(code, 0, err)
        body, version = out.rsplit("\n", 1)
        self.assertEqual(version, "2")
        self.assertEqual(json.loads(body)["message"], "hello")
        status, _, body = request(self.plain_port, path="/api/hello")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["message"], "hello")

    def test_nghttp_100_concurrent_streams(self):
        done = subprocess.run(
            ["nghttp", "-n", "-s", "-m", "100", f"https://127.0.0.1:{self.tls_port}/api/hello"],
            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        self.assertEqual(done.returncode, 0, done.stderr)
        # -s prints one statistics row per request ("+... /api/hello").
        self.assertEqual(len(re.findall(r"/api/hello", done.stdout)), 100, done.stdout[-2000:])

    def test_h2load_over_tls_and_h2c(self):
        for url in (f"https://127.0.0.1:{self.tls_port}/api/hello",
                    f"http://127.0.0.1:{self.plain_port}/api/hello"):
            with self.subTest(url=url):
                done = subprocess.run(["h2load", "-n", "2000", "-c", "4", "-m", "100", url],
                                      capture_output=True, text=True, timeout=120,
                                      stdin=subprocess.DEVNULL)
                self.assertEqual(done.returncode, 0, done.stderr)
                m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded",
                              done.stdout)
                self.assertIsNotNone(m, done.stdout)
                self.assertEqual(m.group(4), "2000", done.stdout)
                self.assertIn("status codes: 2000 2xx", done.stdout)

    # ---- priority 2: mapping ----

    def test_authority_wins_and_cookie_crumbs_are_joined(self):
        client = self.tls_client(validate=False)
        try:
            sid = client.request("/api/echo?x=1", authority="a.example",
                                 extra=[("host", "b.example"), ("cookie", "a=1"),
                                        ("cookie", "b=2"), ("x-test", "yes")])
            headers, body, _, reset = client.response(sid)
            self.assertIsNone(reset)
            self.assertEqual(headers[":status"], "200")
            echoed = json.loads(body)
            fields = {k.lower(): v for k, v in echoed["headers"].items()}
            self.assertEqual(fields["host"], "a.example")
            self.assertEqual(fields["cookie"], "a=1; b=2")
            self.assertEqual(fields["x-test"], "yes")
            self.assertEqual(echoed["target"], "/api/echo?x=1")
            self.assertEqual(echoed["method"], "GET")
        finally:
            client.close()

    def test_connection_specific_fields_are_a_stream_error(self):
        # RFC 9113 §8.2.2: a request with Connection (or TE other than "trailers") is malformed:
        # RST_STREAM PROTOCOL_ERROR, and the connection goes on.
        client = self.tls_client(validate=False)
        try:
            for extra in ([("connection", "keep-alive")], [("te", "gzip")],
                          [("transfer-encoding", "chunked")], [("upgrade", "websocket")]):
                with self.subTest(extra=extra):
                    sid = client.request("/api/hello", extra=extra)
                    _, _, _, reset = client.response(sid)
                    self.assertEqual(reset, h2.errors.ErrorCodes.PROTOCOL_ERROR)
            sid = client.request("/api/hello", extra=[("te", "trailers")])
            headers, _, _, reset = client.response(sid)
            self.assertIsNone(reset)
            self.assertEqual(headers[":status"], "200")
        finally:
            client.close()

    def test_content_length_must_match_data(self):
        client = self.tls_client(validate=False)
        try:
            sid = client.request("/api/echo", method="POST", end_stream=False,
                                 extra=[("content-length", "10")])
            client.conn.send_data(sid, b"12345", end_stream=True)
            client.flush()
            _, _, _, reset = client.response(sid)
            self.assertEqual(reset, h2.errors.ErrorCodes.PROTOCOL_ERROR)
        finally:
            client.close()

    def test_header_list_over_the_limit_is_431(self):
        before = metric(self.gw.metrics(), "flotilla_http2_events_total",
                        event="header_list_too_large")
        client = self.tls_client()
        try:
            sid = client.request("/api/hello", extra=[(f"x-big-{i}", "v" * 1000)
                                                      for i in range(40)])
            headers, _, _, reset = client.response(sid)
            self.assertIsNone(reset)
            self.assertEqual(headers[":status"], "431")
            # The connection (and its HPACK state) goes on.
            sid = client.request("/api/hello")
            headers, _, _, _ = client.response(sid)
            self.assertEqual(headers[":status"], "200")
        finally:
            client.close()
        self.assertGreaterEqual(metric(self.gw.metrics(), "flotilla_http2_events_total",
                                       event="header_list_too_large"), before + 1)

    def test_head_204_304_have_no_data(self):
        client = self.tls_client()
        try:
            for method, path, status in (("HEAD", "/api/bytes?n=1000", "200"),
                                         ("GET", "/api/status/204", "204"),
                                         ("GET", "/api/status/304", "304")):
                with self.subTest(method=method, path=path):
                    sid = client.request(path, method=method)
                    headers, body, _, reset = client.response(sid)
                    self.assertIsNone(reset)
                    self.assertEqual(headers[":status"], status)
                    self.assertEqual(body, b"")
                    if method == "HEAD":
                        self.assertEqual(headers.get("content-length"), "1000")
                    for name in ("connection", "transfer-encoding", "keep-alive"):
                        self.assertNotIn(name, headers)
        finally:
            client.close()

    def test_upload_and_download_through_flow_control(self):
        # Several windows each way: the body crosses many WINDOW_UPDATEs in both directions.
        size = 8 * 1024 * 1024 + 123
        data = os.urandom(size)
        with tempfile.NamedTemporaryFile() as f:
            f.write(data)
            f.flush()
            url = f"https://localhost:{self.tls_port}/api/echo"
            code, out, err = self.curl("--http2", "-o", "-", "--data-binary", f"@{f.name}",
                                       "-H", "Content-Type: application/octet-stream",
                                       "-w", "%{http_version}", url)
        self.assertEqual(code, 0, err)
        # stdout: the body, then the version (curl decodes as text: compare hashes of bytes)
        done = subprocess.run(["curl", "-sS", "--http2", "--cacert", self.ca.cert, "--resolve",
                               f"localhost:{self.tls_port}:127.0.0.1",
                               f"https://localhost:{self.tls_port}/api/bytes?n={size}"],
                              capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(len(done.stdout), size)
        self.assertEqual(hashlib.sha256(done.stdout).hexdigest(),
                         hashlib.sha256(pattern(size)).hexdigest())
        # The upload, echoed: checked with the frame client (exact bytes).
        client = self.tls_client()
        try:
            sid = client.request("/api/echo", method="POST", end_stream=False)
            sent = 0
            while sent < size:
                window = min(client.conn.local_flow_control_window(sid),
                             client.conn.max_outbound_frame_size)
                if window <= 0:
                    client.receive(1.0)
                    continue
                client.conn.send_data(sid, data[sent:sent + window])
                sent += window
                client.flush()
                client.receive(0.001)
            client.conn.end_stream(sid)
            client.flush()
            headers, body, _, reset = client.response(sid, timeout=60)
            self.assertIsNone(reset)
            self.assertEqual(headers[":status"], "200")
            self.assertEqual(len(body), size)
            self.assertEqual(hashlib.sha256(body).digest(), hashlib.sha256(data).digest())
        finally:
            client.close()

    def test_metrics_count_requests_per_protocol(self):
        before = self.gw.metrics()
        h2_before = metric(before, "flotilla_http_requests_by_protocol_total", protocol="h2")
        h1_before = metric(before, "flotilla_http_requests_by_protocol_total", protocol="http/1.1")
        code, _, err = tls_certs.curl("--http2-prior-knowledge",
                                      f"http://127.0.0.1:{self.plain_port}/api/hello")
        self.assertEqual(code, 0, err)
        request(self.plain_port, path="/api/hello")
        after = self.gw.metrics()
        self.assertGreaterEqual(
            metric(after, "flotilla_http_requests_by_protocol_total", protocol="h2"),
            h2_before + 1)
        self.assertGreaterEqual(
            metric(after, "flotilla_http_requests_by_protocol_total", protocol="http/1.1"),
            h1_before + 1)
        self.assertGreater(metric(after, "flotilla_http2_events_total", event="connection"), 0)


if __name__ == "__main__":
    unittest.main()
