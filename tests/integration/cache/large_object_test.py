"""An object far above max_object_size streams past the cache at constant memory: 1 GiB (known
length) and 256 MiB (chunked, so the cache only learns it is too large while copying) go through a
cache route, the client gets every byte, flotilla's peak RSS stays bounded, nothing is stored and
the next request goes to the origin again.
"""
import http.client
import os
import sys
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402

BLOCK = bytes(range(256)) * 256  # 64 KiB
GIB = 1 << 30


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    requests = 0

    def log_message(self, *args):
        pass

    def do_GET(self):
        Handler.requests += 1
        chunked = self.path.startswith("/big/chunked")
        size = 256 << 20 if chunked else GIB
        self.send_response(200)
        self.send_header("Cache-Control", "max-age=600")
        self.send_header("Content-Type", "application/octet-stream")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(size))
        self.end_headers()
        for _ in range(size // len(BLOCK)):
            if chunked:
                self.wfile.write(b"%x\r\n" % len(BLOCK) + BLOCK + b"\r\n")
            else:
                self.wfile.write(BLOCK)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")


def fetch(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        total = 0
        while True:
            piece = resp.read(1 << 20)
            if not piece:
                break
            total += len(piece)
        return resp.status, resp.getheader("X-Cache"), total
    finally:
        conn.close()


class LargeObjectTest(unittest.TestCase):
    def test_objects_above_max_object_size_stream_at_constant_memory(self):
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        config = harness.gateway_config(
            {"app": {"servers": [f"127.0.0.1:{server.server_address[1]}"]}},
            [{"match": {"path": "/big/"}, "upstream": "app",
              "cache": {"max_object_size": "8MiB"}}], workers=1)
        with harness.Cleanup() as cleanup:
            gateway = cleanup.add(harness.Flotilla(config))
            self.assertEqual(fetch(gateway.port, "/big/known"), (200, "MISS", GIB))
            self.assertEqual(fetch(gateway.port, "/big/chunked"), (200, "MISS", 256 << 20))
            self.assertEqual(fetch(gateway.port, "/big/chunked")[1], "MISS")  # not stored
            self.assertEqual(Handler.requests, 3)
            peak_kib = gateway.process.status_kib("VmHWM")
            print(f"flotilla peak RSS after 1.25 GiB through a cache route: {peak_kib} KiB")
            self.assertLess(peak_kib, 96 * 1024, f"peak RSS {peak_kib} KiB")
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    unittest.main()
