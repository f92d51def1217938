"""`Upgrade: h2c` (RFC 7540 §3.2) on a plain listener with `http2: true`: curl --http2 and
nghttp -u switch with a GET (and a HEAD), the request answered as stream 1 and the connection
HTTP/2 after it; a request with a body, or on a listener without http2, is served as HTTP/1.1 with
the upgrade ignored — and never passed on to the upstream (h2c smuggling); a malformed
HTTP2-Settings is a 400."""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import tls_certs  # noqa: E402
from harness import (Cleanup, Demo, Flotilla, gateway_config, raw_exchange,  # noqa: E402
                     require_tools)

UPGRADE = (b"Connection: Upgrade, HTTP2-Settings, close\r\nUpgrade: h2c\r\n"
           b"HTTP2-Settings: AAMAAABkAAQAAP__\r\n")


class H2cUpgrade(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("curl", "nghttp")
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.demo = cls.cleanup.add(Demo())
            config = json.loads(gateway_config(
                {"app": {"servers": [cls.demo.address]}},
                [{"match": {"path": "/"}, "upstream": "app"}]))
            config["listen"] = [{"address": "127.0.0.1:0", "http2": True},
                                {"address": "127.0.0.1:0"}]
            cls.gw = cls.cleanup.add(Flotilla(json.dumps(config)))
            cls.port, cls.h1_port = (p for _, p in cls.gw.listeners())
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def test_curl_http2_upgrades_a_get(self):
        code, out, err = tls_certs.curl("-v", "--http2", "-w", "\n%{http_version}",
                                        f"http://127.0.0.1:{self.port}/api/hello")
        self.assertEqual(code, 0, err)
        self.assertIn("HTTP/1.1 101", err)
        body, version = out.rsplit("\n", 1)
        self.assertEqual(version, "2")
        self.assertEqual(json.loads(body)["message"], "hello")

    def test_curl_http2_upgrades_a_head(self):
        code, out, err = tls_certs.curl("-v", "--http2", "-I", "-w", "\n%{http_version}",
                                        f"http://127.0.0.1:{self.port}/api/hello")
        self.assertEqual(code, 0, err)
        self.assertIn("HTTP/1.1 101", err)
        self.assertEqual(out.rsplit("\n", 1)[1], "2")
        self.assertRegex(out, r"HTTP/2 200")

    def test_stream_one_goes_upstream_without_the_upgrade(self):
        code, out, err = tls_certs.curl("--http2", f"http://127.0.0.1:{self.port}/api/echo")
        self.assertEqual(code, 0, err)
        headers = json.loads(out)["headers"]
        for name in ("upgrade", "http2-settings"):
            self.assertNotIn(name, headers)

    def test_nghttp_upgrade_then_more_streams(self):
        done = subprocess.run(["nghttp", "-u", "-v", f"http://127.0.0.1:{self.port}/api/hello",
                               f"http://127.0.0.1:{self.port}/api/echo"],
                              capture_output=True, text=True, timeout=30,
                              stdin=subprocess.DEVNULL)
        self.assertEqual(done.returncode, 0, done.stderr + done.stdout[-2000:])
        self.assertIn("HTTP Upgrade response", done.stdout)
        self.assertIn('"message":', done.stdout)
        # The second URL went as a stream of its own (not 1) on the upgraded connection.
        self.assertRegex(done.stdout, r"send HEADERS frame <[^>]*stream_id=(?!1>)\d+>")
        self.assertIn('"target":"/api/echo"', done.stdout)

    def test_request_with_a_body_is_served_as_http11(self):
        raw = raw_exchange(self.port, b"POST /api/echo HTTP/1.1\r\nHost: x\r\n" + UPGRADE +
                           b"Content-Length: 5\r\n\r\nhello")
        self.assertTrue(raw.startswith(b"HTTP/1.1 200"), raw[:200])
        self.assertTrue(raw.endswith(b"hello"), raw[-200:])

    def test_listener_without_http2_ignores_the_upgrade(self):
        raw = raw_exchange(self.h1_port, b"GET /api/echo HTTP/1.1\r\nHost: x\r\n" + UPGRADE +
                           b"\r\n")
        self.assertTrue(raw.startswith(b"HTTP/1.1 200"), raw[:200])
        body = json.loads(raw.split(b"\r\n\r\n", 1)[1])
        for name in ("upgrade", "http2-settings"):
            self.assertNotIn(name, body["headers"])

    def test_malformed_settings_is_a_bad_request(self):
        raw = raw_exchange(self.port, b"GET /api/hello HTTP/1.1\r\nHost: x\r\n"
                           b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                           b"HTTP2-Settings: !!!\r\n\r\n")
        self.assertTrue(raw.startswith(b"HTTP/1.1 400"), raw[:200])


if __name__ == "__main__":
    unittest.main()
