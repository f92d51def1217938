"""A test backend for the tail-latency tests: HTTP/1.1 keep-alive, one thread per connection,
each connection numbered. Options make some requests slow; GET /_log answers what it saw as JSON
(per connection, the paths it served in order, and every X-Id header received), so a test can
count connections and check that a connection was never reused after a given request.

Usage: backend.py [--slow-path P] [--slow-every N] [--slow-ms MS] [--port N] [--sick-file F]
Prints "backend listening on 127.0.0.1:PORT" once ready.
"""
import argparse
import json
import os
import socket
import sys
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("--slow-path", default=None)   # requests for this path are slow
parser.add_argument("--slow-every", type=int, default=0)  # every Nth request is slow
parser.add_argument("--slow-ms", type=int, default=5000)
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--sick-file", default=None)  # /health answers 503 while this file exists
args = parser.parse_args()

lock = threading.Lock()
connections = {}  # id -> [path, ...]
ids = []          # X-Id values received (requests the backend acted on)
counter = [0]


def read_request(f):
    line = f.readline(65536)
    if not line:
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    headers = {}
    while True:
        h = f.readline(65536)
        if h in (b"\r\n", b"\n", b""):
            break
        name, _, value = h.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = b""
    length = int(headers.get("content-length", "0") or 0)
    if length:
        body = f.read(length)
    return method, path, headers, body


def serve(conn, number):
    f = conn.makefile("rb")
    try:
        while True:
            req = read_request(f)
            if req is None:
                return
            method, path, headers, _ = req
            with lock:
                connections.setdefault(number, []).append(path)
                if "x-id" in headers:
                    ids.append(headers["x-id"])
                counter[0] += 1
                nth = counter[0]
            if path == "/health":
                sick = args.sick_file and os.path.exists(args.sick_file)
                body = b"sick\n" if sick else b"ok\n"
                status = "503 Service Unavailable" if sick else "200 OK"
                conn.sendall((f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
                             + body)
                continue
            if path == "/_log":
                with lock:
                    body = json.dumps({"connections": connections, "ids": ids}).encode()
            else:
                slow = (args.slow_path and path.startswith(args.slow_path)) or \
                    (args.slow_every and nth % args.slow_every == 0)
                if slow:
                    time.sleep(args.slow_ms / 1000.0)
                body = f"ok {number}\n".encode()
            head = (f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n"
                    f"X-Connection: {number}\r\nContent-Type: text/plain\r\n\r\n").encode()
            try:
                conn.sendall(head + body)
            except OSError:
                return
    except (OSError, ValueError):
        return
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(512)
    print(f"backend listening on 127.0.0.1:{listener.getsockname()[1]}", flush=True)
    number = 0
    while True:
        conn, _ = listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        number += 1
        threading.Thread(target=serve, args=(conn, number), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
