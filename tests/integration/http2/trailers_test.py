"""Trailers through flotilla between HTTP/2 clients and an HTTP/1.1 upstream (a small Python
server in this test): a request's trailers (HEADERS with END_STREAM after DATA) reach the
upstream in its chunked body's trailer section, minus fields that are never trailers (RFC 9110
§6.5.1); an upstream's chunked trailers reach the HTTP/2 client as a trailing HEADERS frame —
gRPC's `grpc-status` — minus the same fields; HTTP/1.1 clients get them in the last chunk when
they sent `TE: trailers`, and a plain last chunk otherwise."""
import json
import os
import socket
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import tls_certs  # noqa: E402
from h2_client import H2Client  # noqa: E402
from harness import Cleanup, Flotilla, gateway_config, raw_exchange, request  # noqa: E402


def read_chunked(reader_buffer, recv):
    """Reads a whole chunked body; returns (payload, raw trailer section without its final
    CRLF)."""
    buf = reader_buffer
    payload = b""

    def need(marker):
        nonlocal buf
        while marker not in buf:
            data = recv()
            if not data:
                raise EOFError
            buf += data
        i = buf.index(marker)
        out = buf[:i]
        buf = buf[i + len(marker):]
        return out

    while True:
        size = int(need(b"\r\n").split(b";")[0], 16)
        if size == 0:
            break
        while len(buf) < size + 2:
            data = recv()
            if not data:
                raise EOFError
            buf += data
        payload += buf[:size]
        buf = buf[size + 2:]
    trailers = b""
    while True:
        line = need(b"\r\n")
        if not line:
            break
        trailers += line + b"\r\n"
    return payload, trailers, buf


class Upstream:
    """HTTP/1.1 keep-alive server: /grpc answers chunked with trailers; anything else is echoed
    back as JSON {body, trailers, head} with a Content-Length."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.stopped = False
        threading.Thread(target=self.accept, daemon=True).start()

    def stop(self):
        self.stopped = True
        self.sock.close()

    def accept(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        conn.settimeout(10)
        buf = b""
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                head, buf = buf.split(b"\r\n\r\n", 1)
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                fields = {k.strip().lower(): v.strip() for k, _, v in
                          (line.partition(":") for line in lines[1:])}
                body, trailers = b"", b""
                if fields.get("transfer-encoding", "").lower() == "chunked":
                    body, trailers, buf = read_chunked(buf, lambda: conn.recv(65536))
                elif "content-length" in fields:
                    n = int(fields["content-length"])
                    while len(buf) < n:
                        buf += conn.recv(65536)
                    body, buf = buf[:n], buf[n:]
                if path == "/grpc":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/grpc\r\n"
                                 b"Transfer-Encoding: chunked\r\nTrailer: grpc-status\r\n\r\n"
                                 b"5\r\nhello\r\n6\r\n world\r\n0\r\n"
                                 b"grpc-status: 0\r\ngrpc-message: all good\r\n"
                                 b"Content-Length: 99\r\nSet-Cookie: no=trailer\r\n\r\n")
                elif path == "/grpc-empty":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                 b"0\r\ngrpc-status: 5\r\n\r\n")
                else:
                    out = json.dumps({"body": body.decode("latin-1"),
                                      "trailers": trailers.decode("latin-1"),
                                      "head": head.decode("latin-1")}).encode()
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: %d\r\n\r\n" % len(out) + out)
        except (OSError, EOFError, ValueError):
            pass
        finally:
            conn.close()


class Trailers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.upstream = Upstream()
            cls.cleanup.add(cls.upstream)
            cls.ca = tls_certs.TestCA()
            cls.leaf = cls.ca.issue("localhost", ["localhost", "IP:127.0.0.1"], "ec")
            config = json.loads(gateway_config(
                {"app": {"servers": [f"127.0.0.1:{cls.upstream.port}"]}},
                [{"match": {"path": "/"}, "upstream": "app"}]))
            config["listen"] = [tls_certs.listener([cls.leaf], http2=True),
                                {"address": "127.0.0.1:0", "http2": True}]
            cls.gw = cls.cleanup.add(Flotilla(json.dumps(config)))
            cls.tls_port, cls.plain_port = (p for _, p in cls.gw.listeners())
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def client(self):
        client = H2Client(self.tls_port, self.ca.client_context())
        self.addCleanup(client.close)
        return client

    def test_response_trailers_reach_the_http2_client(self):
        client = self.client()
        sid = client.request("/grpc", extra=[("te", "trailers")])
        headers, body, trailers, reset = client.response(sid)
        self.assertIsNone(reset)
        self.assertEqual(headers[":status"], "200")
        self.assertEqual(body, b"hello world")
        self.assertEqual(trailers.get("grpc-status"), "0", trailers)
        self.assertEqual(trailers.get("grpc-message"), "all good")
        # Never trailers (RFC 9110 §6.5.1): left out.
        self.assertNotIn("content-length", trailers)
        self.assertNotIn("set-cookie", trailers)

    def test_trailers_only_response(self):
        client = self.client()
        sid = client.request("/grpc-empty")
        headers, body, trailers, reset = client.response(sid)
        self.assertIsNone(reset)
        self.assertEqual((headers[":status"], body), ("200", b""))
        self.assertEqual(trailers.get("grpc-status"), "5", trailers)

    def test_http11_client_gets_the_body_without_trailers(self):
        status, _, body = request(self.plain_port, path="/grpc")
        self.assertEqual((status, body), (200, b"hello world"))
        raw = raw_exchange(self.plain_port, b"GET /grpc HTTP/1.1\r\nHost: x\r\n"
                           b"Connection: close\r\n\r\n")
        self.assertTrue(raw.endswith(b"\r\n0\r\n\r\n"), raw[-120:])

    def test_http11_client_with_te_trailers_gets_them(self):
        raw = raw_exchange(self.plain_port, b"GET /grpc HTTP/1.1\r\nHost: x\r\nTE: trailers\r\n"
                           b"Connection: TE, close\r\n\r\n")
        self.assertTrue(raw.startswith(b"HTTP/1.1 200"), raw[:200])
        self.assertIn(b"Transfer-Encoding: chunked", raw)
        self.assertTrue(raw.endswith(b"\r\n0\r\ngrpc-status: 0\r\ngrpc-message: all good\r\n\r\n"),
                        raw[-160:])

    def test_request_trailers_reach_the_upstream(self):
        client = self.client()
        sid = client.request("/upload", method="POST", end_stream=False)
        client.conn.send_data(sid, b"part one, ")
        client.conn.send_data(sid, b"part two")
        client.conn.send_headers(sid, [("x-checksum", "abc123"), ("content-type", "text/evil"),
                                       ("grpc-timeout", "1S")], end_stream=True)
        client.flush()
        headers, body, _, reset = client.response(sid)
        self.assertIsNone(reset)
        self.assertEqual(headers[":status"], "200")
        seen = json.loads(body)
        self.assertEqual(seen["body"], "part one, part two")
        self.assertIn("Transfer-Encoding: chunked", seen["head"])
        lines = seen["trailers"].split("\r\n")
        self.assertIn("x-checksum: abc123", lines, seen)
        self.assertIn("grpc-timeout: 1S", lines, seen)
        self.assertFalse(any(line.lower().startswith("content-type") for line in lines), seen)

    def test_request_without_trailers_ends_with_an_empty_last_chunk(self):
        client = self.client()
        sid = client.request("/upload", method="POST", end_stream=False)
        client.conn.send_data(sid, b"body", end_stream=True)
        client.flush()
        headers, body, _, _ = client.response(sid)
        seen = json.loads(body)
        self.assertEqual((seen["body"], seen["trailers"]), ("body", ""))


if __name__ == "__main__":
    unittest.main()
