"""A TLS client that misbehaves costs a bounded time and nothing else: garbage instead of a
ClientHello is closed at once, a client that says nothing or stalls halfway through its
ClientHello is closed within `handshake_timeout` (1 s here; asserted < 5 s), other clients are
served meanwhile, and the metrics count each result ("failed", "timeout"). With
`max_handshakes: 1` (one worker), a handshake that arrives while a stalled one holds the only
slot is refused (result="rejected"), and the listener serves again once the slot is free."""
import json
import os
import socket
import ssl
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import tls_certs  # noqa: E402
from harness import Cleanup, Demo, Flotilla, gateway_config, metric  # noqa: E402

CLOSE_BOUND_S = 5.0
HANDSHAKES = "flotilla_tls_handshakes_total"


def client_hello():
    """The bytes of a real ClientHello (python's ssl over memory BIOs)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = outgoing.read()
    assert hello[:1] == b"\x16" and len(hello) > 100, hello[:10]
    return hello


def open_with(port, payload):
    sock = socket.create_connection(("127.0.0.1", port), timeout=CLOSE_BOUND_S + 5)
    if payload:
        sock.sendall(payload)
    return sock


def seconds_until_closed(sock, started):
    """Reads (and drops: an alert may come first) until EOF; the time from `started`, or None
    if still open after CLOSE_BOUND_S + 5 s."""
    deadline = started + CLOSE_BOUND_S + 5
    try:
        while time.monotonic() < deadline:
            sock.settimeout(max(0.05, deadline - time.monotonic()))
            if not sock.recv(65536):
                return time.monotonic() - started
    except (socket.timeout, TimeoutError):
        return None
    except (ConnectionResetError, BrokenPipeError):
        return time.monotonic() - started
    finally:
        sock.close()
    return None


class HandshakeLimits(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.hello = client_hello()
            tls_certs.demo_behind_tls(cls, listeners_tls=[{"handshake_timeout": "1s"}])
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def served(self, port=None):
        status, _, _ = tls_certs.https_request(port or self.port, self.context,
                                               path="/api/hello", timeout=5)
        return status

    def test_garbage_instead_of_a_client_hello_is_closed_at_once(self):
        before = self.gw.metrics()
        for payload in (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", os.urandom(512),
                        b"\x16\x03\x01\xff\xff" + os.urandom(100)):
            with self.subTest(payload=payload[:8]):
                started = time.monotonic()
                took = seconds_until_closed(open_with(self.port, payload), started)
                self.assertIsNotNone(took, "still open")
                self.assertLess(took, CLOSE_BOUND_S)
        self.assertEqual(self.served(), 200)
        after = self.gw.metrics()
        failed = metric(after, HANDSHAKES, result="failed") - \
            metric(before, HANDSHAKES, result="failed")
        timeouts = metric(after, HANDSHAKES, result="timeout") - \
            metric(before, HANDSHAKES, result="timeout")
        self.assertEqual(failed + timeouts, 3)  # a length the record never reaches times out
        self.assertGreaterEqual(failed, 2)

    def test_silent_and_stalled_clients_are_closed_within_the_handshake_timeout(self):
        before = self.gw.metrics()
        started = time.monotonic()
        stalled = [open_with(self.port, self.hello[:len(self.hello) // 2]) for _ in range(10)]
        silent = [open_with(self.port, b"") for _ in range(5)]
        # Meanwhile everyone else is served, without waiting for those.
        for _ in range(5):
            t0 = time.monotonic()
            self.assertEqual(self.served(), 200)
            self.assertLess(time.monotonic() - t0, 1.0)
        times = [seconds_until_closed(sock, started) for sock in stalled + silent]
        self.assertTrue(all(t is not None for t in times), times)
        self.assertLess(max(times), CLOSE_BOUND_S, times)
        self.assertGreater(min(times), 0.5, times)  # the timeout, not an instant refusal
        print(f"\n  stalled handshakes closed after {min(times):.2f}..{max(times):.2f} s "
              "(handshake_timeout 1 s)", file=sys.stderr)
        self.assertEqual(self.served(), 200)
        after = self.gw.metrics()
        # The stalled ones timed out in their handshake; the silent ones never began one.
        self.assertGreaterEqual(metric(after, HANDSHAKES, result="timeout")
                                - metric(before, HANDSHAKES, result="timeout"), 10)

    def test_max_handshakes_refuses_a_handshake_beyond_the_cap(self):
        demo = self.cleanup.add(Demo())
        config = json.loads(gateway_config(
            {"app": {"servers": [demo.address]}},
            [{"match": {"path": "/"}, "upstream": "app"}], workers=1))
        config["listen"] = [tls_certs.listener([self.leaf], tls={"handshake_timeout": "2s",
                                                                 "max_handshakes": 1})]
        gw = self.cleanup.add(Flotilla(json.dumps(config)))
        port = gw.listeners()[0][1]
        self.assertEqual(self.served(port), 200)
        stalled = open_with(port, self.hello[:len(self.hello) // 2])
        time.sleep(0.3)  # its handshake has begun and holds the one slot
        with self.assertRaises((ssl.SSLError, ConnectionError, OSError)):
            self.served(port)
        samples = gw.metrics()
        self.assertGreaterEqual(metric(samples, HANDSHAKES, result="rejected"), 1)
        # Once the stalled handshake times out, the slot is free again.
        self.assertIsNotNone(seconds_until_closed(stalled, time.monotonic()))
        self.assertEqual(self.served(port), 200)
        self.assertGreaterEqual(metric(gw.metrics(), HANDSHAKES, result="timeout"), 1)


if __name__ == "__main__":
    unittest.main()
