"""A client that disconnects while its upstream is still thinking is noticed (like nginx's 499):
the upstream attempt is cancelled (its connection closed) well before the upstream's read
timeout, nothing is retried on another endpoint, and the endpoints stay in service — unless the
route says `ignore_client_abort: true` (nginx's proxy_ignore_client_abort on): then the attempt
runs on."""
import os
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from backends import Backend  # noqa: E402
from harness import Cleanup, Flotilla, gateway_config, request  # noqa: E402
from rawhttp import connect  # noqa: E402


class Silent:
    """An upstream that reads requests and never answers; records, per connection, whether and
    when the proxy closed it."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.requests = 0
        self.closed_at = []  # monotonic time of each EOF the proxy sent
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def address(self):
        return "127.0.0.1:%d" % self.port

    def _accept(self):
        while not self.stopped:
            try:
                sock, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock):
        sock.settimeout(0.2)
        data = b""
        deadline = time.monotonic() + 30
        try:
            while time.monotonic() < deadline and not self.stopped:
                try:
                    chunk = sock.recv(65536)
                except socket.timeout:
                    continue
                if not chunk:
                    with self.lock:
                        self.closed_at.append(time.monotonic())
                    return
                data += chunk
                while b"\r\n\r\n" in data:
                    _, _, data = data.partition(b"\r\n\r\n")
                    with self.lock:
                        self.requests += 1
        except OSError:
            with self.lock:
                self.closed_at.append(time.monotonic())
        finally:
            sock.close()

    def stop(self):
        self.stopped = True
        self.listener.close()


class ClientAbort(unittest.TestCase):
    def test_client_leaving_cancels_the_upstream_attempt(self):
        with Cleanup() as c:
            silent = [Silent(), Silent()]
            for s in silent:
                c.add(s)
            ok = c.add(Backend("ok"))
            gw = c.add(Flotilla(gateway_config(
                {"silent": {"servers": [s.address for s in silent]},
                 "ok": {"servers": [ok.address]}},
                [{"match": {"path": "/"}, "upstream": "silent", "timeouts": {"read": "30s"}},
                 {"match": {"path": "/ok"}, "upstream": "ok"}])))
            for close in ("close", "reset"):
                with self.subTest(close=close):
                    before = [len(s.closed_at) for s in silent]
                    requests_before = sum(s.requests for s in silent)
                    sock = connect(gw.port)
                    sock.sendall(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
                    # Wait until the request reached an upstream, then leave.
                    for _ in range(100):
                        if sum(s.requests for s in silent) > requests_before:
                            break
                        time.sleep(0.05)
                    self.assertEqual(sum(s.requests for s in silent), requests_before + 1)
                    if close == "reset":
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                        b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    sock.close()
                    left = time.monotonic()
                    # The upstream connection is closed long before the 30 s read timeout.
                    closed = None
                    for _ in range(200):  # 10 s at most
                        now = [len(s.closed_at) for s in silent]
                        if now != before:
                            closed = max(t for s in silent for t in s.closed_at)
                            break
                        time.sleep(0.05)
                    self.assertIsNotNone(closed, "the upstream attempt was not cancelled")
                    self.assertLess(closed - left, 10)
                    # Not retried on the other endpoint.
                    time.sleep(0.3)
                    self.assertEqual(sum(s.requests for s in silent), requests_before + 1)
            # The gateway and its other routes are fine.
            status, _, _ = request(gw.port, path="/ok")
            self.assertEqual(status, 200)

    def test_ignore_client_abort_lets_the_upstream_attempt_run(self):
        # The same departure on a route with `ignore_client_abort: true`: the attempt goes on
        # until the upstream's read timeout (4 s) instead of being cancelled; the default route
        # beside it still cancels long before.
        with Cleanup() as c:
            kept, cancelled = c.add(Silent()), c.add(Silent())
            gw = c.add(Flotilla(gateway_config(
                {"kept": {"servers": [kept.address]},
                 "cancelled": {"servers": [cancelled.address]}},
                [{"match": {"path": "/kept/"}, "upstream": "kept", "ignore_client_abort": True,
                  "timeouts": {"read": "4s"}, "retry": {"tries": 1}},
                 {"match": {"path": "/"}, "upstream": "cancelled",
                  "timeouts": {"read": "4s"}, "retry": {"tries": 1}}])))
            for silent, path in ((kept, b"/kept/x"), (cancelled, b"/x")):
                sock = connect(gw.port)
                sock.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
                for _ in range(100):
                    if silent.requests:
                        break
                    time.sleep(0.05)
                self.assertEqual(silent.requests, 1)
                sock.close()
                silent.left = time.monotonic()
            for _ in range(140):  # 7 s at most; both close by the 4 s read timeout
                if kept.closed_at and cancelled.closed_at:
                    break
                time.sleep(0.05)
            self.assertTrue(kept.closed_at and cancelled.closed_at)
            kept_for = kept.closed_at[0] - kept.left
            cancelled_after = cancelled.closed_at[0] - cancelled.left
            print(f"\n  upstream closed {kept_for:.2f} s after the client left with "
                  f"ignore_client_abort, {cancelled_after:.2f} s without", file=sys.stderr)
            self.assertGreater(kept_for, 3.0)  # ran on to the read timeout
            self.assertLess(cancelled_after, 2.5)

    def test_a_client_that_stays_still_gets_its_response(self):
        # The check must not mistake a quiet client for a gone one.
        with Cleanup() as c:
            slow = c.add(Backend("slow", respond=lambda r, b: (
                time.sleep(2.5), b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nslow")[1]))
            gw = c.add(Flotilla(gateway_config(
                {"slow": {"servers": [slow.address]}},
                [{"match": {"path": "/"}, "upstream": "slow", "timeouts": {"read": "30s"}}])))
            status, _, body = request(gw.port, path="/x", timeout=15)
            self.assertEqual((status, body), (200, b"slow"))


if __name__ == "__main__":
    unittest.main()
