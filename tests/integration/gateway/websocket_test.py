"""WebSocket through the proxy, on a raw socket: the upgrade handshake, masked frames echoed (small
and large), ping/pong, the close handshake, and the tunnel's idle timeout (route `read:`)."""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import Cleanup, Demo, Flotilla, gateway_config  # noqa: E402
import websocket_frames  # noqa: E402
from rawhttp import connect  # noqa: E402
from websocket_frames import TEXT, frame, read_frame  # noqa: E402


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
        return sock, websocket_frames.upgrade(self, sock, b"x", extra)

    def test_echo_ping_and_close(self):
        sock, reader = self.upgrade()
        try:
            websocket_frames.echo_ping_and_close(self, sock, reader,
                                                 "héllo through flotilla".encode(), 200 * 1024)
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
