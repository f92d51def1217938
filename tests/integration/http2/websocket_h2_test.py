"""WebSocket over HTTP/2 (RFC 8441) and over HTTP/1.1 on one TLS listener, to the demo app's
HTTP/1.1 echo: the server's SETTINGS_ENABLE_CONNECT_PROTOCOL, the extended CONNECT answered 200
(the upstream's 101), frames echoed both ways (small, 300 KiB, several in one write), ping/pong,
the close handshake ending the stream with END_STREAM; several tunnels and plain requests on one
connection; a reader that stops reading stalls its own tunnel only (flow control), and gets every
byte once it reads again; a reset tunnel leaves the connection serving; a refusal by the upstream
is forwarded as its answer; CONNECT without :protocol and other protocols stay refused."""
import base64
import collections
import json
import os
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import tls_certs  # noqa: E402
import websocket_frames  # noqa: E402
from h2_client import H2Client  # noqa: E402
from h2_tunnel import H2Tunnel, wait_connect_protocol  # noqa: E402
from harness import Cleanup, Demo, Flotilla, gateway_config  # noqa: E402
from rawhttp import Reader  # noqa: E402
from websocket_frames import BINARY, TEXT, frame, read_frame  # noqa: E402

import h2.errors  # noqa: E402
import h2.events  # noqa: E402


class RawUpgradeUpstream:
    """An HTTP/1.1 upstream that answers every request 101 and then echoes raw bytes: it keeps
    each request head, and sets `closed[target]` when flotilla closes (or half-closes) the
    connection of that request."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.heads = []
        self.closed = collections.defaultdict(threading.Event)
        threading.Thread(target=self.accept, daemon=True).start()

    def stop(self):
        self.sock.close()

    def accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        conn.settimeout(30)
        buf = b""
        target = None
        try:
            while b"\r\n\r\n" not in buf:
                data = conn.recv(65536)
                if not data:
                    return
                buf += data
            head, rest = buf.split(b"\r\n\r\n", 1)
            self.heads.append(head.decode("latin-1"))
            target = self.heads[-1].split(" ")[1]
            conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                         b"Connection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n" + rest)
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                if data == b"close please":
                    conn.close()
                    return
                conn.sendall(data)
        except OSError:
            pass
        finally:
            if target:
                self.closed[target].set()
            conn.close()


class WebSocketOverHttp2(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.ca = tls_certs.TestCA()
            cls.leaf = cls.ca.issue("localhost", ["localhost", "IP:127.0.0.1"], "ec")
            cls.demo = cls.cleanup.add(Demo())
            cls.raw = cls.cleanup.add(RawUpgradeUpstream())
            config = json.loads(gateway_config(
                {"app": {"servers": [cls.demo.address]},
                 "raw": {"servers": [f"127.0.0.1:{cls.raw.port}"]}},
                [{"match": {"path": "/raw/"}, "upstream": "raw", "timeouts": {"read": "10s"}},
                 {"match": {"path": "/"}, "upstream": "app", "timeouts": {"read": "10s"}}]))
            config["listen"] = [tls_certs.listener([cls.leaf], http2=True)]
            cls.gw = cls.cleanup.add(Flotilla(json.dumps(config)))
            cls.port = cls.gw.listeners()[0][1]
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def client(self, **kwargs):
        client = H2Client(self.port, self.ca.client_context(), **kwargs)
        self.addCleanup(client.close)
        self.assertTrue(wait_connect_protocol(client), "no SETTINGS_ENABLE_CONNECT_PROTOCOL=1")
        return client

    def tunnel(self, client, **kwargs):
        tunnel = H2Tunnel(client, **kwargs)
        self.assertEqual(tunnel.status, 200, tunnel.headers)
        return tunnel

    def test_echo_ping_and_close_over_http2(self):
        tunnel = self.tunnel(self.client())
        # RFC 8441 §5: no Sec-WebSocket-Accept, no Upgrade or Connection over HTTP/2.
        for name in ("sec-websocket-accept", "upgrade", "connection"):
            self.assertNotIn(name, tunnel.headers)
        websocket_frames.echo_ping_and_close(self, tunnel, Reader(tunnel),
                                             "héllo over h2".encode(), 300 * 1024)
        self.assertTrue(tunnel.ended)
        self.assertIsNone(tunnel.reset, "the tunnel ended with RST_STREAM, not END_STREAM")

    def test_http11_websocket_on_the_same_tls_listener(self):
        context = self.ca.client_context()
        context.set_alpn_protocols(["http/1.1"])
        sock = tls_certs.tls_connect(self.port, context)
        try:
            reader = websocket_frames.upgrade(self, sock, b"localhost")
            websocket_frames.echo_ping_and_close(self, sock, reader, b"over http/1.1", 70000)
        finally:
            sock.close()

    def test_tunnels_and_requests_share_one_connection(self):
        client = self.client()
        tunnels = [self.tunnel(client) for _ in range(3)]
        sid = client.request("/api/hello")
        for i, tunnel in enumerate(tunnels):
            tunnel.sendall(frame(TEXT, b"tunnel %d" % i))
        for i, tunnel in enumerate(reversed(tunnels)):
            self.assertEqual(read_frame(Reader(tunnel)), (True, TEXT, b"tunnel %d" % (2 - i)))
        # The plain request's events went to the `pending` lists of the tunnels that read them.
        events = [e for t in tunnels for e in t.pending if getattr(e, "stream_id", 0) == sid]
        deadline = time.monotonic() + 10
        while not any(isinstance(e, h2.events.StreamEnded) for e in events):
            self.assertLess(time.monotonic(), deadline, "the plain request was not answered")
            events += [e for e in client.receive(0.5) if getattr(e, "stream_id", 0) == sid]
        body = b"".join(e.data for e in events if isinstance(e, h2.events.DataReceived))
        self.assertEqual(json.loads(body)["message"], "hello")

    def test_slow_reader_stalls_its_own_tunnel_only(self):
        window = 16384
        client = self.client(window=window)
        slow = self.tunnel(client, ack=False)
        big = os.urandom(512 * 1024)
        slow.sendall(frame(BINARY, big))
        # The echo comes back no faster than the reader gives window: flotilla sends one window
        # and holds the rest (pausing its read of the upstream), while another tunnel on the
        # same connection is served at once.
        quick = self.tunnel(client)
        for i in range(5):
            start = time.monotonic()
            quick.sendall(frame(TEXT, b"quick %d" % i))
            self.assertEqual(read_frame(Reader(quick)), (True, TEXT, b"quick %d" % i))
            self.assertLess(time.monotonic() - start, 2.0)
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            slow.pump(0.2)
        self.assertLessEqual(len(slow.buffer), window, "more than the window was sent")
        self.assertGreater(len(slow.buffer), 0, "not even the window was sent")
        self.assertFalse(slow.ended)
        slow.release()
        self.assertEqual(read_frame(Reader(slow)), (True, BINARY, big))

    def test_reset_tunnel_leaves_the_connection_serving(self):
        client = self.client()
        tunnel = self.tunnel(client)
        tunnel.sendall(frame(TEXT, b"before"))
        self.assertEqual(read_frame(Reader(tunnel)), (True, TEXT, b"before"))
        client.conn.reset_stream(tunnel.sid, h2.errors.ErrorCodes.CANCEL)
        client.flush()
        again = self.tunnel(client)
        again.sendall(frame(TEXT, b"after"))
        self.assertEqual(read_frame(Reader(again)), (True, TEXT, b"after"))
        self.assertIsNone(client.goaway)

    def test_upstream_gets_an_http11_websocket_upgrade(self):
        tunnel = self.tunnel(self.client(), path="/raw/chat?x=1",
                             extra=[("sec-websocket-protocol", "chat")])
        tunnel.sendall(b"ping")
        self.assertEqual(tunnel.recv(4), b"ping")
        head = self.raw.heads[-1].split("\r\n")
        self.assertEqual(head[0], "GET /raw/chat?x=1 HTTP/1.1")
        fields = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            fields.setdefault(name.strip().lower(), []).append(value.strip())
        self.assertEqual(fields["upgrade"], ["websocket"])
        self.assertEqual([v.lower() for v in fields["connection"]], ["upgrade"])
        self.assertEqual(fields["sec-websocket-version"], ["13"])
        self.assertEqual(fields["sec-websocket-protocol"], ["chat"])
        self.assertEqual(len(base64.b64decode(fields["sec-websocket-key"][0])), 16)
        self.assertNotIn("transfer-encoding", fields)
        self.assertNotIn("content-length", fields)

    def test_reset_closes_the_upstream_connection(self):
        client = self.client()
        tunnel = self.tunnel(client, path="/raw/reset")
        tunnel.sendall(b"hello")
        self.assertEqual(tunnel.recv(5), b"hello")
        self.assertFalse(self.raw.closed["/raw/reset"].is_set())
        client.conn.reset_stream(tunnel.sid, h2.errors.ErrorCodes.CANCEL)
        client.flush()
        # At once, not after the tunnel's idle timeout (10 s).
        self.assertTrue(self.raw.closed["/raw/reset"].wait(3),
                        "the upstream connection stayed open")

    def test_upstream_close_ends_the_stream(self):
        tunnel = self.tunnel(self.client(), path="/raw/close")
        tunnel.sendall(b"close please")
        deadline = time.monotonic() + 5
        while not tunnel.ended and time.monotonic() < deadline:
            tunnel.pump(0.5)
        self.assertTrue(tunnel.ended, "the upstream closed but the stream did not end")
        self.assertIsNone(tunnel.reset, "END_STREAM expected, not RST_STREAM")

    def test_client_end_stream_is_a_half_close(self):
        # The client's END_STREAM reaches the upstream as a FIN: the demo's echo ends, and the
        # stream ends both ways with END_STREAM.
        tunnel = self.tunnel(self.client())
        tunnel.sendall(frame(TEXT, b"last words"))
        self.assertEqual(read_frame(Reader(tunnel)), (True, TEXT, b"last words"))
        tunnel.end()
        deadline = time.monotonic() + 10
        while not tunnel.ended and time.monotonic() < deadline:
            tunnel.pump(0.5)
        self.assertTrue(tunnel.ended, "the stream did not end after the client's half-close")

    def test_upstream_refusal_is_forwarded(self):
        tunnel = H2Tunnel(self.client(), path="/no/such/page")
        self.assertEqual(tunnel.status, 404, tunnel.headers)
        deadline = time.monotonic() + 10
        while not tunnel.ended and time.monotonic() < deadline:
            tunnel.pump(0.5)
        self.assertTrue(tunnel.ended)

    def test_plain_connect_and_other_protocols_are_refused(self):
        client = self.client(validate=False)  # (python-h2 insists on :path for CONNECT)
        sid = client.conn.get_next_available_stream_id()
        client.conn.send_headers(sid, [(":method", "CONNECT"), (":authority", "localhost:443")])
        client.flush()
        headers, _, _, reset = client.response(sid)
        self.assertTrue(reset is not None or int(headers[":status"]) >= 400, headers)
        other_sid = client.conn.get_next_available_stream_id()
        client.conn.send_headers(other_sid, [(":method", "CONNECT"), (":protocol", "h2c"),
                                             (":scheme", "https"), (":path", "/ws"),
                                             (":authority", "localhost")])
        client.flush()
        headers, _, _, reset = client.response(other_sid)
        self.assertEqual(headers.get(":status"), "501", headers)


if __name__ == "__main__":
    unittest.main()
