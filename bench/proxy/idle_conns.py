#!/usr/bin/env python3
# Holds N idle keep-alive client connections to a proxy for the RSS-per-idle-connection figure.
# Each connection (plain, or TLS with --tls: a full handshake each, no verification) completes one
# request (so it is a real keep-alive connection), then stays idle. With --h2 the request is an
# HTTP/2 stream (h2c with prior knowledge, or ALPN h2 with --tls): an idle HTTP/2 connection.
# It never sends more than one request per connection and never holds the sockets longer than
# --hold seconds, so a forgotten helper cannot outlive the benchmark.
"""Usage: idle_conns.py HOST PORT COUNT STATUS_FILE [--hold SECONDS] [--window N] [--tls] [--h2]

Writes `established OK FAILED` to STATUS_FILE once every connection has its response, then
waits for SIGUSR1 (or --hold), checks how many connections the proxy kept open, writes
`alive N` and exits, resetting every connection (no TIME_WAIT left behind)."""

import argparse
import os
import selectors
import signal
import socket
import ssl
import struct
import sys
import time

REQUEST = b"GET / HTTP/1.1\r\nHost: bench\r\nUser-Agent: idle-conns\r\n\r\n"


H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
H2_SETTINGS_ACK = b"\x00\x00\x00\x04\x01\x00\x00\x00\x00"


def h2_request(tls):
    """Preface, empty SETTINGS, and GET / on stream 1 (HPACK: static indexes, :authority
    literal), END_STREAM."""
    block = b"\x82\x84" + (b"\x87" if tls else b"\x86") + b"\x41\x05bench"
    headers = len(block).to_bytes(3, "big") + b"\x01\x05" + (1).to_bytes(4, "big") + block
    return H2_PREFACE + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00" + headers


class H2Response:
    """Frames of one HTTP/2 connection's first response, as they come: `done` once stream 1
    ended (or a GOAWAY came), `ok` when its HEADERS said :status 200 (HPACK static index 8).
    The server's SETTINGS is acknowledged."""

    def __init__(self):
        self.buffer = b""
        self.done = False
        self.ok = False

    def take(self, data, sock):
        self.buffer += data
        while len(self.buffer) >= 9 and not self.done:
            length = int.from_bytes(self.buffer[:3], "big")
            if len(self.buffer) < 9 + length:
                break
            kind, flags = self.buffer[3], self.buffer[4]
            sid = int.from_bytes(self.buffer[5:9], "big") & 0x7fffffff
            payload, self.buffer = self.buffer[9:9 + length], self.buffer[9 + length:]
            if kind == 4 and not flags & 1:
                sock.sendall(H2_SETTINGS_ACK)
            elif kind == 7:
                self.done, self.ok = True, False
            elif kind == 1 and sid == 1:
                first = payload[5:6] if flags & 0x20 else payload[:1]
                self.ok = first == b"\x88"
                self.done = bool(flags & 1)
            elif kind == 0 and sid == 1 and flags & 1:
                self.done = True
        return self.done, self.ok


def write_status(path, line):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(line + "\n")
    os.replace(tmp, path)


def response_complete(data):
    """Returns (done, ok) for the bytes received so far on one connection."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return False, False
    head = data[:end].decode("latin-1").split("\r\n")
    ok = head[0].startswith("HTTP/1.1 2")
    length = None
    chunked = False
    for line in head[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif name == "connection" and "close" in value.lower():
            ok = False  # not a keep-alive connection
    body = data[end + 4:]
    if chunked:
        return body.endswith(b"0\r\n\r\n"), ok
    if length is None:
        return True, False  # until-close framing: not a keep-alive response
    return len(body) >= length, ok


def tls_context(h2=False):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if h2:
        context.set_alpn_protocols(["h2"])
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    return context


def establish(host, port, count, window, deadline, tls, h2=False):
    sel = selectors.DefaultSelector()
    pending = {}  # socket -> None (connecting), "tls" (handshaking) or the received bytes
    idle = []
    failed = 0
    started = 0
    while (started < count or pending) and time.monotonic() < deadline:
        while started < count and len(pending) < window:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.setblocking(False)
            try:
                s.connect((host, port))
            except BlockingIOError:
                pass
            except OSError:
                failed += 1
                s.close()
                started += 1
                continue
            pending[s] = None  # None: request not sent yet
            sel.register(s, selectors.EVENT_WRITE)
            started += 1
        for key, events in sel.select(timeout=0.5):
            s = key.fileobj
            try:
                if pending[s] is None:
                    err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if err:
                        raise OSError(err, os.strerror(err))
                    if tls is not None:
                        sel.unregister(s)
                        del pending[s]
                        s = tls.wrap_socket(s, server_hostname="bench.test",
                                            do_handshake_on_connect=False)
                        pending[s] = "tls"
                        sel.register(s, selectors.EVENT_WRITE)
                        continue
                if pending[s] == "tls":
                    try:
                        s.do_handshake()
                    except ssl.SSLWantReadError:
                        sel.modify(s, selectors.EVENT_READ)
                        continue
                    except ssl.SSLWantWriteError:
                        sel.modify(s, selectors.EVENT_WRITE)
                        continue
                if pending[s] is None or pending[s] == "tls":
                    # Tiny: fits the socket buffer of a fresh connection.
                    s.sendall(h2_request(tls is not None) if h2 else REQUEST)
                    pending[s] = H2Response() if h2 else b""
                    sel.modify(s, selectors.EVENT_READ)
                    continue
                try:
                    chunk = s.recv(65536)
                except ssl.SSLWantReadError:  # a TLS 1.3 ticket, no application data yet
                    continue
                if not chunk:
                    raise OSError("closed before the response")
                if h2:
                    done, ok = pending[s].take(chunk, s)
                else:
                    pending[s] += chunk
                    done, ok = response_complete(pending[s])
                if not done:
                    continue
                sel.unregister(s)
                del pending[s]
                if ok:
                    idle.append(s)
                else:
                    failed += 1
                    s.close()
            except (OSError, ssl.SSLError):
                sel.unregister(s)
                del pending[s]
                failed += 1
                s.close()
    for s in pending:  # ran out of time
        failed += 1
        s.close()
    sel.close()
    return idle, failed + (count - started)


def count_alive(idle):
    """A connection the proxy closed (or wrote to) is readable; an idle kept one is not."""
    sel = selectors.DefaultSelector()
    for s in idle:
        sel.register(s, selectors.EVENT_READ)
    readable = len(sel.select(timeout=0))
    sel.close()
    return len(idle) - readable


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("count", type=int)
    parser.add_argument("status_file")
    parser.add_argument("--hold", type=float, default=60.0)
    parser.add_argument("--window", type=int, default=200)
    parser.add_argument("--tls", action="store_true", help="TLS 1.3, certificate not verified")
    parser.add_argument("--h2", action="store_true", help="HTTP/2 (ALPN h2 with --tls, else h2c)")
    args = parser.parse_args()

    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
    deadline = time.monotonic() + args.hold
    idle, failed = establish(args.host, args.port, args.count, args.window, deadline,
                             tls_context(args.h2) if args.tls else None, args.h2)
    write_status(args.status_file, f"established {len(idle)} {failed}")
    signal.sigtimedwait({signal.SIGUSR1}, max(0.0, deadline - time.monotonic()))
    write_status(args.status_file, f"alive {count_alive(idle)} {failed}")
    for s in idle:
        s.close()  # SO_LINGER 0: a reset, so no TIME_WAIT piles up between proxies
    return 0


if __name__ == "__main__":
    sys.exit(main())
