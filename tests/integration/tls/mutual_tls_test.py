"""Mutual TLS on a listener: with `verify: required` a client without a certificate (or with one
from another CA) is refused during the handshake and never reaches the upstream, a client with a
certificate from `client_ca` is served and the upstream sees its subject in X-Client-Cert-Subject
(or the configured header); a client's own X-Client-Cert-Subject is always dropped; with
`verify: optional` both kinds of clients are served and the header is there only when verified."""
import json
import os
import ssl
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import tls_certs  # noqa: E402
from backends import Backend  # noqa: E402
from harness import Cleanup, Flotilla, gateway_config  # noqa: E402

SPOOFED = {"X-Client-Cert-Subject": "CN=admin,O=Spoofed", "X-Subject": "CN=admin"}


class MutualTls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.ca = tls_certs.TestCA()
            cls.client_ca = tls_certs.TestCA(name="Client CA")
            cls.stranger_ca = tls_certs.TestCA(name="Stranger CA")
            leaf = cls.ca.issue("localhost", ["localhost"], "ec")
            cls.client = cls.client_ca.issue("client one", [], "ec", client=True)
            cls.stranger = cls.stranger_ca.issue("client one", [], "ec", client=True)
            cls.subject = tls_certs.subject_rfc2253(cls.client.cert)
            cls.backend = cls.cleanup.add(Backend("recorder"))
            config = json.loads(gateway_config(
                {"app": {"servers": [cls.backend.address]}},
                [{"match": {"path": "/"}, "upstream": "app"}]))
            config["listen"] = [
                tls_certs.listener([leaf], tls={"client_ca": cls.client_ca.cert,
                                                "verify": "required"}),
                tls_certs.listener([leaf], tls={"client_ca": cls.client_ca.cert,
                                                "verify": "optional"}),
                tls_certs.listener([leaf], tls={"client_ca": cls.client_ca.cert,
                                                "client_subject_header": "X-Subject"}),
            ]
            cls.gw = cls.cleanup.add(Flotilla(json.dumps(config)))
            cls.required, cls.optional, cls.renamed = (p for _, p in cls.gw.listeners())
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def context(self, leaf=None, maximum=None):
        context = self.ca.client_context(leaf.cert if leaf else None, leaf.key if leaf else None)
        if maximum:
            context.maximum_version = maximum
        return context

    def seen(self, port, path, leaf=None, maximum=None, headers=None):
        """The request as the upstream saw it (None if it never arrived) and the status."""
        status, _, _ = tls_certs.https_request(port, self.context(leaf, maximum), path=path,
                                               headers=headers)
        matching = [r for r in self.backend.requests if r.target == path]
        return status, (matching[-1] if matching else None)

    def refused(self, port, path, leaf=None, maximum=None):
        """True when the TLS connection fails before an HTTP answer (in TLS 1.3 the server's
        refusal of the client's certificate arrives after the client's handshake is done: the
        alert then ends the first read)."""
        try:
            tls_certs.https_request(port, self.context(leaf, maximum), path=path)
        except (ssl.SSLError, ConnectionError, OSError):
            return not any(r.target == path for r in self.backend.requests)
        return False

    def test_required_refuses_clients_without_a_verified_certificate(self):
        for maximum in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            with self.subTest(tls=maximum.name):
                self.assertTrue(self.refused(self.required, f"/none/{maximum.name}",
                                             maximum=maximum))
                self.assertTrue(self.refused(self.required, f"/stranger/{maximum.name}",
                                             self.stranger, maximum))
        r = tls_certs.s_client(self.required, "-tls1_2", servername="localhost")
        self.assertFalse(r.handshake_ok, r.output)  # refused in the handshake itself
        self.assertIsNone(r.http_status)

    def test_required_serves_a_verified_client_and_passes_its_subject(self):
        for maximum in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            with self.subTest(tls=maximum.name):
                path = f"/verified/{maximum.name}"
                status, seen = self.seen(self.required, path, self.client, maximum, SPOOFED)
                self.assertEqual(status, 200)
                self.assertEqual(seen.header("x-client-cert-subject"), self.subject)
                # Exactly one: the client's own line was dropped, not kept beside ours.
                self.assertEqual(
                    [k for k, _ in seen.headers if k.lower() == "x-client-cert-subject"],
                    ["X-Client-Cert-Subject"])
        code, body, _, _, err = tls_certs.curl_tls(
            self.required, "/curl", self.ca.cert, "--cert", self.client.cert, "--key",
            self.client.key, "-H", "X-Client-Cert-Subject: forged")
        self.assertEqual(code, 0, err)
        seen = [r for r in self.backend.requests if r.target == "/curl"][-1]
        self.assertEqual(seen.header("x-client-cert-subject"), self.subject)

    def test_optional_serves_both_and_sets_the_header_only_when_verified(self):
        status, seen = self.seen(self.optional, "/opt/with", self.client, headers=SPOOFED)
        self.assertEqual(status, 200)
        self.assertEqual(seen.header("x-client-cert-subject"), self.subject)
        status, seen = self.seen(self.optional, "/opt/without", headers=SPOOFED)
        self.assertEqual(status, 200)
        self.assertIsNone(seen.header("x-client-cert-subject"))  # the spoofed one is gone
        # A certificate from another CA is never taken for a verified one.
        try:
            status, seen = self.seen(self.optional, "/opt/stranger", self.stranger,
                                     headers=SPOOFED)
        except (ssl.SSLError, ConnectionError, OSError):
            seen = None
        if seen is not None:
            self.assertIsNone(seen.header("x-client-cert-subject"))

    def test_the_header_name_is_configurable(self):
        status, seen = self.seen(self.renamed, "/renamed", self.client, headers=SPOOFED)
        self.assertEqual(status, 200)
        self.assertEqual(seen.header("x-subject"), self.subject)
        self.assertEqual(seen.header("x-client-cert-subject"), SPOOFED["X-Client-Cert-Subject"])
        # client_ca without `verify` means required.
        self.assertTrue(self.refused(self.renamed, "/renamed/none"))


if __name__ == "__main__":
    unittest.main()
