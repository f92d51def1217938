"""TLS to upstreams, against TLS servers the test runs (python ssl): verified against the test CA
and the `sni` name → 200; the wrong CA, or a name the certificate does not carry → 502 and a log
line that says why; `verify: false` → 200; a client certificate presented to a server that
requires one; pooled connections reused (one handshake for many requests) and TLS sessions
resumed across new connections to the same endpoint."""
import json
import os
import ssl
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import tls_certs  # noqa: E402
from backends import Backend, reply  # noqa: E402
from harness import Cleanup, Flotilla, gateway_config, request  # noqa: E402


def server_context(leaf, client_ca=None):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(leaf.cert, leaf.key)
    if client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(client_ca)
    return context


def answer_and_close(request, backend):
    return reply(200, b'{"instance": "%s"}' % backend.name.encode(), close=True)


class UpstreamTls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.ca = tls_certs.TestCA()
            cls.wrong_ca = tls_certs.TestCA(name="Some Other CA")
            leaf = cls.ca.issue("backend.test", ["backend.test", "IP:127.0.0.1"], "ec")
            cls.client = cls.ca.issue("flotilla gateway", [], "ec", client=True)
            cls.server = cls.cleanup.add(Backend("tls", tls=server_context(leaf)))
            cls.closing = cls.cleanup.add(Backend("closing", respond=answer_and_close,
                                                  tls=server_context(leaf)))
            cls.mutual = cls.cleanup.add(Backend("mutual", tls=server_context(leaf,
                                                                              cls.ca.cert)))
            good = {"ca": cls.ca.cert, "sni": "backend.test"}
            upstreams = {
                "good": {"servers": [cls.server.address], "tls": good},
                "by_ip": {"servers": [cls.server.address], "tls": {"ca": cls.ca.cert}},
                "wrong_ca": {"servers": [cls.server.address],
                             "tls": {"ca": cls.wrong_ca.cert, "sni": "backend.test"}},
                "wrong_name": {"servers": [cls.server.address],
                               "tls": {"ca": cls.ca.cert, "sni": "other.test"}},
                "insecure": {"servers": [cls.server.address], "tls": {"verify": False}},
                "closing": {"servers": [cls.closing.address], "tls": good},
                "mutual": {"servers": [cls.mutual.address],
                           "tls": dict(good, client_cert=cls.client.cert,
                                       client_key=cls.client.key)},
                "mutual_missing": {"servers": [cls.mutual.address], "tls": good},
            }
            routes = [{"match": {"path": f"/{name}/"}, "upstream": name,
                       "retry": {"on": ["error"], "tries": 1}} for name in upstreams]
            config = json.loads(gateway_config(upstreams, routes))
            config["workers"] = 1  # one worker: one session cache to resume from
            cls.gw = cls.cleanup.add(Flotilla(json.dumps(config)))
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def get(self, path):
        status, _, body = request(self.gw.port, path=path)
        return status, body

    def test_verified_against_the_test_ca(self):
        for path in ("/good/x", "/by_ip/x"):
            with self.subTest(path=path):
                status, body = self.get(path)
                self.assertEqual((status, json.loads(body)["instance"]), (200, "tls"))
        seen = [r for r in self.server.requests if r.target == "/good/x"]
        self.assertEqual(len(seen), 1)

    def test_wrong_ca_is_refused_and_logged(self):
        status, _ = self.get("/wrong_ca/x")
        self.assertEqual(status, 502)
        self.gw.process.wait_for_line(r"upstream wrong_ca: TLS to .*certificate verify failed", 5)
        self.assertFalse(any(r.target == "/wrong_ca/x" for r in self.server.requests))

    def test_a_name_the_certificate_does_not_carry_is_refused(self):
        status, _ = self.get("/wrong_name/x")
        self.assertEqual(status, 502)
        self.gw.process.wait_for_line(r"upstream wrong_name: TLS to .*failed", 5)
        self.assertFalse(any(r.target == "/wrong_name/x" for r in self.server.requests))

    def test_verify_false_accepts_any_certificate(self):
        status, body = self.get("/insecure/x")
        self.assertEqual((status, json.loads(body)["instance"]), (200, "tls"))

    def test_client_certificate_for_a_server_that_requires_one(self):
        status, body = self.get("/mutual/x")
        self.assertEqual((status, json.loads(body)["instance"]), (200, "mutual"))
        peers = [h["peer"] for h in self.mutual.handshakes if h["ok"]]
        self.assertTrue(peers)
        subject = dict(x[0] for x in peers[-1]["subject"])
        self.assertEqual(subject["commonName"], "flotilla gateway")
        status, _ = self.get("/mutual_missing/x")
        self.assertEqual(status, 502)

    def test_pooled_connections_need_one_handshake(self):
        before = len(self.server.handshakes)
        for _ in range(5):
            self.assertEqual(self.get("/good/pooled")[0], 200)
        self.assertLessEqual(len(self.server.handshakes) - before, 1)

    def test_sessions_resumed_across_connections(self):
        # The server closes after every answer: each request needs a new TLS connection.
        for _ in range(4):
            self.assertEqual(self.get("/closing/x")[0], 200)
        handshakes = [h for h in self.closing.handshakes if h["ok"]]
        self.assertEqual(len(handshakes), 4)
        self.assertFalse(handshakes[0]["reused"])
        self.assertEqual([h["reused"] for h in handshakes[1:]], [True] * 3, handshakes)


if __name__ == "__main__":
    unittest.main()
