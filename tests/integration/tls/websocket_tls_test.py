"""WebSocket over TLS (wss://): the upgrade on a TLS connection, frames echoed through the tunnel
small and large (many TLS records each way, and several frames in one record), ping/pong, a frame
sent in the same record as the upgrade request, and the close handshake ending the tunnel."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import tls_certs  # noqa: E402
from harness import Cleanup  # noqa: E402
import websocket_frames  # noqa: E402
from websocket_frames import TEXT, frame, read_frame  # noqa: E402


class WebSocketOverTls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            tls_certs.demo_behind_tls(cls, route={"timeouts": {"read": "5s"}})
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def upgrade(self, extra=b""):
        sock = tls_certs.tls_connect(self.port, self.context)
        return sock, websocket_frames.upgrade(self, sock, b"localhost", extra)

    def test_echo_ping_and_close(self):
        sock, reader = self.upgrade()
        try:  # 300 KiB: about 19 TLS records each way
            websocket_frames.echo_ping_and_close(self, sock, reader,
                                                 "héllo over TLS".encode(), 300 * 1024)
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
