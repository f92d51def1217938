"""Answers the gateway writes itself (health and ready paths, 404 no route, 413, 502): a HEAD
request gets their head and not one body byte, proven by pipelining a GET right behind it."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import Cleanup, Demo, Flotilla, free_port, gateway_config  # noqa: E402
from rawhttp import Reader, connect, read_response  # noqa: E402


class LocalAnswers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.demo = cls.cleanup.add(Demo())
            cls.gw = cls.cleanup.add(Flotilla(gateway_config(
                {"app": {"servers": [cls.demo.address]},
                 "dead": {"servers": [f"127.0.0.1:{free_port()}"]}},  # refuses: 502
                [{"match": {"path": "/api/"}, "upstream": "app"},
                 {"match": {"path": "/dead/"}, "upstream": "dead"}],
                {"health": "/gwhealth", "ready": "/gwready", "limits": {"max_body": 10}})))
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def test_head_then_pipelined_get(self):
        for path, status in (("/gwhealth", 200), ("/gwready", 200), ("/nothing", 404),
                             ("/dead/x", 502)):
            with self.subTest(path=path):
                sock = connect(self.gw.port)
                try:
                    sock.sendall(b"HEAD %s HTTP/1.1\r\nHost: x\r\n\r\n" % path.encode()
                                 + b"GET /gwhealth HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    reader = Reader(sock)
                    head = read_response(reader, request_method="HEAD")
                    self.assertEqual(head.status, status, head.raw_head)
                    self.assertGreater(int(head.header("content-length")), 0)  # what GET gets
                    # The next response starts right after the HEAD's head.
                    self.assertTrue(reader.buffer.startswith(b"HTTP/1.1 200") or
                                    (not reader.buffer and reader.fill() and
                                     reader.buffer.startswith(b"HTTP/1.1 200")), reader.buffer[:40])
                    health = read_response(reader)
                    self.assertEqual((health.status, health.body), (200, b"healthy\n"))
                    self.assertEqual(reader.read_to_eof(), b"")
                finally:
                    sock.close()

    def test_head_413_sends_no_body(self):
        sock = connect(self.gw.port)
        try:
            sock.sendall(b"HEAD /api/hello HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
                         + b"x" * 100)
            reader = Reader(sock)
            head = read_response(reader, request_method="HEAD")
            self.assertEqual(head.status, 413, head.raw_head)
            self.assertEqual(reader.read_to_eof(), b"")  # closed, after the head only
        finally:
            sock.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
