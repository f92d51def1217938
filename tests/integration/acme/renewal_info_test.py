"""ACME Renewal Information (RFC 9773) end to end. Debian's pebble 2.4.0 has no `renewalInfo` in
its directory, so a small HTTPS directory on loopback (this file) serves pebble's directory plus
`renewalInfo` pointing at itself, and answers renewalInfo GETs with a window the test chooses and
`Retry-After: 2`; every other request goes to pebble itself (the directory's URLs are pebble's).
flotilla asks for the window of the certificate pebble issued (its ID: base64url(AKI keyid) "."
base64url(serial)), schedules the renewal inside it instead of at a third of the lifetime, asks
again no sooner than Retry-After, and renews when the window moves to now.

pebble's validation ports are fixed in its config, so flotilla's listeners use fixed ports:
RESOURCE_LOCK "port23080" (23080 plain, 23443 TLS, 23400/23401 pebble).
"""
import base64
import datetime
import http.server
import json
import os
import re
import ssl
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
import tls_certs  # noqa: E402
from harness import Cleanup, Demo, Flotilla, require_tools  # noqa: E402
from pebble_test import DIRECTORY, HTTP_PORT, TLS_PORT, Pebble  # noqa: E402

DOMAIN = "ari.flotilla.test"
RETRY_AFTER_S = 2
TIMINGS = {}


def rfc3339(when):
    return datetime.datetime.fromtimestamp(when, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text):
    """flotilla's log times: "2026-12-07 21:04:22 UTC" or ISO forms."""
    text = text.replace("T", " ").replace("Z", "").replace(" UTC", "").strip()
    return datetime.datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def cert_id(pem):
    """RFC 9773 §4.1 from the openssl CLI: keyIdentifier and serial's DER content octets."""
    text = tls_certs.run_openssl("x509", "-noout", "-serial", "-ext", "authorityKeyIdentifier",
                                 input=pem.encode())
    serial = bytes.fromhex(re.search(r"^serial=([0-9A-Fa-f]+)", text, re.M).group(1))
    serial = serial.lstrip(b"\0") or b"\0"
    if serial[0] & 0x80:
        serial = b"\0" + serial
    keyid = re.search(r"(?:keyid:)?((?:[0-9A-F]{2}:)+[0-9A-F]{2})", text.split("Identifier", 1)[1])
    aki = bytes.fromhex(keyid.group(1).replace(":", ""))

    def b64(raw):
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return b64(aki) + "." + b64(serial)


class FakeDirectory:
    """https://localhost:PORT/dir: pebble's directory plus renewalInfo served here."""

    def __init__(self, ca, pebble_context):
        leaf = ca.issue("localhost", sans=("DNS:localhost", "IP:127.0.0.1"))
        self.requests = []  # (monotonic time, cert id)
        self.windows = {}   # cert id → (start, end); others get `default`
        self.default = None
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status, body, headers=()):
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self):
                if self.path == "/dir":
                    with urllib.request.urlopen(DIRECTORY, context=pebble_context,
                                                timeout=10) as got:
                        listing = json.loads(got.read())
                    fake.pebble_has_ari = "renewalInfo" in listing
                    listing["renewalInfo"] = f"https://localhost:{fake.port}/renewal-info"
                    self.answer(200, listing)
                    return
                m = re.match(r"^/renewal-info/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$", self.path)
                if not m:
                    self.answer(404, {"type": "urn:ietf:params:acme:error:malformed"})
                    return
                fake.requests.append((time.monotonic(), m.group(1)))
                start, end = fake.windows.get(m.group(1), fake.default)
                self.answer(200, {"suggestedWindow": {"start": rfc3339(start),
                                                      "end": rfc3339(end)}},
                            headers=[("Retry-After", str(RETRY_AFTER_S))])

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(leaf.cert, leaf.key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.pebble_has_ari = None
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def config(state_dir, ca_file, demo_port, directory):
    return f"""
workers: 2
state_dir: {state_dir}
acme:
  directory: {directory}
  ca_root: {ca_file}
listen:
  - address: "127.0.0.1:{HTTP_PORT}"
  - address: "127.0.0.1:{TLS_PORT}"
    tls:
      acme:
        domains: [{DOMAIN}]
upstreams:
  app:
    servers: ["127.0.0.1:{demo_port}"]
routes:
  - match: {{ path: / }}
    upstream: app
"""


class RenewalInformation(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("pebble", "openssl")
        cls.scratch = tempfile.mkdtemp(prefix="flotilla-acme-ari-")
        cls.ca = tls_certs.TestCA(os.path.join(cls.scratch, "ca"))
        cls.pebble = Pebble(cls.scratch, cls.ca, env={"PEBBLE_VA_ALWAYS_VALID": "1"})

    @classmethod
    def tearDownClass(cls):
        cls.pebble.stop()
        print("timings:", json.dumps(TIMINGS, indent=1))

    def setUp(self):
        self.cleanup = Cleanup().__enter__()
        self.addCleanup(self.cleanup.__exit__, None, None, None)
        self.demo = self.cleanup.add(Demo())
        self.fake = self.cleanup.add(FakeDirectory(self.ca, self.pebble.context))

    def wait_lines(self, flotilla, pattern, count, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in (re.search(pattern, l) for l in list(flotilla.process.lines)) if m]
            if len(found) >= count:
                return found
            time.sleep(0.1)
        self.fail(f"fewer than {count} lines /{pattern}/ within {timeout} s:\n"
                  + "\n".join(flotilla.process.lines[-30:]))

    def test_renewal_is_scheduled_inside_the_servers_window_and_follows_it(self):
        now = time.time()
        self.fake.default = (now + 30 * 86400, now + 31 * 86400)
        state_dir = os.path.join(self.scratch, "state")
        flotilla = self.cleanup.add(Flotilla(config(
            state_dir, self.ca.cert, self.demo.port, f"https://localhost:{self.fake.port}/dir")))
        self.wait_lines(flotilla, rf"acme: certificate for {re.escape(DOMAIN)} issued", 1, 60)
        window = self.wait_lines(flotilla, r"acme: renewal window for \S+ from the ACME server: "
                                 r"(.+) to (.+); renewing at (.+) \(asking again in (\d+) s\)",
                                 1, 10)[0]
        start, end, at = (parse_utc(window.group(i)) for i in (1, 2, 3))
        self.assertAlmostEqual(start, self.fake.default[0], delta=1.5)
        self.assertAlmostEqual(end, self.fake.default[1], delta=1.5)
        self.assertTrue(start - 1 <= at <= end, (start, at, end))
        self.assertLessEqual(int(window.group(4)), RETRY_AFTER_S)
        with open(os.path.join(state_dir, "acme", "certificates", DOMAIN, "fullchain.pem")) as f:
            first = cert_id(f.read())
        self.assertEqual(self.fake.requests[0][1], first)
        # pebble's certificates live for years: a third of that is not what was scheduled.
        scheduled = self.wait_lines(flotilla, rf"acme: certificate for {re.escape(DOMAIN)} valid "
                                    r"until (.+); renewal at (.+)$", 1, 10)[0]
        self.assertAlmostEqual(parse_utc(scheduled.group(2)), at, delta=1.5)
        TIMINGS["pebble_directory_has_renewalInfo"] = self.fake.pebble_has_ari

        # The server moves this certificate's window to now: renewed within it, after a
        # renewalInfo poll no sooner than Retry-After.
        moved = time.monotonic()
        self.fake.windows[first] = (time.time() - 60, time.time() + 3)
        self.wait_lines(flotilla, rf"acme: certificate for {re.escape(DOMAIN)} issued", 2,
                        RETRY_AFTER_S + 20)
        TIMINGS["window_moved_to_renewed_s"] = round(time.monotonic() - moved, 2)
        self.assertLess(time.monotonic() - moved, RETRY_AFTER_S + 3 + 10)
        polls = [t for t, i in self.fake.requests if i == first]
        self.assertGreaterEqual(len(polls), 2)
        gaps = [b - a for a, b in zip(polls, polls[1:])]
        self.assertTrue(all(g >= RETRY_AFTER_S - 0.3 for g in gaps), gaps)
        with open(os.path.join(state_dir, "acme", "certificates", DOMAIN, "fullchain.pem")) as f:
            second = cert_id(f.read())
        self.assertNotEqual(second, first)
        # The new certificate has its own window (the far one): asked about, not renewed again.
        deadline = time.monotonic() + 10
        while second not in [i for _, i in self.fake.requests] and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertIn(second, [i for _, i in self.fake.requests])
        time.sleep(RETRY_AFTER_S + 0.5)
        self.assertEqual(len(self.wait_lines(flotilla, r"acme: certificate for \S+ issued", 2, 1)),
                         2)


if __name__ == "__main__":
    unittest.main()
