"""Compression streams: a 1 GiB compressed response (zstd; gzip at its default level 6, of a body
whose text repeats inside deflate's window so the test stays short) leaves flotilla in constant
memory and decodes to the exact upstream bytes; an event stream (`text/event-stream`) is never
held back: its first event reaches the client, decodable, while the upstream waits for exactly
that before it sends the rest."""
import hashlib
import os
import select
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from harness import Cleanup, Flotilla, require_tools  # noqa: E402
from upstream import REPEAT_BLOCK, STREAM_BLOCK, Upstream, config  # noqa: E402

GIB = 1 << 30


class RssSampler:
    """Samples a process's VmRSS every 50 ms inside a `with` block; `.peak` in KiB."""

    def __init__(self, process):
        self.process = process
        self.peak = process.rss_kib()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self.process.rss_kib())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)
        return False


def expected_sha256(size, block=STREAM_BLOCK):
    h = hashlib.sha256()
    for _ in range(size // len(block)):
        h.update(block)
    h.update(block[:size % len(block)])
    return h.hexdigest()


class StreamingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("curl", "zstd", "gzip")
        cls.cleanup = Cleanup()
        cls.up = cls.cleanup.add(Upstream())
        compression = {"types": ["text/*"], "min_length": 1}
        cls.gw = cls.cleanup.add(Flotilla(config(cls.up, compression)))

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def test_one_gib_compresses_in_constant_memory(self):
        # zstd streams the whole GiB of /stream in ~5 s. gzip level 6 takes ~15 CPU-s for a GiB
        # of that text (its 64 KiB period is outside deflate's 32 KiB window); /repeat's 8 KiB
        # period keeps level 6 at ~7 CPU-s per GiB (and gunzip at ~3), so the GiB stays under 30 s.
        for coding, tool, path, block in (("zstd", ["zstd", "-dcq"], "/stream", STREAM_BLOCK),
                                          ("gzip", ["gzip", "-dc"], "/repeat", REPEAT_BLOCK)):
            with self.subTest(coding=coding):
                # Warm up (the encoder pool and buffers), then measure the whole 1 GiB.
                self.run_stream(coding, tool, 8 << 20, path)
                base = self.gw.process.rss_kib()
                started = time.monotonic()
                with RssSampler(self.gw.process) as rss:
                    digest, compressed = self.run_stream(coding, tool, GIB, path)
                elapsed = time.monotonic() - started
                self.assertEqual(digest, expected_sha256(GIB, block))
                self.assertLess(compressed, GIB // 5)
                growth = rss.peak - base
                print(f"{coding}: 1024 MiB in {elapsed:.1f} s, {compressed} bytes compressed, "
                      f"RSS {base} KiB -> peak {rss.peak} KiB", file=sys.stderr)
                self.assertLess(growth, 24 * 1024, f"RSS grew by {growth} KiB")

    def run_stream(self, coding, tool, size, path="/stream"):
        """curl | tool | sha256: (digest of the decoded bytes, compressed size)."""
        curl = subprocess.Popen(
            ["curl", "-sS", "--http1.1", "-H", f"Accept-Encoding: {coding}",
             f"http://127.0.0.1:{self.gw.port}{path}?size={size}"],
            stdout=subprocess.PIPE)
        decoder = subprocess.Popen(tool, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        compressed = 0

        def pump():
            nonlocal compressed
            while True:
                data = curl.stdout.read(1 << 16)
                if not data:
                    break
                compressed += len(data)
                decoder.stdin.write(data)
            decoder.stdin.close()

        feeder = threading.Thread(target=pump, daemon=True)
        feeder.start()
        h = hashlib.sha256()
        while True:
            data = decoder.stdout.read(1 << 20)
            if not data:
                break
            h.update(data)
        feeder.join(timeout=60)
        self.assertEqual(curl.wait(timeout=60), 0)
        self.assertEqual(decoder.wait(timeout=60), 0)
        curl.stdout.close()
        decoder.stdout.close()
        return h.hexdigest(), compressed

    def test_event_stream_is_not_held_back(self):
        for coding in ("gzip", "br", "zstd"):
            with self.subTest(coding=coding):
                self.up.server.sse_release.clear()
                first = self.first_event(coding)
                self.assertIn(b"data: one", first)

    def first_event(self, coding):
        """Reads the SSE response through flotilla (curl decoding `coding` as it streams) until
        the first event shows (≤ 5 s) while the upstream holds the second back; then lets the
        upstream finish and checks the rest and the response's Content-Encoding."""
        head = os.path.join(self.gw.dir, f"sse-{coding}.head")
        curl = subprocess.Popen(
            ["curl", "-sSN", "--http1.1", "--compressed", "-H", f"Accept-Encoding: {coding}",
             "-D", head, f"http://127.0.0.1:{self.gw.port}/sse"],
            stdout=subprocess.PIPE)
        got = b""
        try:
            deadline = time.monotonic() + 5
            while b"data: one" not in got and time.monotonic() < deadline:
                ready, _, _ = select.select([curl.stdout], [], [], 0.1)
                if ready:
                    data = os.read(curl.stdout.fileno(), 4096)
                    if not data:
                        break
                    got += data
            first = got
        finally:
            self.up.server.sse_release.set()
        rest, _ = curl.communicate(timeout=10)
        self.assertEqual(curl.returncode, 0)
        self.assertEqual(got + rest, b"data: one\n\ndata: two\n\n")
        with open(head) as f:
            self.assertIn(f"content-encoding: {coding}", f.read().lower())
        return first


if __name__ == "__main__":
    unittest.main()
