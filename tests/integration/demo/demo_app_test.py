#!/usr/bin/env python3
"""Black-box test of `flotilla demo-app`: every endpoint, over real sockets, stdlib only.

Run by ctest with FLOTILLA set to the binary. Checks HTTP/1.1 behaviour a proxy relies on
(keep-alive, pipelining, chunked bodies, HEAD, 100-continue, malformed requests), the WebSocket
echo, the admin switches, /api/crash and graceful shutdown on SIGTERM. Bounded: every socket has
a timeout and an alarm ends the whole run after 55 s.
"""

import base64
import hashlib
import http.client
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

FLOTILLA = os.environ.get("FLOTILLA", "flotilla")
SOCKET_TIMEOUT = 10
TOTAL_BUDGET_S = 55
LISTEN_LINE = re.compile(rb"^demo-app listening on 127\.0\.0\.1:(\d+) \(pid (\d+)\)$")


class DemoApp:
    """One `flotilla demo-app --port 0` process; learns its port from the first stdout line."""

    def __init__(self, env=None):
        self.stderr = tempfile.TemporaryFile()
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.proc = subprocess.Popen(
            [FLOTILLA, "demo-app", "--port", "0"],
            stdout=subprocess.PIPE, stderr=self.stderr, env=full_env)
        ready, _, _ = select.select([self.proc.stdout], [], [], SOCKET_TIMEOUT)
        if not ready:
            self.kill()
            raise RuntimeError("demo-app printed nothing within %d s" % SOCKET_TIMEOUT)
        line = self.proc.stdout.readline().rstrip(b"\n")
        match = LISTEN_LINE.match(line)
        if not match:
            self.kill()
            raise RuntimeError("unexpected first line from demo-app: %r" % line)
        self.port = int(match.group(1))
        self.pid = int(match.group(2))
        if self.pid != self.proc.pid:
            self.kill()
            raise RuntimeError("printed pid %d, process is %d" % (self.pid, self.proc.pid))

    def connect(self):
        return socket.create_connection(("127.0.0.1", self.port), timeout=SOCKET_TIMEOUT)

    def http(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=SOCKET_TIMEOUT)

    def stderr_text(self):
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")

    def rss_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def terminate(self, timeout=10):
        """SIGTERM, then the exit status (None if it had to be killed)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            status = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            status = None
        self.kill()
        return status

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.stderr.close()


APP = None
APP_EXIT = "not stopped"


def setUpModule():
    global APP
    APP = DemoApp({"FLOTILLA_INSTANCE": "web/2", "FLOTILLA_REVISION": "7"})


def tearDownModule():
    # SIGTERM with idle kept-alive connections behind us: must still exit 0.
    global APP_EXIT
    if APP is not None:
        APP_EXIT = APP.terminate()


# ---- raw HTTP helpers ----------------------------------------------------------------------

class RawResponse:
    def __init__(self, version, status, headers, body, trailers):
        self.version = version
        self.status = status
        self.headers = headers  # lowercase name -> value (last wins)
        self.body = body
        self.trailers = trailers

    def json(self):
        return json.loads(self.body)


def read_fields(stream):
    fields = {}
    while True:
        line = stream.readline(65536)
        if line in (b"\r\n", b""):
            return fields
        name, _, value = line.decode("latin-1").partition(":")
        fields[name.strip().lower()] = value.strip()


def read_response(stream, head_request=False):
    """Reads one response from a socket's makefile('rb'); None at EOF."""
    status_line = stream.readline(65536)
    if not status_line:
        return None
    version, status, _ = (status_line.decode("latin-1").rstrip("\r\n") + " ").split(" ", 2)
    status = int(status)
    headers = read_fields(stream)
    body, trailers = b"", {}
    if head_request or status < 200 or status in (204, 304):
        pass
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int(stream.readline(1024).split(b";")[0], 16)
            if size == 0:
                trailers = read_fields(stream)
                break
            parts.append(stream.read(size))
            assert stream.read(2) == b"\r\n", "chunk data not followed by CRLF"
        body = b"".join(parts)
    elif "content-length" in headers:
        body = stream.read(int(headers["content-length"]))
    else:
        body = stream.read()
    return RawResponse(version, status, headers, body, trailers)


def expect_eof(sock):
    """True when the server closes the connection (EOF, or a reset after it closed)."""
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def pattern_bytes(n):
    """The body /api/bytes?n=N sends: byte i is 'a' + i % 26."""
    alphabet = bytes(range(ord("a"), ord("a") + 26))
    return (alphabet * (n // 26 + 1))[:n]


# ---- WebSocket helpers -----------------------------------------------------------------------

def ws_mask(payload, mask):
    if not payload:
        return payload
    n = len(payload)
    key = (mask * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(n, "big")


def ws_frame(opcode, payload, fin=True):
    mask = os.urandom(4)
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + n.to_bytes(2, "big")
    else:
        head += bytes([0x80 | 127]) + n.to_bytes(8, "big")
    return head + mask + ws_mask(payload, mask)


def ws_read(stream):
    """Returns (fin, opcode, payload) of one server frame; server frames are never masked."""
    b0, b1 = stream.read(2)
    assert b1 & 0x80 == 0, "server frame is masked"
    n = b1 & 0x7F
    if n == 126:
        n = int.from_bytes(stream.read(2), "big")
    elif n == 127:
        n = int.from_bytes(stream.read(8), "big")
    return bool(b0 & 0x80), b0 & 0x0F, stream.read(n)


def ws_connect(app):
    key = base64.b64encode(os.urandom(16)).decode()
    sock = app.connect()
    sock.sendall(("GET /ws HTTP/1.1\r\nHost: demo\r\nUpgrade: websocket\r\n"
                  "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                  "Sec-WebSocket-Version: 13\r\n\r\n" % key).encode())
    stream = sock.makefile("rb")
    response = read_response(stream, head_request=True)
    expected = base64.b64encode(hashlib.sha1(
        (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
    return sock, stream, response, expected


# ---- tests -----------------------------------------------------------------------------------

class DemoAppTest(unittest.TestCase):
    def get(self, path, method="GET", body=None, headers=None):
        conn = APP.http()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response, response.read()
        finally:
            conn.close()

    def get_json(self, path, method="GET", expect=200):
        response, body = self.get(path, method)
        self.assertEqual(response.status, expect, "%s %s -> %r" % (method, path, body))
        self.assertEqual(response.getheader("Content-Type"), "application/json")
        self.assertEqual(response.getheader("Server"), "flotilla-demo")
        self.assertEqual(int(response.getheader("Content-Length")), len(body))
        return json.loads(body)

    def test_health_and_ready(self):
        self.assertEqual(self.get_json("/health"), {"status": "healthy"})
        self.assertEqual(self.get_json("/ready"), {"status": "ready"})

    def test_hello(self):
        hello = self.get_json("/api/hello")
        self.assertEqual(hello["message"], "hello")
        self.assertEqual(hello["port"], APP.port)
        self.assertEqual(hello["pid"], APP.pid)
        self.assertEqual(hello["instance"], "web/2")
        self.assertEqual(hello["revision"], "7")
        self.assertEqual(hello["host"], "127.0.0.1:%d" % APP.port)

    def test_not_found_and_method_not_allowed(self):
        self.assertEqual(self.get_json("/nope", expect=404)["status"], 404)
        response, _ = self.get("/health", method="DELETE")
        self.assertEqual(response.status, 405)
        self.assertIn("GET", response.getheader("Allow"))

    def test_status_codes(self):
        for code in (200, 201, 302, 404, 418, 500, 503, 599):
            self.assertEqual(self.get_json("/api/status/%d" % code, expect=code)["status"], code)
        self.assertEqual(self.get_json("/api/status/503", method="POST", expect=503)["status"], 503)
        response, body = self.get("/api/status/204")
        self.assertEqual((response.status, body), (204, b""))
        for bad in ("100", "150", "600", "99", "abc", ""):
            self.get_json("/api/status/" + bad, expect=400)

    def test_invalid_numbers_are_400(self):
        for path in ("/api/slow?ms=abc", "/api/slow?ms=-1", "/api/bytes?n=1k", "/api/cpu?ms=1.5",
                     "/api/alloc?mb=x", "/admin/slow?ms=", "/admin/fail?rate=2"):
            self.assertIn("error", self.get_json(path, expect=400), path)

    def test_slow_does_not_block_threads(self):
        started = time.monotonic()
        self.assertEqual(self.get_json("/api/slow?ms=300"), {"slept_ms": 300})
        self.assertGreaterEqual(time.monotonic() - started, 0.3)
        # 8 parallel waits on 2 threads: only non-blocking timers finish them in ~0.4 s.
        results = []
        threads = [threading.Thread(target=lambda: results.append(self.get("/api/slow?ms=400")[0].status))
                   for _ in range(8)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(SOCKET_TIMEOUT)
        elapsed = time.monotonic() - started
        self.assertEqual(results, [200] * 8)
        self.assertLess(elapsed, 1.2, "slow requests blocked each other")

    def test_cpu_and_alloc(self):
        started = time.monotonic()
        self.assertEqual(self.get_json("/api/cpu?ms=100"), {"busy_ms": 100})
        self.assertGreaterEqual(time.monotonic() - started, 0.1)
        before = APP.rss_kib()
        answer = self.get_json("/api/alloc?mb=8")
        self.assertEqual(answer["allocated_mb"], 8)
        self.assertGreaterEqual(answer["held_mb"], 8)
        self.assertGreaterEqual(APP.rss_kib() - before, 7 * 1024, "allocation not resident")

    def test_keep_alive_reuses_the_connection(self):
        conn = APP.http()
        try:
            conn.request("GET", "/health")
            conn.getresponse().read()
            first_socket = conn.sock
            for path in ("/ready", "/api/hello", "/api/status/404", "/api/bytes?n=10"):
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                self.assertIsNone(response.getheader("Connection"))
            self.assertIs(conn.sock, first_socket, "the server closed a kept-alive connection")
        finally:
            conn.close()

    def test_pipelining_three_requests_in_one_write(self):
        with APP.connect() as sock:
            stream = sock.makefile("rb")
            sock.sendall(b"GET /api/status/201 HTTP/1.1\r\nHost: demo\r\n\r\n"
                         b"HEAD /api/bytes?n=5000 HTTP/1.1\r\nHost: demo\r\n\r\n"
                         b"GET /api/status/202 HTTP/1.1\r\nHost: demo\r\n\r\n")
            first = read_response(stream)
            second = read_response(stream, head_request=True)
            third = read_response(stream)
            self.assertEqual([first.status, second.status, third.status], [201, 200, 202])
            self.assertEqual(second.headers["content-length"], "5000")
            self.assertEqual(third.json(), {"status": 202})

    def test_connection_close_is_honoured(self):
        with APP.connect() as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n\r\n")
            response = read_response(sock.makefile("rb"))
            self.assertEqual(response.status, 200)
            self.assertEqual(response.headers.get("connection"), "close")
            self.assertTrue(expect_eof(sock))

    def test_http10(self):
        with APP.connect() as sock:
            sock.sendall(b"GET /health HTTP/1.0\r\n\r\n")
            response = read_response(sock.makefile("rb"))
            self.assertEqual((response.version, response.status), ("HTTP/1.1", 200))
            self.assertTrue(expect_eof(sock), "HTTP/1.0 without keep-alive must close")
        with APP.connect() as sock:
            stream = sock.makefile("rb")
            for _ in range(2):
                sock.sendall(b"GET /api/bytes?n=3&chunked=1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                response = read_response(stream)
                self.assertEqual(response.headers.get("connection"), "keep-alive")
                self.assertEqual(response.headers.get("content-length"), "3")  # no chunked for 1.0
                self.assertEqual(response.body, b"abc")

    def test_malformed_requests_get_the_codec_status_and_close(self):
        cases = [
            (b"GET / HTTP/1.1\r\n\r\n", 400),                                   # no Host
            (b"GET /health HTTP/2.0\r\nHost: demo\r\n\r\n", 505),
            (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: demo\r\n\r\n", 414),
            (b"GET / HTTP/1.1\r\nHost: demo\r\n" + b"X-A: b\r\n" * 200 + b"\r\n", 431),
            (b"POST /api/echo HTTP/1.1\r\nHost: demo\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
            (b"GET /health HTTP/1.1\nHost: demo\n\n", 400),                     # bare LF
        ]
        for request, status in cases:
            with APP.connect() as sock:
                sock.sendall(request)
                response = read_response(sock.makefile("rb"))
                self.assertIsNotNone(response, request[:40])
                self.assertEqual(response.status, status, request[:40])
                self.assertEqual(response.headers.get("connection"), "close")
                self.assertTrue(expect_eof(sock))

    def test_unread_request_body_is_skipped_for_the_next_request(self):
        with APP.connect() as sock:
            stream = sock.makefile("rb")
            sock.sendall(b"POST /api/status/201 HTTP/1.1\r\nHost: demo\r\nContent-Length: 70000\r\n\r\n"
                         + b"x" * 70000 + b"GET /api/status/202 HTTP/1.1\r\nHost: demo\r\n\r\n")
            self.assertEqual(read_response(stream).status, 201)
            self.assertEqual(read_response(stream).status, 202)

    def test_echo_content_length_body(self):
        payload = os.urandom(1 << 20)
        response, body = self.get("/api/echo", method="POST", body=payload,
                                  headers={"Content-Type": "application/x-test"})
        self.assertEqual(response.status, 200)
        self.assertEqual(body, payload)
        self.assertEqual(response.getheader("X-Echo-Bytes"), str(len(payload)))
        self.assertEqual(response.getheader("X-Echo-Method"), "POST")
        self.assertEqual(response.getheader("Content-Type"), "application/x-test")
        response, body = self.get("/api/echo", method="PUT", body=b"")
        self.assertEqual((response.status, body, response.getheader("X-Echo-Method")), (200, b"", "PUT"))

    def test_echo_chunked_upload(self):
        chunks = [b"hello ", b"chunked ", os.urandom(100000), b"world"]
        with APP.connect() as sock:
            stream = sock.makefile("rb")
            head = b"POST /api/echo HTTP/1.1\r\nHost: demo\r\nTransfer-Encoding: chunked\r\n\r\n"
            body = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\nX-T: 1\r\n\r\n"
            sock.sendall(head + body)
            response = read_response(stream)
            self.assertEqual(response.status, 200)
            self.assertEqual(response.headers.get("transfer-encoding"), "chunked")
            self.assertEqual(response.body, b"".join(chunks))
            self.assertEqual(response.trailers.get("x-echo-bytes"), str(len(b"".join(chunks))))
            # The connection stays usable.
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: demo\r\n\r\n")
            self.assertEqual(read_response(stream).status, 200)

    def test_echo_expect_100_continue(self):
        with APP.connect() as sock:
            stream = sock.makefile("rb")
            sock.sendall(b"POST /api/echo HTTP/1.1\r\nHost: demo\r\nContent-Length: 5\r\n"
                         b"Expect: 100-continue\r\n\r\n")
            interim = read_response(stream, head_request=True)
            self.assertEqual(interim.status, 100)
            sock.sendall(b"12345")
            response = read_response(stream)
            self.assertEqual((response.status, response.body), (200, b"12345"))

    def test_echo_streams_large_bodies_in_constant_memory(self):
        size, piece = 64 << 20, os.urandom(1 << 16)
        before = APP.rss_kib()
        with APP.connect() as sock:
            sock.sendall(b"POST /api/echo HTTP/1.1\r\nHost: demo\r\nContent-Length: %d\r\n\r\n" % size)
            errors = []

            def send_body():
                try:
                    for _ in range(size // len(piece)):
                        sock.sendall(piece)
                except OSError as e:
                    errors.append(e)

            sender = threading.Thread(target=send_body)
            sender.start()
            stream = sock.makefile("rb")
            status_line = stream.readline()
            headers = read_fields(stream)
            received, digest = 0, hashlib.sha256()
            while received < size:
                data = stream.read1(1 << 20)
                if not data:
                    break
                digest.update(data)
                received += len(data)
            sender.join(SOCKET_TIMEOUT)
            self.assertEqual(errors, [])
            self.assertIn(b" 200 ", status_line)
            self.assertEqual(headers["content-length"], str(size))
            self.assertEqual(received, size)
            self.assertEqual(digest.digest(), hashlib.sha256(piece * (size // len(piece))).digest())
        growth_mib = (APP.rss_kib() - before) / 1024
        self.assertLess(growth_mib, 32, "echo of 64 MiB grew the server by %.0f MiB" % growth_mib)

    def test_bytes_100_mb_streamed(self):
        conn = APP.http()
        try:
            conn.request("GET", "/api/bytes?n=100000000")
            response = conn.getresponse()
            self.assertEqual(response.status, 200)
            self.assertEqual(response.getheader("Content-Length"), "100000000")
            first = response.read(1 << 16)
            self.assertEqual(first, pattern_bytes(1 << 16))
            total = len(first)
            while True:
                data = response.read(1 << 20)
                if not data:
                    break
                total += len(data)
            self.assertEqual(total, 100000000)
        finally:
            conn.close()

    def test_bytes_chunked_and_head(self):
        response, body = self.get("/api/bytes?n=200000&chunked=1")
        self.assertEqual(response.getheader("Transfer-Encoding"), "chunked")
        self.assertIsNone(response.getheader("Content-Length"))
        self.assertEqual(body, pattern_bytes(200000))
        response, body = self.get("/api/bytes?n=0")
        self.assertEqual((response.status, body), (200, b""))
        response, body = self.get("/api/bytes?n=1234", method="HEAD")
        self.assertEqual((response.status, response.getheader("Content-Length"), body),
                         (200, "1234", b""))

    def test_echo_head_reports_the_request(self):
        conn = APP.http()
        try:
            conn.request("GET", "/api/echo?x=1", headers={
                "X-Forwarded-For": "10.0.0.1", "X-Request-Id": "abc", "Via": "1.1 test"})
            answer = json.loads(conn.getresponse().read())
        finally:
            conn.close()
        self.assertEqual(answer["method"], "GET")
        self.assertEqual(answer["target"], "/api/echo?x=1")
        self.assertEqual(answer["headers"]["x-forwarded-for"], "10.0.0.1")
        self.assertEqual(answer["headers"]["x-request-id"], "abc")
        self.assertEqual(answer["headers"]["via"], "1.1 test")
        self.assertEqual(answer["headers"]["host"], "127.0.0.1:%d" % APP.port)

    def test_admin_switches(self):
        try:
            self.assertFalse(self.get_json("/admin/unready", method="POST")["ready"])
            self.assertEqual(self.get_json("/ready", expect=503), {"status": "unready"})
            self.assertTrue(self.get_json("/admin/ready")["ready"])
            self.get_json("/ready")
            self.assertFalse(self.get_json("/admin/unhealthy")["healthy"])
            self.assertEqual(self.get_json("/health", expect=503), {"status": "unhealthy"})
            self.get_json("/admin/healthy")
            self.get_json("/health")

            state = self.get_json("/admin/fail?status=502&rate=1.0")
            self.assertEqual(state["fail"], {"status": 502, "rate": 1.0})
            self.get_json("/api/hello", expect=502)
            self.get_json("/health")  # only /api/* fails
            state = self.get_json("/admin/fail?rate=0")
            self.get_json("/api/hello")

            self.assertEqual(self.get_json("/admin/slow?ms=250")["slow_ms"], 250)
            started = time.monotonic()
            self.get_json("/api/hello")
            self.assertGreaterEqual(time.monotonic() - started, 0.25)
            self.get_json("/admin/slow?ms=0")
            self.get_json("/admin/nope", expect=404)
        finally:
            for path in ("/admin/ready", "/admin/healthy", "/admin/fail?rate=0", "/admin/slow?ms=0"):
                self.get(path, method="POST")

    def test_websocket_echo(self):
        sock, stream, response, expected = ws_connect(APP)
        with sock:
            self.assertEqual(response.status, 101)
            self.assertEqual(response.headers["sec-websocket-accept"], expected)
            self.assertEqual(response.headers["upgrade"].lower(), "websocket")
            sock.sendall(ws_frame(0x1, b"hello"))
            self.assertEqual(ws_read(stream), (True, 0x1, b"hello"))
            big = os.urandom(300000)
            sock.sendall(ws_frame(0x2, big))
            self.assertEqual(ws_read(stream), (True, 0x2, big))
            sock.sendall(ws_frame(0x1, b"frag", fin=False) + ws_frame(0x9, b"p")
                         + ws_frame(0x0, b"mented", fin=True))
            self.assertEqual(ws_read(stream), (False, 0x1, b"frag"))
            self.assertEqual(ws_read(stream), (True, 0xA, b"p"))
            self.assertEqual(ws_read(stream), (True, 0x0, b"mented"))
            sock.sendall(ws_frame(0x8, (1000).to_bytes(2, "big") + b"bye"))
            self.assertEqual(ws_read(stream), (True, 0x8, (1000).to_bytes(2, "big")))
            self.assertTrue(expect_eof(sock))

    def test_websocket_rejects_bad_handshakes_and_frames(self):
        response, _ = self.get("/ws")
        self.assertEqual(response.status, 426)
        sock, stream, response, _ = ws_connect(APP)
        with sock:
            self.assertEqual(response.status, 101)
            sock.sendall(b"\x81\x05hello")  # unmasked client frame
            fin, opcode, payload = ws_read(stream)
            self.assertEqual((opcode, payload), (0x8, (1002).to_bytes(2, "big")))

    def test_crash_exits_with_3(self):
        app = DemoApp()
        try:
            try:
                conn = app.http()
                conn.request("GET", "/api/crash")
                conn.getresponse()
            except (http.client.HTTPException, OSError):
                pass
            self.assertEqual(app.proc.wait(timeout=SOCKET_TIMEOUT), 3)
            self.assertIn("crash", app.stderr_text())
        finally:
            app.kill()

    def test_sigterm_finishes_in_flight_requests_then_exits_0(self):
        app = DemoApp()
        try:
            idle = app.connect()
            idle.sendall(b"GET /health HTTP/1.1\r\nHost: demo\r\n\r\n")
            self.assertEqual(read_response(idle.makefile("rb")).status, 200)
            result = {}

            def slow_request():
                conn = app.http()
                conn.request("GET", "/api/slow?ms=1000")
                response = conn.getresponse()
                result["status"] = response.status
                result["connection"] = response.getheader("Connection")
                result["body"] = response.read()

            worker = threading.Thread(target=slow_request)
            worker.start()
            time.sleep(0.3)
            started = time.monotonic()
            app.proc.send_signal(signal.SIGTERM)
            self.assertTrue(expect_eof(idle), "idle keep-alive connection not closed on SIGTERM")
            worker.join(SOCKET_TIMEOUT)
            self.assertEqual(result.get("status"), 200, "in-flight request did not finish")
            self.assertEqual(result.get("connection"), "close")
            self.assertEqual(app.proc.wait(timeout=SOCKET_TIMEOUT), 0)
            self.assertLess(time.monotonic() - started, 5.0)
            idle.close()
        finally:
            app.kill()


def main():
    def out_of_time(signum, frame):
        sys.stderr.write("demo_app_test: FAILED: over the %d s budget\n" % TOTAL_BUDGET_S)
        if APP is not None:
            APP.kill()
        os._exit(1)

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(TOTAL_BUDGET_S)
    result = unittest.main(verbosity=2, exit=False).result
    if APP is not None and APP_EXIT != 0:
        sys.stderr.write("demo_app_test: FAILED: demo-app exited with %r on SIGTERM\n" % APP_EXIT)
        sys.exit(1)
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
