"""Connection and request limits: `max_connections_per_client` closes a client's connection over
the limit at once (other clients unaffected); a listener's `max_connections` answers 503 with
Connection: close, after shedding an idle keep-alive connection when there is one; an oversized
chunked upload is answered 413 with nothing (small body) or never a whole request (large body)
upstream; too many header fields or bytes are answered 431. Counted in
flotilla_connections_refused_total{listener,reason}."""
import json
import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from backends import Backend  # noqa: E402
from harness import Cleanup, Demo, Flotilla, gateway_config, metric  # noqa: E402
from rawhttp import Reader, read_response  # noqa: E402


def closed_by_peer(sock, timeout=5.0):
    """True when the peer closes (or resets) the connection within `timeout` with no answer."""
    sock.settimeout(timeout)
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def get(sock, path="/api/echo", keep=True):
    sock.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n%s\r\n"
                 % (path.encode(), b"" if keep else b"Connection: close\r\n"))
    return read_response(Reader(sock))


class ConnectionLimits(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.demo = cls.cleanup.add(Demo())
            cls.recorder = cls.cleanup.add(Backend("recorder"))
            config = json.loads(gateway_config(
                {"app": {"servers": [cls.demo.address]},
                 "rec": {"servers": [cls.recorder.address]}},
                [{"match": {"path": "/rec/"}, "upstream": "rec"},
                 {"match": {"path": "/"}, "upstream": "app"}], workers=1))
            config["listen"] = [
                {"address": "127.0.0.1:0", "max_connections_per_client": 3,
                 "limits": {"max_body": 1000, "max_headers": 20}},
                {"address": "127.0.0.1:0", "max_connections": 4,
                 "limits": {"max_body": "100k"}},
            ]
            cls.gw = cls.cleanup.add(Flotilla(json.dumps(config)))
            cls.per_client, cls.capped = (p for _, p in cls.gw.listeners())
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

    def refused(self, reason):
        return metric(self.gw.metrics(), "flotilla_connections_refused_total", reason=reason)

    def test_per_client_limit(self):
        before = self.refused("client_limit")
        held = [self.connect(self.per_client, "127.0.0.31") for _ in range(3)]
        time.sleep(0.2)
        extra = self.connect(self.per_client, "127.0.0.31")
        self.assertTrue(closed_by_peer(extra))
        # Another client is served; the held ones still work.
        self.assertEqual(get(self.connect(self.per_client, "127.0.0.32")).status, 200)
        self.assertEqual(get(held[0]).status, 200)
        # One gone: room again.
        held[1].close()
        time.sleep(0.3)
        self.assertEqual(get(self.connect(self.per_client, "127.0.0.31")).status, 200)
        self.assertGreaterEqual(self.refused("client_limit") - before, 1)

    def test_listener_cap_sheds_idle_keepalive_then_answers_503(self):
        shed_before = self.refused("idle_shed")
        # Four connections that had a response: idle keep-alive, oldest first.
        idle = []
        for _ in range(4):
            sock = self.connect(self.capped)
            self.assertEqual(get(sock).status, 200)
            idle.append(sock)
        fresh = self.connect(self.capped)
        self.assertEqual(get(fresh).status, 200)  # made room by closing the oldest idle one
        self.assertTrue(closed_by_peer(idle[0]))
        self.assertGreaterEqual(self.refused("idle_shed") - shed_before, 1)
        for sock in idle[1:] + [fresh]:
            sock.close()
        time.sleep(0.3)
        # Four connections that never sent a request are not idle keep-alive: the fifth is
        # refused, with a 503 it can read.
        waiting = [self.connect(self.capped) for _ in range(4)]
        time.sleep(0.3)
        over = self.connect(self.capped)
        answer = read_response(Reader(over))
        self.assertEqual(answer.status, 503)
        self.assertEqual(answer.header("connection").lower(), "close")
        self.assertEqual(answer.header("retry-after"), "1")
        self.assertGreaterEqual(self.refused("listener_limit"), 1)
        for sock in waiting:
            sock.close()

    def test_small_oversized_chunked_upload_never_reaches_the_upstream(self):
        self.recorder.clear()
        sock = self.connect(self.per_client, "127.0.0.40")
        # 2000 bytes > max_body 1000, in one write: the gateway reads it all (no reset that
        # could destroy its answer).
        sock.sendall(b"POST /rec/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                     + (b"190\r\n" + b"x" * 400 + b"\r\n") * 5 + b"0\r\n\r\n")
        answer = read_response(Reader(sock))
        self.assertEqual(answer.status, 413, answer.raw_head)
        time.sleep(0.2)
        self.assertEqual(self.recorder.connections, 0)
        self.assertEqual(bytes(self.recorder.received), b"")

    def test_large_oversized_chunked_upload_is_413_never_a_whole_request(self):
        self.recorder.clear()
        sock = self.connect(self.capped)
        sock.sendall(b"POST /rec/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        piece = b"2000\r\n" + b"y" * 0x2000 + b"\r\n"  # 8 KiB chunks, 200 KiB > max_body 100k
        try:
            for _ in range(25):
                sock.sendall(piece)
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the gateway stops reading once it answered
        answer = read_response(Reader(sock))
        self.assertEqual(answer.status, 413, answer.raw_head)
        time.sleep(0.3)
        received = bytes(self.recorder.received)
        self.assertNotIn(b"\r\n0\r\n\r\n", received)  # the upstream never got the last chunk
        # Nor a request it could parse whole.
        self.assertFalse([r for r in self.recorder.requests if r.complete])
        self.assertLessEqual(len(received), 100 * 1024 + 16 * 1024)

    def test_header_limits_answer_431(self):
        sock = self.connect(self.per_client, "127.0.0.41")
        many = b"".join(b"X-H%d: v\r\n" % i for i in range(30))
        sock.sendall(b"GET /api/echo HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
        self.assertEqual(read_response(Reader(sock)).status, 431)
        sock = self.connect(self.per_client, "127.0.0.42")
        sock.sendall(b"GET /api/echo HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 20000 + b"\r\n\r\n")
        self.assertEqual(read_response(Reader(sock)).status, 431)


if __name__ == "__main__":
    unittest.main(verbosity=2)
