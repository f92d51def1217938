"""Timeouts on both sides and the graceful drain: client header, body and keep-alive idle
timeouts close the connection (and a half-received request never reaches the app), an upstream
that never accepts gives 504 after `connect`, a slow one 504 after `read`, and SIGTERM lets
in-flight requests finish while refusing new connections, then exits 0."""
import http.client
import os
import signal
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from backends import Backend, reply  # noqa: E402
from harness import Cleanup, Demo, Flotilla, gateway_config, request  # noqa: E402
from rawhttp import Reader, connect, read_response  # noqa: E402


def seconds_until_closed(sock, limit=6.0):
    """Waits for the peer to close (EOF or reset); returns the seconds it took and what came."""
    start = time.monotonic()
    sock.settimeout(limit)
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except ConnectionResetError:
        pass
    except socket.timeout:
        raise AssertionError(f"still open after {limit} s")
    return time.monotonic() - start, data


class Timeouts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.demo = cls.cleanup.add(Demo())
            cls.recorder = cls.cleanup.add(Backend("recorder"))
            # Answers 1.5 s after the whole request arrived: longer than every client timeout.
            cls.sleepy = cls.cleanup.add(Backend("sleepy", respond=lambda r, b: (
                time.sleep(1.5), reply(200, b"%d" % len(r.body)))[1]))
            # An endpoint that never accepts: a listener whose backlog is full, so the kernel
            # drops further SYNs and connect() hangs (loopback refuses nothing here).
            cls.full = socket.socket()
            cls.full.bind(("127.0.0.1", 0))
            cls.full.listen(0)
            cls.fillers = []
            for _ in range(8):
                s = socket.socket()
                s.setblocking(False)
                s.connect_ex(cls.full.getsockname())
                cls.fillers.append(s)
            time.sleep(0.2)
            probe = socket.socket()
            probe.settimeout(0.5)
            try:
                probe.connect(cls.full.getsockname())
                cls.blackhole_works = False
            except socket.timeout:
                cls.blackhole_works = True
            finally:
                probe.close()
            full_address = "127.0.0.1:%d" % cls.full.getsockname()[1]
            cls.gw = cls.cleanup.add(Flotilla(gateway_config(
                {"app": {"servers": [cls.demo.address]},
                 "recorder": {"servers": [cls.recorder.address]},
                 "sleepy": {"servers": [cls.sleepy.address]},
                 "blackhole": {"servers": [full_address]}},
                [{"match": {"path": "/"}, "upstream": "app", "timeouts": {"read": "5s"}},
                 {"match": {"host": "short.test", "path": "/"}, "upstream": "app",
                  "timeouts": {"read": "500ms"}},
                 {"match": {"host": "recorder.test", "path": "/"}, "upstream": "recorder"},
                 {"match": {"host": "sleepy.test", "path": "/"}, "upstream": "sleepy",
                  "timeouts": {"read": "5s"}},
                 {"match": {"host": "blackhole.test", "path": "/"}, "upstream": "blackhole",
                  "timeouts": {"connect": "500ms"}}],
                {"timeouts": {"client_header": "1s", "client_body": "1s", "keepalive": "1s"},
                 "limits": {"max_body": 0}})))
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)
        for s in cls.fillers + [cls.full]:
            s.close()

    def test_client_header_timeout(self):
        sock = connect(self.gw.port)
        try:
            sock.sendall(b"GET /api/hello HTTP/1.1\r\nHo")
            took, data = seconds_until_closed(sock)
            self.assertEqual(data, b"")
            self.assertGreater(took, 0.8)
            self.assertLess(took, 2.5)
        finally:
            sock.close()

    def test_header_timeout_bounds_the_head_only(self):
        # A head trickling in within the timeout is fine, and so is an upstream slower than it.
        sock = connect(self.gw.port)
        try:
            for piece in (b"GET /api/slow?ms=1500 HTTP/1.1\r\n", b"Host: x\r\n", b"\r\n"):
                sock.sendall(piece)
                time.sleep(0.25)
            response = read_response(Reader(sock))
            self.assertEqual(response.status, 200)
        finally:
            sock.close()

    def test_body_timeout_bounds_the_body_only(self):
        # Once the body is in (buffered or streamed), a slow upstream is the read timeout's
        # business, not client_body's.
        for size in (100, 1 << 20):
            with self.subTest(size=size):
                start = time.monotonic()
                status, _, body = request(self.gw.port, "POST", "/slow", body=b"y" * size,
                                          headers={"Host": "sleepy.test"})
                self.assertEqual((status, body), (200, b"%d" % size))
                self.assertGreater(time.monotonic() - start, 1.4)

    def test_keepalive_idle_timeout(self):
        sock = connect(self.gw.port)
        try:
            reader = Reader(sock)
            for _ in range(2):  # a request in time restarts the idle clock
                sock.sendall(b"GET /api/hello HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertEqual(read_response(reader).status, 200)
                time.sleep(0.6)
            sock.sendall(b"GET /api/hello HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(read_response(reader).status, 200)
            took, data = seconds_until_closed(sock)
            self.assertEqual(data, b"")
            self.assertGreater(took, 0.8)
            self.assertLess(took, 2.5)
        finally:
            sock.close()

    def test_client_body_timeout(self):
        # Small bodies are read before going upstream; large ones stream.
        for size, sent in ((100, 10), (1 << 20, 100_000)):
            with self.subTest(size=size):
                self.recorder.clear()
                sock = connect(self.gw.port)
                try:
                    sock.sendall(b"POST /upload HTTP/1.1\r\nHost: recorder.test\r\n"
                                 b"Content-Length: %d\r\n\r\n" % size + b"x" * sent)
                    took, data = seconds_until_closed(sock)
                    self.assertNotIn(b"HTTP/1.1 200", data)
                    self.assertGreater(took, 0.8)
                    self.assertLess(took, 2.5)
                finally:
                    sock.close()
                time.sleep(0.2)
                self.assertEqual([r for r in self.recorder.requests if r.complete], [],
                                 "a half-received request reached the app")
                if size == 100:
                    self.assertEqual(bytes(self.recorder.received), b"")

    def test_upstream_connect_timeout(self):
        if not self.blackhole_works:
            self.skipTest("this kernel accepts connections beyond a full backlog")
        start = time.monotonic()
        status, _, _ = request(self.gw.port, path="/x", headers={"Host": "blackhole.test"})
        took = time.monotonic() - start
        self.assertEqual(status, 504)
        self.assertGreater(took, 0.4)
        self.assertLess(took, 2.5)

    def test_read_timeout_is_504(self):
        start = time.monotonic()
        status, _, _ = request(self.gw.port, path="/api/slow?ms=3000", headers={"Host": "short.test"})
        took = time.monotonic() - start
        self.assertEqual(status, 504)
        self.assertGreater(took, 0.4)
        self.assertLess(took, 2.0)


class Drain(unittest.TestCase):
    def test_sigterm_finishes_in_flight_requests_and_refuses_new_ones(self):
        with Cleanup() as c:
            demo = c.add(Demo())
            gw = c.add(Flotilla(gateway_config({"app": {"servers": [demo.address]}},
                                               [{"match": {"path": "/"}, "upstream": "app"}])))
            idle = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=5)
            idle.request("GET", "/api/hello")
            self.assertEqual(idle.getresponse().read()[:1], b"{")
            result = {}

            def slow():
                try:
                    result["response"] = request(gw.port, path="/api/slow?ms=1500", timeout=10)
                except Exception as e:
                    result["error"] = e
                result["at"] = time.monotonic()

            thread = threading.Thread(target=slow, daemon=True)
            thread.start()
            time.sleep(0.4)  # the slow request is in flight
            gw.process.send_signal(signal.SIGTERM)
            gw.process.wait_for_line(r"draining", timeout=5)

            # New connections are refused from now on.
            refused = False
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline and not refused:
                try:
                    socket.create_connection(("127.0.0.1", gw.port), timeout=1).close()
                    time.sleep(0.05)
                except ConnectionRefusedError:
                    refused = True
                except ConnectionResetError:
                    # Queued in the backlog as the listener closed: reset, not yet refused; the
                    # next connect must be refused.
                    time.sleep(0.05)
            self.assertTrue(refused, "still accepting after SIGTERM")
            # The idle keep-alive connection was closed.
            took, data = seconds_until_closed(idle.sock, limit=3)
            idle.close()
            self.assertEqual(data, b"")

            thread.join(timeout=10)
            self.assertNotIn("error", result)
            status, headers, body = result["response"]
            self.assertEqual(status, 200, body)
            self.assertEqual(headers.get("connection"), "close")
            self.assertEqual(gw.process.proc.wait(timeout=10), 0)
            exited = time.monotonic()
            self.assertLess(exited - result["at"], 1.5, "slow to exit once idle")


if __name__ == "__main__":
    unittest.main(verbosity=2)
