"""Certificates change without dropping a connection: 20 keep-alive TLS connections answer before
and after `flotilla reload` (and SIGHUP) that swaps the listener's certificate — on the same
sockets, still under the old certificate — while new connections get the new one; and replacing
the certificate files on disk, with no reload at all, is picked up within the runtime's poll
(every 5 s)."""
import json
import os
import signal
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import tls_certs  # noqa: E402
from harness import Cleanup, Demo, Flotilla, gateway_config  # noqa: E402
from rawhttp import Reader, read_response  # noqa: E402

CONNECTIONS = 20
DISK_POLL_BOUND_S = 12.0  # the runtime looks every 5 s


class Kept:
    """One keep-alive TLS connection; get() sends a request on it and returns the status."""

    def __init__(self, port, context):
        self.sock = tls_certs.tls_connect(port, context)
        self.der = self.sock.getpeercert(binary_form=True)
        self.reader = Reader(self.sock)

    def get(self):
        self.sock.sendall(b"GET /api/hello HTTP/1.1\r\nHost: localhost\r\n\r\n")
        response = read_response(self.reader)
        if response is None:
            return None
        if (response.header("connection") or "").lower() == "close":
            return "closing"
        return response.status

    def close(self):
        self.sock.close()


def served_der(port, context):
    conn = tls_certs.tls_connect(port, context)
    try:
        return conn.getpeercert(binary_form=True)
    finally:
        conn.close()


class Reload(unittest.TestCase):
    def setUp(self):
        self.cleanup = Cleanup().__enter__()
        self.addCleanup(self.cleanup.__exit__, None, None, None)
        self.ca = tls_certs.TestCA()
        self.context = self.ca.client_context()
        self.demo = self.cleanup.add(Demo())

    def start(self, leaf):
        config = json.loads(gateway_config({"app": {"servers": [self.demo.address]}},
                                           [{"match": {"path": "/"}, "upstream": "app"}]))
        config["listen"] = [tls_certs.listener([leaf])]
        gw = self.cleanup.add(Flotilla(json.dumps(config)))
        return gw, gw.listeners()[0][1]

    def rewrite(self, gw, leaf):
        with open(gw.config) as f:
            config = json.load(f)
        config["listen"] = [tls_certs.listener([leaf])]
        with open(gw.config, "w") as f:
            json.dump(config, f, indent=1)

    def open_kept(self, port, leaf):
        kept = []
        for _ in range(CONNECTIONS):
            conn = Kept(port, self.context)
            self.addCleanup(conn.close)
            kept.append(conn)
        self.assertTrue(all(k.der == leaf.der() for k in kept))
        self.assertEqual([k.get() for k in kept], [200] * CONNECTIONS)
        return kept

    def wait_served(self, port, leaf, bound):
        start = time.monotonic()
        while time.monotonic() - start < bound:
            if served_der(port, self.context) == leaf.der():
                return time.monotonic() - start
            time.sleep(0.2)
        self.fail(f"new connections did not get certificate {leaf.serial} within {bound} s")

    def assert_still_served(self, kept, old):
        for _ in range(2):
            self.assertEqual([k.get() for k in kept], [200] * CONNECTIONS)
        # The same sockets, under the certificate they started with.
        self.assertTrue(all(k.der == old.der() for k in kept))

    def test_reload_command_swaps_the_certificate_and_keeps_connections(self):
        old = self.ca.issue("localhost", ["localhost"], "ec")
        new = self.ca.issue("localhost", ["localhost"], "rsa")
        gw, port = self.start(old)
        kept = self.open_kept(port, old)
        self.rewrite(gw, new)
        code, out, err = gw.cli("reload")
        self.assertEqual(code, 0, out + err)
        self.wait_served(port, new, 5.0)  # every worker takes the new snapshot
        self.assertEqual(tls_certs.der_facts(served_der(port, self.context))["key_type"], "rsa")
        self.assert_still_served(kept, old)

    def test_sighup_swaps_the_certificate_and_keeps_connections(self):
        old = self.ca.issue("localhost", ["localhost"], "ec")
        new = self.ca.issue("localhost", ["localhost"], "ec")
        gw, port = self.start(old)
        kept = self.open_kept(port, old)
        self.rewrite(gw, new)
        gw.process.send_signal(signal.SIGHUP)
        self.wait_served(port, new, 10.0)
        self.assert_still_served(kept, old)

    def test_files_replaced_on_disk_are_picked_up_without_reload(self):
        live = tempfile.mkdtemp(prefix="flotilla-live-")
        old = self.ca.issue("localhost", ["localhost"], "ec")
        new = self.ca.issue("localhost", ["localhost"], "ec")
        current = tls_certs.Leaf(os.path.join(live, "cert.pem"), os.path.join(live, "key.pem"),
                                 old.serial, old.key_type, old.names)
        tls_certs.replace_file(current.cert, old.cert)
        tls_certs.replace_file(current.key, old.key)
        gw, port = self.start(current)
        kept = self.open_kept(port, old)
        # As a certificate manager renews: the key first, then the certificate, each renamed
        # into place (a poll may see the pair half-replaced: it must keep the old one then).
        tls_certs.replace_file(current.key, new.key)
        tls_certs.replace_file(current.cert, new.cert)
        took = self.wait_served(port, new, DISK_POLL_BOUND_S)
        self.assertLess(took, DISK_POLL_BOUND_S)
        self.assert_still_served(kept, old)
        gw.process.wait_for_line(r"TLS files changed on disk: certificates reloaded", 1)


if __name__ == "__main__":
    unittest.main()
