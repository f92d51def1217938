"""A small HTTP/1.1 upstream for the compression tests (stdlib only, 127.0.0.1 port 0).

Paths: /json?size=N (application/json, Content-Length, strong ETag), /chunked?size=N (same
body, chunked), /text, /png, /encoded (already gzip), /notransform, /small, /status/N, /partial
(206), /sse (an event, then the next only once `sse_release` is set), /stream?size=N (text,
chunked, generated fast: one 64 KiB block repeated), /repeat?size=N (the same, of a 64 KiB block
that repeats every 8 KiB: inside deflate's 32 KiB window, so gzip's matcher runs fast), /echo
(POST: answers the request body's sha256 and its Content-Encoding).
"""
import gzip
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def json_body(size):
    """Deterministic JSON-ish text of exactly `size` bytes."""
    parts, n = [], 0
    i = 0
    while n < size:
        item = '{"id":%d,"name":"item-%d","price":%d,"tags":["a","b","c"]},\n' % (
            i, (i * 7919) % 1000, (i * 104729) % 10007)
        parts.append(item)
        n += len(item)
        i += 1
    return "".join(parts).encode()[:size]


STREAM_BLOCK = json_body(64 * 1024)
REPEAT_BLOCK = json_body(8 * 1024) * 8


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "compression-upstream"

    def log_message(self, *args):
        pass

    def send_body(self, body, content_type, extra=None, status=200):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_chunked(self, pieces, content_type):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for piece in pieces:
            self.wfile.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        url = urlparse(self.path)
        q = parse_qs(url.query)
        size = int(q.get("size", ["20000"])[0])
        path = url.path
        for prefix in ("/gz/", "/off/"):  # the tests' per-route prefixes
            if path.startswith(prefix):
                path = path[len(prefix) - 1:]
        if path == "/json":
            self.send_body(json_body(size), "application/json", {"ETag": '"v1"',
                                                                 "Accept-Ranges": "bytes"})
        elif path == "/chunked":
            body = json_body(size)
            self.send_chunked([body[i:i + 5000] for i in range(0, len(body), 5000)],
                              "application/json; charset=utf-8")
        elif path == "/text":
            self.send_body(json_body(size), "text/plain; charset=utf-8")
        elif path == "/css":
            self.send_body(json_body(size), "text/css")
        elif path == "/png":
            self.send_body(json_body(size), "image/png")
        elif path == "/encoded":
            self.send_body(gzip.compress(json_body(size)), "application/json",
                           {"Content-Encoding": "gzip"})
        elif path == "/notransform":
            self.send_body(json_body(size), "application/json",
                           {"Cache-Control": "public, no-transform"})
        elif path == "/small":
            self.send_body(json_body(100), "application/json")
        elif path.startswith("/status/"):
            status = int(path.rsplit("/", 1)[1])
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            if status not in (204, 304):
                self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/partial":
            body = json_body(size)[:5000]
            self.send_body(body, "application/json",
                           {"Content-Range": "bytes 0-4999/%d" % size}, status=206)
        elif path == "/sse":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            first = b"data: one\n\n"
            self.wfile.write(b"%x\r\n" % len(first) + first + b"\r\n")
            self.wfile.flush()
            self.server.sse_release.wait(10)
            second = b"data: two\n\n"
            self.wfile.write(b"%x\r\n" % len(second) + second + b"\r\n0\r\n\r\n")
        elif path in ("/stream", "/repeat"):
            block = STREAM_BLOCK if path == "/stream" else REPEAT_BLOCK
            total = size
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            head = b"%x\r\n" % len(block)
            full = head + block + b"\r\n"
            sent = 0
            while sent + len(block) <= total:
                self.wfile.write(full)
                sent += len(block)
            if sent < total:
                rest = block[:total - sent]
                self.wfile.write(b"%x\r\n" % len(rest) + rest + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_body(b"not found", "text/plain", status=404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        answer = json.dumps({"sha256": hashlib.sha256(body).hexdigest(),
                             "content_encoding": self.headers.get("Content-Encoding", "")})
        self.send_body(answer.encode(), "text/plain")


class Upstream:
    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.sse_release = threading.Event()
        self.port = self.server.server_address[1]
        self.address = f"127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self, *args):
        self.server.sse_release.set()
        self.server.shutdown()
        self.server.server_close()


def config(upstream, compression=None, routes=None, http2=False):
    """A flotilla config (JSON) proxying everything to `upstream` with `compression`."""
    listen = {"address": "127.0.0.1:0"}
    if http2:
        listen["http2"] = True
    doc = {"workers": 1, "listen": [listen],
           "upstreams": {"app": {"servers": [upstream.address]}},
           "routes": routes or [{"upstream": "app"}]}
    if compression is not None:
        doc["compression"] = compression
    return json.dumps(doc, indent=1)
