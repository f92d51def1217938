"""WebSocket over TLS (wss://): the upgrade on a TLS connection, frames echoed through the tunnel
small and large (many TLS records each way, and several frames in one record), ping/pong, a frame
sent in the same record as the upgrade request, and the close handshake ending the tunnel."""
import base64
import hashlib
import json
import os
import struct
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import tls_certs  # noqa: E402
from harness import Cleanup, Demo, Flotilla, gateway_config  # noqa: E402
from rawhttp import Reader, read_response  # noqa: E402
from websocket_frames import (BINARY, CLOSE, PING, PONG, TEXT, WS_GUID, frame,  # noqa: E402
                              read_frame)


class WebSocketOverTls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.ca = tls_certs.TestCA()
            cls.leaf = cls.ca.issue("localhost", ["localhost"], "ec")
            cls.context = cls.ca.client_context()
            cls.demo = cls.cleanup.add(Demo())
            config = json.loads(gateway_config(
                {"app": {"servers": [cls.demo.address]}},
                [{"match": {"path": "/"}, "upstream": "app", "timeouts": {"read": "5s"}}]))
            config["listen"] = [tls_certs.listener([cls.leaf])]
            cls.gw = cls.cleanup.add(Flotilla(json.dumps(config)))
            cls.port = cls.gw.listeners()[0][1]
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def upgrade(self, extra=b""):
        sock = tls_certs.tls_connect(self.port, self.context)
        key = base64.b64encode(os.urandom(16))
        sock.sendall(b"GET /ws HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\n"
                     b"Upgrade: websocket\r\nSec-WebSocket-Key: " + key
                     + b"\r\nSec-WebSocket-Version: 13\r\n\r\n" + extra)
        reader = Reader(sock)
        response = read_response(reader)
        self.assertEqual(response.status, 101, response.raw_head)
        self.assertEqual(response.header("upgrade").lower(), "websocket")
        accept = base64.b64encode(hashlib.sha1(key + WS_GUID).digest()).decode()
        self.assertEqual(response.header("sec-websocket-accept"), accept)
        return sock, reader

    def test_echo_ping_and_close(self):
        sock, reader = self.upgrade()
        try:
            sock.sendall(frame(TEXT, "héllo over TLS".encode()))
            self.assertEqual(read_frame(reader), (True, TEXT, "héllo over TLS".encode()))
            big = os.urandom(300 * 1024)  # about 19 TLS records each way
            sock.sendall(frame(BINARY, big))
            self.assertEqual(read_frame(reader), (True, BINARY, big))
            sock.sendall(frame(PING, b"ping"))
            self.assertEqual(read_frame(reader), (True, PONG, b"ping"))
            sock.sendall(frame(TEXT, b"one") + frame(TEXT, b"two") + frame(TEXT, b"three"))
            self.assertEqual([read_frame(reader)[2] for _ in range(3)], [b"one", b"two", b"three"])
            sock.sendall(frame(CLOSE, struct.pack("!H", 1000) + b"bye"))
            _, opcode, payload = read_frame(reader)
            self.assertEqual((opcode, payload[:2]), (CLOSE, struct.pack("!H", 1000)))
            self.assertEqual(reader.read_to_eof(), b"")
        finally:
            sock.close()

    def test_frame_in_the_upgrade_record_is_delivered(self):
        sock, reader = self.upgrade(extra=frame(TEXT, b"early"))
        try:
            self.assertEqual(read_frame(reader), (True, TEXT, b"early"))
        finally:
            sock.close()

    def test_many_tunnels_at_once(self):
        tunnels = [self.upgrade() for _ in range(10)]
        try:
            for i, (sock, _) in enumerate(tunnels):
                sock.sendall(frame(TEXT, b"tunnel %d" % i))
            for i, (_, reader) in enumerate(tunnels):
                self.assertEqual(read_frame(reader)[2], b"tunnel %d" % i)
        finally:
            for sock, _ in tunnels:
                sock.close()


if __name__ == "__main__":
    unittest.main()
