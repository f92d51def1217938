"""A 1 GiB static file (sparse, from truncate) to slow readers at constant memory: over plain
HTTP/1.1 (sendfile: the page cache, never the process) and over TLS (read and written in 64 KiB
pieces); flotilla's RSS is sampled while they read and must not grow with the file. strace,
attached to the running gateway, sees the body leave by sendfile(2)."""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import tls_certs  # noqa: E402
from harness import Cleanup, Flotilla, require_tools  # noqa: E402

GIB = 1 << 30
RATE = 64 << 20  # bytes per second each reader takes: slower than the gateway could send
RSS_GROWTH_LIMIT_KIB = 24 << 10


class LargeFile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("curl", "strace", "truncate")
        cls.cleanup = Cleanup().__enter__()
        cls.dir = tempfile.mkdtemp(prefix="flotilla-large-")
        try:
            site = os.path.join(cls.dir, "site")
            os.makedirs(site)
            subprocess.run(["truncate", "-s", str(GIB), os.path.join(site, "big.bin")], check=True)
            with open(os.path.join(site, "small.txt"), "wb") as f:
                f.write(b"x" * 9000)  # above the 8 KiB answered from memory: sendfile
            cls.ca = tls_certs.TestCA()
            leaf = cls.ca.issue("localhost", ["localhost", "IP:127.0.0.1"], "ec")
            config = {
                "workers": 1,
                "listen": [{"address": "127.0.0.1:0"}, tls_certs.listener([leaf])],
                "routes": [{"match": {"path": "/"}, "static": {"root": site}}],
            }
            cls.gw = cls.cleanup.add(Flotilla(json.dumps(config)))
            ports = cls.gw.listeners()
            cls.port, cls.tls_port = ports[0][1], ports[1][1]
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            shutil.rmtree(cls.dir, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def slow_read_plain(self, result):
        """GET /big.bin on a raw socket, taking RATE bytes a second; stores the body's size."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 256 << 10)
            s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            head = b""
            while b"\r\n\r\n" not in head:
                head += s.recv(4096)
            head, _, body_start = head.partition(b"\r\n\r\n")
            total = len(body_start)
            started = time.monotonic()
            deadline = started + 40
            while time.monotonic() < deadline:
                n = len(s.recv(1 << 20))
                if n == 0:
                    break
                total += n
                ahead = total / RATE - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
            result["head"] = head
            result["size"] = total

    def watch_rss(self, thread):
        """RSS samples (KiB) of the gateway every 0.2 s while `thread` runs (at most 45 s)."""
        samples = []
        deadline = time.monotonic() + 45
        while thread.is_alive() and time.monotonic() < deadline:
            samples.append(self.gw.process.rss_kib())
            time.sleep(0.2)
        thread.join(timeout=5)
        return samples

    def test_plain_slow_reader_constant_rss(self):
        baseline = self.gw.process.rss_kib()
        result = {}
        reader = threading.Thread(target=self.slow_read_plain, args=(result,))
        reader.start()
        samples = self.watch_rss(reader)
        print(f"plain: RSS {baseline} KiB before, max {max(samples)} KiB while reading",
              file=sys.stderr)
        self.assertIn(b"200 OK", result["head"])
        self.assertEqual(result["size"], GIB)
        self.assertGreater(len(samples), 20)
        self.assertLess(max(samples) - baseline, RSS_GROWTH_LIMIT_KIB, (baseline, max(samples)))

    def test_tls_slow_reader_constant_rss(self):
        baseline = self.gw.process.rss_kib()
        result = {}

        def read():
            done = subprocess.run(
                ["curl", "-sS", "--http1.1", "--limit-rate", str(RATE), "--cacert", self.ca.cert,
                 "--resolve", f"localhost:{self.tls_port}:127.0.0.1", "-o", "/dev/null", "-w",
                 "%{http_code} %{size_download}", f"https://localhost:{self.tls_port}/big.bin"],
                capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
            result["out"] = done.stdout.decode()

        reader = threading.Thread(target=read)
        reader.start()
        samples = self.watch_rss(reader)
        print(f"tls: RSS {baseline} KiB before, max {max(samples)} KiB while reading",
              file=sys.stderr)
        self.assertEqual(result["out"], f"200 {GIB}")
        self.assertGreater(len(samples), 20)
        self.assertLess(max(samples) - baseline, RSS_GROWTH_LIMIT_KIB, (baseline, max(samples)))

    def test_strace_sees_sendfile(self):
        log = os.path.join(self.dir, "strace.log")
        tracer = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=sendfile", "-o", log, "-p",
                                   str(self.gw.process.pid)], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(1.0)  # attached to every thread
            for _ in range(3):
                done = subprocess.run(["curl", "-sS", "--http1.1", "-o", "/dev/null", "-w",
                                       "%{http_code}", f"http://127.0.0.1:{self.port}/small.txt"],
                                      capture_output=True, timeout=20, stdin=subprocess.DEVNULL)
                self.assertEqual(done.stdout, b"200")
            time.sleep(0.5)
        finally:
            tracer.terminate()
            tracer.wait(timeout=10)
        with open(log) as f:
            trace = f.read()
        calls = re.findall(r"sendfile\(\d+, \d+, \[0\] => \[9000\], 9000\) = 9000", trace)
        self.assertGreaterEqual(len(calls), 3, trace[-2000:])


if __name__ == "__main__":
    unittest.main(verbosity=2)
