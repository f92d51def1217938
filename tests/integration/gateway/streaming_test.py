"""Bodies stream through in constant memory: a client that stops reading a 1 GiB response makes
flotilla stop reading from the backend instead of buffering (back-pressure), and 1 GiB downloads
and uploads (Content-Length and chunked) pass through with flotilla's RSS nearly flat."""
import os
import sys
import threading
import time
import unittest
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import Cleanup, Demo, Flotilla, gateway_config  # noqa: E402
from rawhttp import Reader, connect, read_body, read_head, read_response  # noqa: E402

GIB = 1 << 30
MIB = 1 << 20
BLOCK = os.urandom(256 * 1024)  # uploads repeat one random block: no 1 GiB in the test


class RssSampler:
    """Samples a process's VmRSS every 100 ms while in a `with` block; `.peak` in KiB."""

    def __init__(self, process):
        self.process = process
        self.peak = process.rss_kib()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, self.process.rss_kib())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)
        self.peak = max(self.peak, self.process.rss_kib())
        return False


def body_blocks(total):
    for _ in range(total // len(BLOCK)):
        yield BLOCK


def chunked_blocks(total):
    """The same byte stream as body_blocks, in chunks whose sizes never line up with reads."""
    sizes = (len(BLOCK) - 1000, 1007, 65536)
    doubled = BLOCK + BLOCK
    sent, i = 0, 0
    while sent < total:
        size = min(sizes[i % len(sizes)], total - sent)
        offset = sent % len(BLOCK)
        yield b"%x\r\n" % size + doubled[offset:offset + size] + b"\r\n"
        sent += size
        i += 1
    yield b"0\r\n\r\n"


class Streaming(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.demo = cls.cleanup.add(Demo())
            cls.gw = cls.cleanup.add(Flotilla(gateway_config(
                {"app": {"servers": [cls.demo.address]}},
                [{"match": {"path": "/"}, "upstream": "app"}],
                {"limits": {"max_body": 0}})))
            # Warm up: workspaces, upstream connections and allocator arenas reach steady state.
            for _ in range(3):
                cls.download(8 * MIB)
                cls.upload(8 * MIB, chunked=False)
                cls.upload(8 * MIB, chunked=True)
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    @classmethod
    def download(cls, size, chunked=False):
        sock = connect(cls.gw.port, timeout=20)
        try:
            sock.sendall(b"GET /api/bytes?n=%d%s HTTP/1.1\r\nHost: x\r\n\r\n"
                         % (size, b"&chunked=1" if chunked else b""))
            response = read_response(Reader(sock, chunk=MIB), keep_body=False)
            return response.status, response.body_size, response.complete
        finally:
            sock.close()

    @classmethod
    def upload(cls, size, chunked):
        """POSTs `size` bytes to /api/echo from a generator while reading the echo; returns
        (status, echoed bytes, crc32 of the echo)."""
        sock = connect(cls.gw.port, timeout=20)
        framing = b"Transfer-Encoding: chunked" if chunked else b"Content-Length: %d" % size
        send_error = []

        def send():
            try:
                sock.sendall(b"POST /api/echo HTTP/1.1\r\nHost: x\r\n%s\r\n\r\n" % framing)
                for piece in (chunked_blocks(size) if chunked else body_blocks(size)):
                    sock.sendall(piece)
            except OSError as e:
                send_error.append(e)

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        crc = [0]
        size_seen = [0]

        def sink(data):
            crc[0] = zlib.crc32(data, crc[0])
            size_seen[0] += len(data)

        try:
            reader = Reader(sock, chunk=MIB)
            head = read_head(reader)
            read_body(reader, head, sink, is_request=False, request_method="POST")
            sender.join(timeout=60)
            if send_error:
                raise send_error[0]
            return head.status, size_seen[0], crc[0]
        finally:
            sock.close()

    @staticmethod
    def expected_crc(size):
        crc = 0
        for block in body_blocks(size):
            crc = zlib.crc32(block, crc)
        return crc

    def test_stalled_client_does_not_grow_memory(self):
        # A small receive window so the kernel does not absorb the stall for flotilla.
        sock = connect(self.gw.port, timeout=10, rcvbuf=16 * 1024)
        try:
            sock.sendall(b"GET /api/bytes?n=%d HTTP/1.1\r\nHost: x\r\n\r\n" % GIB)
            reader = Reader(sock)
            head = read_head(reader)
            self.assertEqual(head.status, 200)
            while len(reader.buffer) < 256 * 1024:  # data flows...
                self.assertTrue(reader.fill())
            time.sleep(0.5)  # ...then the client stops reading; buffers on the way fill up
            before = self.gw.process.rss_kib()
            with RssSampler(self.gw.process) as rss:
                time.sleep(3.0)
            growth = rss.peak - before
            print(f"\n  stalled 1 GiB download: RSS {before} KiB -> peak {rss.peak} KiB "
                  f"(+{growth} KiB)", file=sys.stderr)
            self.assertLess(growth, 8 * 1024)
            # The exchange is only paused: reading resumes the flow.
            reader.buffer.clear()
            for _ in range(64):
                self.assertTrue(reader.fill())
        finally:
            sock.close()

    def test_1gib_download_content_length_and_chunked(self):
        for chunked in (False, True):
            with self.subTest(chunked=chunked):
                before = self.gw.process.rss_kib()
                start = time.monotonic()
                with RssSampler(self.gw.process) as rss:
                    status, size, complete = self.download(GIB, chunked)
                took = time.monotonic() - start
                print(f"\n  1 GiB download (chunked={chunked}) in {took:.1f} s: RSS {before} KiB"
                      f" -> peak {rss.peak} KiB (+{rss.peak - before} KiB)", file=sys.stderr)
                self.assertEqual((status, size, complete), (200, GIB, True))
                self.assertLess(rss.peak - before, 16 * 1024)

    def test_1gib_upload_content_length_and_chunked(self):
        expected_crc = self.expected_crc(GIB)
        for chunked in (False, True):
            with self.subTest(chunked=chunked):
                before = self.gw.process.rss_kib()
                start = time.monotonic()
                with RssSampler(self.gw.process) as rss:
                    status, size, crc = self.upload(GIB, chunked)
                took = time.monotonic() - start
                print(f"\n  1 GiB upload echoed (chunked={chunked}) in {took:.1f} s: RSS {before}"
                      f" KiB -> peak {rss.peak} KiB (+{rss.peak - before} KiB)", file=sys.stderr)
                self.assertEqual((status, size), (200, GIB))
                self.assertEqual(crc, expected_crc, "the echo differs from what was sent")
                self.assertLess(rss.peak - before, 16 * 1024)


if __name__ == "__main__":
    unittest.main(verbosity=2)
