"""Several certificates on one listener: SNI picks the set whose names match (an exact name before
a `*.` wildcard, whatever their order; a wildcard covers one label only), no or an unknown SNI
gets the first; and on a listener with an RSA and an ECDSA certificate for the same name, an
RSA-only client and an ECDSA-only client both connect and each gets the matching key type
(TLS 1.2 by cipher or signature algorithms, TLS 1.3 by signature algorithms)."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import tls_certs  # noqa: E402
from harness import Cleanup, Demo, Flotilla, gateway_config  # noqa: E402


class Sni(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            ca = cls.ca = tls_certs.TestCA()
            cls.default = ca.issue("default.test", ["default.test"], "ec")
            cls.wildcard = ca.issue("wildcard", ["*.example.test"], "ec")
            cls.exact = ca.issue("api.example.test", ["api.example.test"], "rsa")
            cls.rsa = ca.issue("localhost", ["localhost"], "rsa")
            cls.ecdsa = ca.issue("localhost", ["localhost"], "ec")
            cls.demo = cls.cleanup.add(Demo())
            config = json.loads(gateway_config(
                {"app": {"servers": [cls.demo.address]}},
                [{"match": {"path": "/"}, "upstream": "app"}]))
            config["listen"] = [
                # The wildcard before the exact name: the exact name must still win.
                tls_certs.listener([cls.default, cls.wildcard, cls.exact]),
                tls_certs.listener([cls.rsa, cls.ecdsa]),
            ]
            cls.gw = cls.cleanup.add(Flotilla(json.dumps(config)))
            cls.multi, cls.dual = (p for _, p in cls.gw.listeners())
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def test_sni_picks_the_certificate(self):
        cases = (("api.example.test", self.exact), ("API.Example.Test", self.exact),
                 ("www.example.test", self.wildcard), ("deep.www.example.test", self.default),
                 ("example.test", self.default), ("default.test", self.default),
                 ("unknown.test", self.default), (None, self.default))
        for name, leaf in cases:
            for flag in ("-tls1_2", "-tls1_3"):
                with self.subTest(sni=name, flag=flag):
                    r = tls_certs.s_client(self.multi, flag, servername=name,
                                           request=b"GET /api/hello HTTP/1.1\r\nHost: x\r\n"
                                                   b"Connection: close\r\n\r\n")
                    self.assertTrue(r.handshake_ok, r.output)
                    self.assertEqual(r.serial, leaf.serial,
                                     f"{name} got {r.facts.get('subject')}")
                    self.assertEqual(r.http_status, 200)

    def test_a_verifying_client_accepts_each_name(self):
        context = self.ca.client_context()
        for name in ("api.example.test", "www.example.test", "default.test"):
            with self.subTest(name=name):
                status, _, body = tls_certs.https_request(self.multi, context,
                                                          path="/api/hello",
                                                          server_hostname=name)
                self.assertEqual((status, json.loads(body)["message"]), (200, "hello"))

    def test_rsa_only_and_ecdsa_only_clients_on_a_dual_certificate_listener(self):
        cases = (
            (("-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"), self.rsa),
            (("-tls1_2", "-sigalgs", "RSA-PSS+SHA256:RSA+SHA256"), self.rsa),
            (("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"), self.ecdsa),
            (("-tls1_2", "-sigalgs", "ECDSA+SHA256"), self.ecdsa),
            (("-tls1_3", "-sigalgs", "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384"), self.rsa),
            (("-tls1_3", "-sigalgs", "ecdsa_secp256r1_sha256"), self.ecdsa),
        )
        for args, leaf in cases:
            with self.subTest(args=" ".join(args)):
                r = tls_certs.s_client(self.dual, "-CAfile", self.ca.cert, *args,
                                       servername="localhost",
                                       request=b"GET /api/hello HTTP/1.1\r\nHost: x\r\n"
                                               b"Connection: close\r\n\r\n")
                self.assertTrue(r.handshake_ok, r.output)
                self.assertEqual(r.verify_code, 0, r.output)
                self.assertEqual((r.key_type, r.serial), (leaf.key_type, leaf.serial))
                self.assertEqual(r.http_status, 200)

    def test_curl_rsa_only_and_ecdsa_only(self):
        for cipher in ("ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"):
            with self.subTest(cipher=cipher):
                code, body, protocol, used, err = tls_certs.curl_tls(
                    self.dual, "/api/hello", self.ca.cert, "--tls-max", "1.2", "--ciphers",
                    cipher)
                self.assertEqual(code, 0, err)
                self.assertEqual((protocol, used), ("TLSv1.2", cipher))
                self.assertEqual(json.loads(body)["message"], "hello")


if __name__ == "__main__":
    unittest.main()
