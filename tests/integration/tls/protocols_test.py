"""TLS on a listener with real clients: curl and `openssl s_client` over TLS 1.2 and 1.3 (the
protocol and an AEAD forward-secret cipher checked, the certificate verified against the test CA),
CBC-only and static-RSA clients refused by the default cipher list, `protocols: [TLSv1.3]`
refusing a 1.2-only client (and `[TLSv1.2]` a 1.3-only one), and a `Connection: close` answer
ended with close_notify (RFC 8446 §6.1), so a client can tell the end from a truncation."""
import json
import os
import ssl
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import tls_certs  # noqa: E402
from harness import Cleanup  # noqa: E402

TLS12_AEAD = ("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
              "ECDHE-ECDSA-CHACHA20-POLY1305")
TLS13 = ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256")
HELLO = b"GET /api/hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"


class Protocols(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            tls_certs.demo_behind_tls(cls, sans=("localhost", "IP:127.0.0.1"), listeners_tls=[
                {}, {"protocols": ["TLSv1.3"]}, {"protocols": ["TLSv1.2"]}])
            cls.both, cls.only13, cls.only12 = cls.ports
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def s_client(self, port, *args):
        return tls_certs.s_client(port, "-CAfile", self.ca.cert, "-verify_hostname", "localhost",
                                  *args, servername="localhost", request=HELLO)

    def test_curl_over_tls12_and_tls13(self):
        for flags, protocol, ciphers in ((["--tlsv1.2", "--tls-max", "1.2"], "TLSv1.2", TLS12_AEAD),
                                         (["--tlsv1.3"], "TLSv1.3", TLS13)):
            with self.subTest(protocol=protocol):
                code, body, got_protocol, cipher, err = tls_certs.curl_tls(
                    self.both, "/api/hello", self.ca.cert, *flags)
                self.assertEqual(code, 0, err)
                self.assertEqual(json.loads(body)["message"], "hello")
                self.assertEqual(got_protocol, protocol, err)
                self.assertIn(cipher, ciphers)

    def test_s_client_over_tls12_and_tls13(self):
        for flag, protocol, ciphers in (("-tls1_2", "TLSv1.2", TLS12_AEAD),
                                        ("-tls1_3", "TLSv1.3", TLS13)):
            with self.subTest(protocol=protocol):
                r = self.s_client(self.both, flag)
                self.assertTrue(r.handshake_ok, r.output)
                self.assertEqual(r.protocol, protocol, r.output)
                self.assertIn(r.cipher, ciphers)
                self.assertEqual(r.verify_code, 0, r.output)  # chain and name verified
                self.assertEqual(r.serial, self.leaf.serial)
                self.assertEqual(r.http_status, 200, r.output)

    def test_weak_tls12_ciphers_are_not_offered(self):
        # CBC with and without forward secrecy, and static RSA key exchange: none is accepted.
        for cipher in ("ECDHE-ECDSA-AES128-SHA", "AES128-GCM-SHA256", "AES256-SHA"):
            with self.subTest(cipher=cipher):
                r = self.s_client(self.both, "-tls1_2", "-cipher", cipher)
                self.assertFalse(r.handshake_ok, r.output)
                self.assertIsNone(r.http_status)

    def test_tls13_only_listener_refuses_a_tls12_client(self):
        r = self.s_client(self.only13, "-tls1_2")
        self.assertFalse(r.handshake_ok, r.output)
        self.assertIsNone(r.http_status)
        code, _, _, _, err = tls_certs.curl_tls(self.only13, "/api/hello", self.ca.cert,
                                                "--tlsv1.2", "--tls-max", "1.2")
        self.assertEqual(code, 35, err)  # CURLE_SSL_CONNECT_ERROR
        ok = self.s_client(self.only13, "-tls1_3")
        self.assertEqual((ok.protocol, ok.http_status), ("TLSv1.3", 200), ok.output)

    def test_tls12_only_listener_refuses_a_tls13_client(self):
        r = self.s_client(self.only12, "-tls1_3")
        self.assertFalse(r.handshake_ok, r.output)
        ok = self.s_client(self.only12)
        self.assertEqual((ok.protocol, ok.http_status), ("TLSv1.2", 200), ok.output)

    def test_connection_close_ends_with_close_notify(self):
        for flag in ("-tls1_2", "-tls1_3"):
            with self.subTest(flag=flag):
                r = self.s_client(self.both, flag)
                self.assertEqual(r.http_status, 200, r.output)
                self.assertFalse(r.unexpected_eof,
                                 "the server closed without close_notify:\n" + r.output)

    def test_http10_body_framed_by_close_is_not_truncatable(self):
        # A chunked upstream answer goes to an HTTP/1.0 client framed by the close: only
        # close_notify proves the body whole. A client that refuses ragged EOFs reads it all.
        context = self.ca.client_context()
        context.options &= ~ssl.OP_IGNORE_UNEXPECTED_EOF  # python sets it by default
        sock = tls_certs.tls_connect(self.both, context, ragged_eof_ok=False)
        try:
            sock.sendall(b"GET /api/bytes?n=100000&chunked=1 HTTP/1.0\r\nHost: localhost\r\n\r\n")
            data = b""
            for _ in range(10000):  # bounded: 100 kB arrive in far fewer reads
                try:
                    chunk = sock.recv(65536)
                except ssl.SSLError as e:
                    self.fail(f"{e} after {len(data)} bytes: the body's end cannot be told "
                              "from a truncation")
                if not chunk:
                    break
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            self.assertTrue(head.startswith(b"HTTP/1.1 200"), head)
            self.assertNotIn(b"content-length", head.lower())  # framed by the close
            self.assertEqual(len(body), 100000)
        finally:
            sock.close()


if __name__ == "__main__":
    unittest.main()
