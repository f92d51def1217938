"""A scriptable HTTP/1.1 origin for the cache tests (stdlib only, 127.0.0.1 port 0).

`Origin.script(path, status=200, headers={...}, body=b"...")` says how `path` answers (any
method); header values may use `{now}` or `{now-N}` / `{now+N}` for an HTTP-date N seconds away.
A script for a path without a query answers every query of it (counted under the bare path).
`delay=S` makes it answer S seconds late. `Origin.count(path)` is how many requests reached it for that path; `Origin.last_headers(path)`
the last request's headers.
"""
import email.utils
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_DATE = re.compile(r"\{now([+-]\d+)?\}")


def http_date(offset=0):
    return email.utils.formatdate(time.time() + offset, usegmt=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _answer(self):
        origin = self.server.origin
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        path = self.path
        with origin.lock:
            if path not in origin.scripts:  # a script for the path answers any query
                path = path.split("?")[0]
            origin.counts[path] = origin.counts.get(path, 0) + 1
            origin.headers[path] = {k.lower(): v for k, v in self.headers.items()}
            status, headers, body, delay = origin.scripts.get(path, (404, [], b"no script\n", 0))
        # A validator that matches the scripted ETag gets 304 with the scripted fields.
        etag = next((v for k, v in headers if k.lower() == "etag"), None)
        if etag and self.headers.get("If-None-Match") == etag and status == 200:
            status = 304
        if delay:
            time.sleep(delay)
        # send_response_only: BaseHTTPRequestHandler's send_response would add a Date of its own
        # before the scripted one (and the first Date is the one that counts).
        self.send_response_only(status)
        self.send_header("Server", "cache-test-origin")
        sent_date = False
        for name, value in headers:
            value = _DATE.sub(lambda m: http_date(int(m.group(1) or 0)), value)
            if name.lower() == "date":
                sent_date = True
            self.send_header(name, value)
        if not sent_date:
            self.send_header("Date", http_date())
        no_body = status in (204, 304) or 100 <= status < 200
        if not no_body:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and not no_body:
            self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _answer


class Origin:
    def __init__(self):
        self.lock = threading.Lock()
        self.scripts, self.counts, self.headers = {}, {}, {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.origin = self
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def script(self, path, status=200, headers=(), body=b"hello from the origin\n", delay=0):
        """`delay`: seconds the origin waits before its head (a slow page)."""
        if isinstance(headers, dict):
            headers = list(headers.items())
        with self.lock:
            self.scripts[path] = (status, list(headers), body, delay)

    def count(self, path):
        with self.lock:
            return self.counts.get(path, 0)

    def last_headers(self, path):
        with self.lock:
            return dict(self.headers.get(path, {}))

    def stop(self, *args):
        self.server.shutdown()
        self.server.server_close()
