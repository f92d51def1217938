"""Answers the gateway writes itself (health and ready paths, 404 no route, 400, 413, 502): a HEAD
request gets their head and not one body byte, proven by pipelining a GET right behind it; each
carries a Date; rejected heads answer in JSON when their Accept asks for it."""
import email.utils
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import Cleanup, Demo, Flotilla, free_port, gateway_config, raw_exchange  # noqa: E402
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

    def test_generated_answers_carry_a_date(self):
        for path in ("/gwhealth", "/gwready", "/nothing", "/dead/x"):
            with self.subTest(path=path):
                raw = raw_exchange(self.gw.port, b"GET %s HTTP/1.1\r\nHost: x\r\n"
                                   b"Connection: close\r\n\r\n" % path.encode())
                head = raw.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
                dates = [line[6:] for line in head if line.lower().startswith("date: ")]
                self.assertEqual(len(dates), 1, head)
                sent = email.utils.parsedate_to_datetime(dates[0]).timestamp()
                self.assertLess(abs(sent - time.time()), 60, dates[0])  # a clock, not a constant

    def test_rejected_heads_answer_json_when_asked(self):
        for request, status in (
                (b"GET /api/hello HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n"
                 b"Bad Name: x\r\n\r\n", 400),
                (b"GET /api/hello HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n"
                 b"X-Big: " + b"a" * 70000 + b"\r\n\r\n", 431)):
            with self.subTest(status=status):
                raw = raw_exchange(self.gw.port, request)
                head, _, body = raw.partition(b"\r\n\r\n")
                self.assertTrue(head.startswith(b"HTTP/1.1 %d" % status), head)
                self.assertIn(b"content-type: application/json", head.lower())
                self.assertEqual(json.loads(body)["status"], status)
        raw = raw_exchange(self.gw.port, b"GET /x HTTP/1.1\r\nHost: x\r\nBad Name: x\r\n\r\n")
        self.assertIn(b"content-type: text/plain", raw.lower())  # no Accept: text as before


if __name__ == "__main__":
    unittest.main(verbosity=2)
