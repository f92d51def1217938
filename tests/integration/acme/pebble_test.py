"""ACME against Debian's pebble (Let's Encrypt's test CA) on loopback: flotilla obtains a
certificate for `localhost` over HTTP-01 (its plain listener answers) and over TLS-ALPN-01 (its
TLS listener answers ALPN acme-tls/1), serves it (curl trusting pebble's root from /roots/0),
reuses it after a restart without a new order, renews it on `flotilla certs renew` while 20
keep-alive TLS connections stay up, and — pebble stopped — keeps the old certificate, shows the
failure in `flotilla certs`, /metrics and the CertificateRenewalFailing alert, and backs off.
Keys and account material are 0600 in 0700 directories. Timings go to stdout for the notes.

pebble's validation ports are fixed in its config, so flotilla's listeners use fixed ports:
RESOURCE_LOCK "port23080" (23080 plain, 23443 TLS, 23400/23401 pebble).
"""
import json
import os
import re
import signal
import ssl
import stat
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import tls_certs  # noqa: E402
from harness import Cleanup, Demo, Flotilla, Process, metric, require_tools  # noqa: E402
from rawhttp import Reader, read_response  # noqa: E402

HTTP_PORT = 23080
TLS_PORT = 23443
ACME_PORT = 23400
MANAGEMENT_PORT = 23401
DIRECTORY = f"https://localhost:{ACME_PORT}/dir"
ISSUE_BOUND_S = 60.0
TIMINGS = {}


class Pebble:
    """pebble with its own HTTPS certificate (made by a test CA), validating on flotilla's ports."""

    def __init__(self, directory, ca, env=None):
        self.env = env or {}
        leaf = ca.issue("localhost", sans=("DNS:localhost", "IP:127.0.0.1"))
        self.ca_file = ca.cert
        config = {"pebble": {
            "listenAddress": f"127.0.0.1:{ACME_PORT}",
            "managementListenAddress": f"127.0.0.1:{MANAGEMENT_PORT}",
            "certificate": leaf.cert, "privateKey": leaf.key,
            "httpPort": HTTP_PORT, "tlsPort": TLS_PORT,
            "ocspResponderURL": "", "externalAccountBindingRequired": False}}
        self.config = os.path.join(directory, "pebble.json")
        with open(self.config, "w") as f:
            json.dump(config, f)
        self.context = ssl.create_default_context(cafile=self.ca_file)
        self.start()

    def start(self):
        env = dict(os.environ, PEBBLE_VA_NOSLEEP="1", **self.env)
        self.process = Process(["pebble", "-config", self.config, "-strict"], env=env,
                               name="pebble")
        self.process.wait_for_line(r"Listening on: 127\.0\.0\.1:%d" % ACME_PORT, 20.0)
        time.sleep(0.3)

    def root_pem(self):
        """The root pebble issues under (its management API, /roots/0)."""
        import urllib.request
        with urllib.request.urlopen(f"https://localhost:{MANAGEMENT_PORT}/roots/0",
                                    context=self.context, timeout=10) as answer:
            return answer.read().decode()

    def stop(self, sig=signal.SIGTERM):
        return self.process.stop(sig)


def acme_config(state_dir, ca_file, challenge, demo_port, retry_initial="60s"):
    return f"""
workers: 2
state_dir: {state_dir}
alerts:
  evaluation_interval: 1s
  defaults: {{ for: 1s }}
acme:
  email: ops@example.com
  directory: {DIRECTORY}
  ca_root: {ca_file}
  retry_initial: {retry_initial}
listen:
  - address: "127.0.0.1:{HTTP_PORT}"
  - address: "127.0.0.1:{TLS_PORT}"
    tls:
      acme:
        domains: [localhost]
        challenge: {challenge}
upstreams:
  app:
    servers: ["127.0.0.1:{demo_port}"]
routes:
  - match: {{ path: / }}
    upstream: app
"""


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class Kept:
    """One keep-alive TLS connection to the listener."""

    def __init__(self, context):
        self.sock = tls_certs.tls_connect(TLS_PORT, context)
        self.der = self.sock.getpeercert(binary_form=True)
        self.reader = Reader(self.sock)

    def get(self):
        self.sock.sendall(b"GET /api/hello HTTP/1.1\r\nHost: localhost\r\n\r\n")
        response = read_response(self.reader)
        return None if response is None else response.status

    def close(self):
        self.sock.close()


def served_der(context):
    conn = tls_certs.tls_connect(TLS_PORT, context)
    try:
        return conn.getpeercert(binary_form=True)
    finally:
        conn.close()


class AcmeWithPebble(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("pebble", "curl", "openssl")
        cls.scratch = tempfile.mkdtemp(prefix="flotilla-acme-")
        cls.ca = tls_certs.TestCA(os.path.join(cls.scratch, "ca"))
        cls.pebble = Pebble(cls.scratch, cls.ca)

    @classmethod
    def tearDownClass(cls):
        cls.pebble.stop()
        print("timings:", json.dumps(TIMINGS, indent=1))

    def setUp(self):
        self.cleanup = Cleanup().__enter__()
        self.addCleanup(self.cleanup.__exit__, None, None, None)
        self.demo = self.cleanup.add(Demo())

    def start(self, state_dir, challenge, retry_initial="60s"):
        started = time.monotonic()
        flotilla = Flotilla(acme_config(state_dir, self.ca.cert, challenge, self.demo.port,
                                        retry_initial))
        self.cleanup.add(flotilla)
        return flotilla, started

    def wait_issued(self, flotilla, count=1, timeout=ISSUE_BOUND_S):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            issued = [l for l in flotilla.process.lines if "acme: certificate for localhost issued" in l]
            failed = [l for l in flotilla.process.lines if "acme: order for localhost failed" in l]
            if len(issued) >= count:
                return int(re.search(r"issued in (\d+) ms", issued[count - 1]).group(1))
            if failed and count == 1:
                self.fail("order failed:\n" + "\n".join(flotilla.process.lines[-30:]))
            time.sleep(0.1)
        self.fail(f"no certificate within {timeout} s:\n" + "\n".join(flotilla.process.lines[-30:]))

    def pebble_context(self):
        root = os.path.join(self.scratch, "pebble-root.pem")
        with open(root, "w") as f:
            f.write(self.pebble.root_pem())
        return root, ssl.create_default_context(cafile=root)

    def check_modes(self, state_dir):
        acme = os.path.join(state_dir, "acme")
        for dirpath, dirnames, filenames in os.walk(acme):
            self.assertEqual(mode(dirpath), 0o700, dirpath)
            for name in filenames:
                path = os.path.join(dirpath, name)
                self.assertEqual(mode(path) & 0o077, 0, f"{path} is readable by others")
        key = os.path.join(acme, "certificates", "localhost", "key.pem")
        self.assertEqual(mode(key), 0o600)
        accounts = os.path.join(acme, "accounts")
        account_keys = [os.path.join(d, f) for d, _, fs in os.walk(accounts) for f in fs
                        if f == "account.key"]
        self.assertEqual(len(account_keys), 1, account_keys)
        self.assertEqual(mode(account_keys[0]), 0o600)

    def test_http01_issue_serve_and_reuse_after_restart(self):
        state_dir = os.path.join(self.scratch, "state-http01")
        flotilla, started = self.start(state_dir, "http-01")
        flotilla.process.wait_for_line(r"temporary self-signed", 5.0)
        took = self.wait_issued(flotilla)
        TIMINGS["http01_order_ms"] = took
        TIMINGS["http01_start_to_issued_s"] = round(time.monotonic() - started, 2)
        root, context = self.pebble_context()
        deadline = time.monotonic() + 10
        while True:  # the swap happens right after the log line
            code, body, _, _, err = tls_certs.curl_tls(TLS_PORT, "/api/hello", root)
            if code == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(code, 0, err)
        self.assertIn("instance", body)
        self.check_modes(state_dir)
        first = served_der(context)
        code, out, err = flotilla.cli("certs")
        self.assertEqual(code, 0, err)
        self.assertIn("localhost", out)
        self.assertIn("Pebble", out)
        flotilla.stop()

        again, _ = self.start(state_dir, "http-01")
        again.process.wait_for_line(r"acme: certificate for localhost valid until .* renewal at",
                                    10.0)
        time.sleep(1.0)
        self.assertFalse([l for l in again.process.lines if "acme: ordering" in l],
                         "\n".join(again.process.lines))
        self.assertEqual(served_der(context), first)

    def test_tls_alpn01_issue_and_serve(self):
        state_dir = os.path.join(self.scratch, "state-alpn")
        flotilla, started = self.start(state_dir, "tls-alpn-01")
        took = self.wait_issued(flotilla)
        TIMINGS["tls_alpn01_order_ms"] = took
        root, context = self.pebble_context()
        time.sleep(0.5)
        code, body, _, _, err = tls_certs.curl_tls(TLS_PORT, "/api/hello", root)
        self.assertEqual(code, 0, err)
        self.check_modes(state_dir)

    def test_forced_renewal_keeps_20_connections_then_failures_back_off(self):
        state_dir = os.path.join(self.scratch, "state-renew")
        flotilla, _ = self.start(state_dir, "http-01", retry_initial="1s")
        self.wait_issued(flotilla)
        root, context = self.pebble_context()
        time.sleep(0.5)
        kept = [Kept(context) for _ in range(20)]
        try:
            for connection in kept:
                self.assertEqual(connection.get(), 200)
            old = kept[0].der
            started = time.monotonic()
            code, out, err = flotilla.cli("certs", "renew", "localhost")
            self.assertEqual(code, 0, err + out)
            self.wait_issued(flotilla, count=2)
            TIMINGS["forced_renewal_s"] = round(time.monotonic() - started, 2)
            time.sleep(0.5)
            for connection in kept:
                self.assertEqual(connection.get(), 200)
            self.assertNotEqual(served_der(context), old)
        finally:
            for connection in kept:
                connection.close()

        # The ACME server goes away: the current certificate stays, the failure shows, retries
        # back off (retry_initial 1s: about 1, 2, 4 s apart, less up to 20 % jitter).
        current = served_der(context)
        self.pebble.stop()
        try:
            code, out, err = flotilla.cli("certs", "renew", "localhost")
            self.assertEqual(code, 0, err + out)
            deadline = time.monotonic() + 30
            failures = []
            while time.monotonic() < deadline and len(failures) < 3:
                failures = [l for l in flotilla.process.lines if "acme: order for localhost failed" in l]
                time.sleep(0.1)
            self.assertGreaterEqual(len(failures), 3, "\n".join(flotilla.process.lines[-20:]))
            waits = [float(re.search(r"next try in ([\d.]+) s", l).group(1)) for l in failures[:3]]
            TIMINGS["backoff_waits_s"] = waits
            self.assertTrue(0.8 <= waits[0] <= 1.0 and 1.6 <= waits[1] <= 2.0
                            and 3.2 <= waits[2] <= 4.0, waits)
            self.assertEqual(served_der(context), current)
            code, out, err = flotilla.cli("certs")
            self.assertIn("renewal failing", out)
            samples = flotilla.metrics()
            failing = [v for (n, labels), v in samples.items()
                       if n == "flotilla_certificate_renewal_failing" and ("name", "localhost") in labels]
            self.assertEqual(failing, [1.0])
            self.assertGreaterEqual(metric(samples, "flotilla_acme_orders_total", result="error"), 3)
            deadline = time.monotonic() + 15
            firing = False
            while time.monotonic() < deadline and not firing:
                code, out, err = flotilla.cli("status", "--json")
                status = json.loads(out) if code == 0 else {}
                firing = any(a.get("name") == "CertificateRenewalFailing" and a.get("state") == "firing"
                             for a in status.get("alerts", []))
                time.sleep(0.5)
            self.assertTrue(firing, out)
        finally:
            self.pebble.start()


if __name__ == "__main__":
    unittest.main()
