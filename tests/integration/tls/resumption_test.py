"""Session resumption seen by `openssl s_client -sess_out/-sess_in` over TLS 1.2 and 1.3 ("Reused")
— with tickets (the default), with the session cache alone (`session_tickets: false`), and not
at all when both are off — and counted in flotilla_tls_handshakes_total{protocol,result} and
flotilla_tls_resumed_handshakes_total{protocol}."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import tls_certs  # noqa: E402
from harness import Cleanup, metric, raw_exchange  # noqa: E402

HELLO = b"GET /api/hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"


class Resumption(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            tls_certs.demo_behind_tls(cls, listeners_tls=[
                {}, {"session_tickets": False}, {"session_tickets": False, "session_cache": 0}])
            cls.tickets, cls.cache_only, cls.none = cls.ports
            cls.dir = tempfile.mkdtemp(prefix="flotilla-sessions-")
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def twice(self, port, flag):
        """A full handshake saving its session, then one offering it: both results."""
        path = os.path.join(self.dir, f"{port}{flag}.pem")
        first = tls_certs.s_client(port, flag, "-sess_out", path, servername="localhost",
                                   request=HELLO)
        self.assertEqual(first.http_status, 200, first.output)
        self.assertFalse(first.reused)
        if not os.path.exists(path):
            return first, None  # the server gave nothing to resume (no ticket, no session id)
        second = tls_certs.s_client(port, flag, "-sess_in", path, servername="localhost",
                                    request=HELLO)
        self.assertEqual(second.http_status, 200, second.output)
        return first, second

    def resumed(self, port, flag):
        _, second = self.twice(port, flag)
        self.assertIsNotNone(second, "s_client saved no session")
        return second

    def test_resumed_with_tickets(self):
        for flag in ("-tls1_2", "-tls1_3"):
            with self.subTest(flag=flag):
                second = self.resumed(self.tickets, flag)
                self.assertTrue(second.reused, second.output)

    def test_resumed_from_the_session_cache_without_tickets(self):
        for flag in ("-tls1_2", "-tls1_3"):
            with self.subTest(flag=flag):
                second = self.resumed(self.cache_only, flag)
                self.assertTrue(second.reused, second.output)

    def test_not_resumed_when_both_are_off(self):
        for flag in ("-tls1_2", "-tls1_3"):
            with self.subTest(flag=flag):
                _, second = self.twice(self.none, flag)
                self.assertFalse(second and second.reused, second and second.output)

    def test_metrics_count_handshakes_and_resumptions(self):
        before = self.gw.metrics()
        for flag in ("-tls1_2", "-tls1_3"):
            self.twice(self.tickets, flag)
        _, second = self.twice(self.none, "-tls1_3")  # full handshakes only
        full13 = 2 if second else 1
        # A client that is not speaking TLS at all: a failed handshake.
        raw_exchange(self.tickets, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", timeout=5)
        after = self.gw.metrics()

        def delta(name, **labels):
            return metric(after, name, **labels) - metric(before, name, **labels)

        total = "flotilla_tls_handshakes_total"
        resumed = "flotilla_tls_resumed_handshakes_total"
        self.assertEqual(delta(total, protocol="TLSv1.2", result="ok"), 2)
        self.assertEqual(delta(total, protocol="TLSv1.3", result="ok"), 2 + full13)
        self.assertEqual(delta(resumed, protocol="TLSv1.2"), 1)
        self.assertEqual(delta(resumed, protocol="TLSv1.3"), 1)
        self.assertEqual(delta(total, result="failed"), 1)


if __name__ == "__main__":
    unittest.main()
