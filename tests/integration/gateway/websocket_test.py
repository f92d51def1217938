"""WebSocket through the proxy, on a raw socket: the upgrade handshake, masked frames echoed (small
and large), ping/pong, the close handshake, and the tunnel's idle timeout (route `read:`)."""
import base64
import hashlib
import os
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import Cleanup, Demo, Flotilla, gateway_config  # noqa: E402
from rawhttp import Reader, connect, read_response  # noqa: E402
from websocket_frames import (BINARY, CLOSE, PING, PONG, TEXT, WS_GUID, frame,  # noqa: E402
                              read_frame)


class WebSocket(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.demo = cls.cleanup.add(Demo())
            cls.gw = cls.cleanup.add(Flotilla(gateway_config(
                {"app": {"servers": [cls.demo.address]}},
                [{"match": {"path": "/"}, "upstream": "app", "timeouts": {"read": "1s"}}])))
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def upgrade(self, extra=b""):
        sock = connect(self.gw.port, timeout=5)
        key = base64.b64encode(os.urandom(16))
        sock.sendall(b"GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                     b"Sec-WebSocket-Key: " + key + b"\r\nSec-WebSocket-Version: 13\r\n\r\n" + extra)
        reader = Reader(sock)
        response = read_response(reader)
        self.assertEqual(response.status, 101, response.raw_head)
        self.assertEqual(response.header("upgrade").lower(), "websocket")
        # Exactly one Connection line, `upgrade`: a `close` beside it contradicts the tunnel.
        connection = [v for k, v in response.headers if k.lower() == "connection"]
        self.assertEqual([v.lower() for v in connection], ["upgrade"], response.raw_head)
        accept = base64.b64encode(hashlib.sha1(key + WS_GUID).digest()).decode()
        self.assertEqual(response.header("sec-websocket-accept"), accept)
        return sock, reader

    def test_echo_ping_and_close(self):
        sock, reader = self.upgrade()
        try:
            sock.sendall(frame(TEXT, "héllo through flotilla".encode()))
            self.assertEqual(read_frame(reader), (True, TEXT, "héllo through flotilla".encode()))

            big = os.urandom(200 * 1024)  # 64-bit length, many TCP segments each way
            sock.sendall(frame(BINARY, big))
            self.assertEqual(read_frame(reader), (True, BINARY, big))

            sock.sendall(frame(PING, b"are you there"))
            self.assertEqual(read_frame(reader), (True, PONG, b"are you there"))

            # Two frames in one write, then the close handshake: the code comes back.
            sock.sendall(frame(TEXT, b"one") + frame(TEXT, b"two"))
            self.assertEqual(read_frame(reader)[2], b"one")
            self.assertEqual(read_frame(reader)[2], b"two")
            sock.sendall(frame(CLOSE, struct.pack("!H", 1000) + b"bye"))
            fin, opcode, payload = read_frame(reader)
            self.assertEqual((opcode, payload[:2]), (CLOSE, struct.pack("!H", 1000)))
            # The backend closes after the handshake; flotilla passes the close on.
            self.assertEqual(reader.read_to_eof(), b"")
        finally:
            sock.close()

    def test_frame_sent_with_the_upgrade_request_is_delivered(self):
        # Bytes pipelined after the upgrade request belong to the tunnel.
        sock, reader = self.upgrade(extra=frame(TEXT, b"early"))
        try:
            self.assertEqual(read_frame(reader), (True, TEXT, b"early"))
        finally:
            sock.close()

    def test_tunnel_closes_after_idle_timeout(self):
        sock, reader = self.upgrade()
        try:
            # Traffic every 0.4 s keeps the tunnel open well past the 1 s idle timeout.
            start = time.monotonic()
            while True:
                sock.sendall(frame(TEXT, b"still here"))
                self.assertEqual(read_frame(reader)[2], b"still here")
                idle_from = time.monotonic()
                if idle_from - start > 2.5:
                    break
                time.sleep(0.4)
            self.assertEqual(reader.read_to_eof(), b"")
            idle = time.monotonic() - idle_from
            print(f"\n  idle tunnel closed after {idle:.2f} s (timeout 1 s)", file=sys.stderr)
            self.assertGreater(idle, 0.8)
            self.assertLess(idle, 3.0)
        finally:
            sock.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
