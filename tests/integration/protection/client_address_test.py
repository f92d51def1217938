"""Real client addresses: X-Forwarded-For (rightmost untrusted hop) and Forwarded are believed
only from a trusted peer (top-level `trusted_proxies`, a listener's own list replacing it); the
PROXY protocol v1 and v2 (crafted here, and sent by a real haproxy with send-proxy and
send-proxy-v2) names the client on plain, TLS and HTTP/2 connections; malformed or late headers
are refused. X-Real-IP upstream, access rules and the access log use the resolved address."""
import ipaddress
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import h2_client  # noqa: E402
import tls_certs  # noqa: E402
from harness import (Cleanup, Demo, Flotilla, free_port, gateway_config, metric,  # noqa: E402
                     require_tools)
from rawhttp import Reader, read_response  # noqa: E402

V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"


def proxy_v1(source, port=40000):
    family = "TCP6" if ":" in source else "TCP4"
    destination = "::1" if ":" in source else "127.0.0.1"
    return f"PROXY {family} {source} {destination} {port} 80\r\n".encode()


def proxy_v2(source, port=40000, command=0x21):
    address = ipaddress.ip_address(source)
    if address.version == 4:
        family, body = 0x11, address.packed + bytes(4) + struct.pack("!HH", port, 80)
    else:
        family, body = 0x21, address.packed + bytes(16) + struct.pack("!HH", port, 80)
    body += b"\x04\x00\x03abc"  # a TLV (NOOP) to skip
    return V2_SIGNATURE + bytes([command, family]) + struct.pack("!H", len(body)) + body


def exchange(sock, request_bytes, method="GET"):
    sock.sendall(request_bytes)
    return read_response(Reader(sock), request_method=method)


def echo_request(extra=b""):
    return (b"GET /api/echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + extra + b"\r\n")


def seen_headers(response):
    return {k.lower(): v for k, v in json.loads(response.body)["headers"].items()}


class ClientAddress(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("haproxy")
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.ca = tls_certs.TestCA()
            cls.leaf = cls.ca.issue("localhost", ["localhost", "IP:127.0.0.1"], "ec")
            cls.demo = cls.cleanup.add(Demo())
            config = json.loads(gateway_config(
                {"app": {"servers": [cls.demo.address]}},
                [{"match": {"path": "/"}, "upstream": "app"}]))
            config["trusted_proxies"] = ["127.0.0.1", "127.0.0.128/25"]
            config["listen"] = [
                {"address": "127.0.0.1:0", "deny": ["203.0.113.0/24"]},
                {"address": "127.0.0.1:0", "proxy_protocol": True,
                 "timeouts": {"client_header": "1s"}},
                tls_certs.listener([cls.leaf], http2=True, proxy_protocol=True),
                {"address": "127.0.0.1:0", "trusted_proxies": []},
            ]
            config["access_log"] = {"enabled": True,
                                   "path": os.path.join(tempfile.mkdtemp(), "access.log")}
            cls.access_log = config["access_log"]["path"]
            cls.gw = cls.cleanup.add(Flotilla(json.dumps(config)))
            ports = [p for _, p in cls.gw.listeners()]
            cls.plain, cls.proxied, cls.tls, cls.untrusting = ports
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def connect(self, port, source="127.0.0.1"):
        sock = socket.socket()
        sock.settimeout(10)
        sock.bind((source, 0))
        sock.connect(("127.0.0.1", port))
        self.addCleanup(sock.close)
        return sock

    def real_ip(self, port, extra=b"", source="127.0.0.1"):
        response = exchange(self.connect(port, source), echo_request(extra))
        self.assertEqual(response.status, 200, response.raw_head)
        seen = seen_headers(response)
        return seen["x-real-ip"], seen["x-forwarded-for"]

    # --- X-Forwarded-For and Forwarded

    def test_trusted_peer_gives_rightmost_untrusted_hop(self):
        real, forwarded = self.real_ip(
            self.plain, b"X-Forwarded-For: 6.6.6.6, 198.51.100.7, 127.0.0.200\r\n")
        self.assertEqual(real, "198.51.100.7")
        # The list goes on with the hop flotilla saw.
        self.assertEqual(forwarded, "6.6.6.6, 198.51.100.7, 127.0.0.200, 127.0.0.1")

    def test_untrusted_peer_is_the_client(self):
        real, forwarded = self.real_ip(self.plain, b"X-Forwarded-For: 198.51.100.7\r\n",
                                       source="127.0.0.5")
        self.assertEqual(real, "127.0.0.5")
        self.assertEqual(forwarded, "198.51.100.7, 127.0.0.5")
        # A listener whose own list is empty trusts nobody, not even 127.0.0.1.
        real, _ = self.real_ip(self.untrusting, b"X-Forwarded-For: 198.51.100.7\r\n")
        self.assertEqual(real, "127.0.0.1")

    def test_forwarded_header(self):
        real, _ = self.real_ip(
            self.plain, b'Forwarded: for=6.6.6.6, for="[2001:db8:cafe::17]:4711";proto=https\r\n')
        self.assertEqual(real, "2001:db8:cafe::17")
        real, _ = self.real_ip(self.plain, b"Forwarded: for=198.51.100.9\r\n",
                               source="127.0.0.6")
        self.assertEqual(real, "127.0.0.6")

    def test_access_rules_and_log_use_the_resolved_address(self):
        denied = exchange(self.connect(self.plain),
                          echo_request(b"X-Forwarded-For: 203.0.113.50\r\n"))
        self.assertEqual(denied.status, 403)
        allowed = exchange(self.connect(self.plain, "127.0.0.7"),
                           echo_request(b"X-Forwarded-For: 203.0.113.50\r\n"))
        self.assertEqual(allowed.status, 200)  # untrusted peer: its header means nothing
        deadline = time.monotonic() + 5
        clients = set()
        while time.monotonic() < deadline and "203.0.113.50" not in clients:
            time.sleep(0.2)
            with open(self.access_log) as f:
                clients = {json.loads(line).get("client") for line in f if line.strip()}
        self.assertIn("203.0.113.50", clients)

    # --- PROXY protocol

    def test_proxy_v1_and_v2_on_a_plain_listener(self):
        for header, client in ((proxy_v1("192.0.2.10"), "192.0.2.10"),
                               (proxy_v1("2001:db8::10"), "2001:db8::10"),
                               (proxy_v2("192.0.2.20"), "192.0.2.20"),
                               (proxy_v2("2001:db8::20"), "2001:db8::20")):
            with self.subTest(header=header):
                sock = self.connect(self.proxied)
                response = exchange(sock, header + echo_request())
                self.assertEqual(response.status, 200, response.raw_head)
                self.assertEqual(seen_headers(response)["x-real-ip"], client)

    def test_proxy_header_in_pieces_and_local(self):
        sock = self.connect(self.proxied)
        header = proxy_v1("192.0.2.30")
        for piece in (header[:3], header[3:20], header[20:]):
            sock.sendall(piece)
            time.sleep(0.05)
        self.assertEqual(seen_headers(exchange(sock, echo_request()))["x-real-ip"], "192.0.2.30")
        # LOCAL (the proxy's own health check): the real peer stands.
        sock = self.connect(self.proxied)
        response = exchange(sock, proxy_v2("192.0.2.40", command=0x20) + echo_request())
        self.assertEqual(seen_headers(response)["x-real-ip"], "127.0.0.1")

    def test_malformed_missing_or_late_headers_are_refused(self):
        before = metric(self.gw.metrics(), "flotilla_connections_refused_total",
                        reason="proxy_header")
        for payload in (echo_request(),  # no header at all
                        b"PROXY TCP4 192.0.2.1 nonsense 1 2\r\n" + echo_request(),
                        V2_SIGNATURE + b"\x21\x11\x00\x04abcd" + echo_request()):
            with self.subTest(payload=payload[:20]):
                sock = self.connect(self.proxied)
                sock.sendall(payload)
                self.assertEqual(sock.recv(100), b"")  # closed, nothing answered
        sock = self.connect(self.proxied)
        sock.sendall(b"PROXY TCP4 192.0.2.1")  # and then nothing: the header timeout (1s)
        started = time.monotonic()
        self.assertEqual(sock.recv(100), b"")
        self.assertLess(time.monotonic() - started, 5)
        after = metric(self.gw.metrics(), "flotilla_connections_refused_total",
                       reason="proxy_header")
        self.assertGreaterEqual(after - before, 4)

    def test_proxy_v1_and_v2_before_tls(self):
        context = self.ca.client_context()
        for header, client in ((proxy_v1("192.0.2.50"), "192.0.2.50"),
                               (proxy_v2("2001:db8::50"), "2001:db8::50")):
            with self.subTest(header=header):
                raw = self.connect(self.tls)
                raw.sendall(header)
                with context.wrap_socket(raw, server_hostname="localhost") as tls:
                    response = exchange(tls, echo_request())
                self.assertEqual(response.status, 200)
                self.assertEqual(seen_headers(response)["x-real-ip"], client)

    def test_proxy_v2_before_tls_and_http2(self):
        real_create = socket.create_connection

        def create_with_header(address, timeout=None, *args, **kwargs):
            sock = real_create(address, timeout, *args, **kwargs)
            sock.sendall(proxy_v2("192.0.2.60"))
            return sock

        h2_client.socket.create_connection = create_with_header
        try:
            client = h2_client.H2Client(self.tls, context=self.ca.client_context())
        finally:
            h2_client.socket.create_connection = real_create
        try:
            sid = client.request("/api/echo")
            headers, body, _, _ = client.response(sid)
        finally:
            client.close()
        self.assertEqual(headers[":status"], "200")
        self.assertEqual(json.loads(body)["headers"]["x-real-ip"], "192.0.2.60")

    def test_haproxy_send_proxy_and_send_proxy_v2(self):
        v1_port, v2_port = free_port(), free_port()
        config = f"""
defaults
  mode tcp
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend v1
  bind 127.0.0.1:{v1_port}
  default_backend flotilla_v1
frontend v2
  bind 127.0.0.1:{v2_port}
  default_backend flotilla_v2
backend flotilla_v1
  server gw 127.0.0.1:{self.proxied} send-proxy
backend flotilla_v2
  server gw 127.0.0.1:{self.proxied} send-proxy-v2
"""
        path = os.path.join(tempfile.mkdtemp(), "haproxy.cfg")
        with open(path, "w") as f:
            f.write(config)
        haproxy = subprocess.Popen(["haproxy", "-db", "-f", path], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
        try:
            for port, source in ((v1_port, "127.0.0.21"), (v2_port, "127.0.0.22")):
                deadline = time.monotonic() + 10
                while True:
                    try:
                        sock = self.connect(port, source)
                        break
                    except OSError:
                        self.assertLess(time.monotonic(), deadline, "haproxy did not start")
                        time.sleep(0.1)
                response = exchange(sock, echo_request())
                self.assertEqual(response.status, 200, response.raw_head)
                self.assertEqual(seen_headers(response)["x-real-ip"], source)
        finally:
            haproxy.kill()
            haproxy.wait(timeout=10)


if __name__ == "__main__":
    unittest.main(verbosity=2)
