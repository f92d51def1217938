"""Scripted upstreams that live in the test process (threads): they record every byte the proxy
sends them and answer as the test says — normally, not at all, with a reset, or with raw bytes —
and can stop and resume listening on the same port (a crashed and restarted server).

Every socket has a timeout; stop() closes everything and joins nothing unbounded.
"""
import json
import os
import socket
import struct
import sys
import threading

from rawhttp import Reader, read_message

CLOSE = "close"  # read the request, then close without answering
RESET = "reset"  # read the request, then reset the connection (RST)


def reply(status=200, body=b"", headers=None, close=False):
    head = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}"]
    for name, value in (headers or {}).items():
        head.append(f"{name}: {value}")
    if close:
        head.append("Connection: close")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def _reset(sock):
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


class Backend:
    """An HTTP/1.1 upstream on 127.0.0.1. `respond(request, backend)` returns the bytes to send,
    (bytes, CLOSE) to send them and close, CLOSE or RESET; the default answers 200 with
    {"instance": name} and keeps the connection."""

    def __init__(self, name="backend", respond=None, port=0, tls=None):
        """`tls`: a server-side ssl.SSLContext to speak TLS; each connection's handshake is
        recorded in `handshakes` as {"ok", "reused", "version", "error", "peer"}."""
        self.name = name
        self.tls = tls
        self.handshakes = []
        self.respond = respond or (lambda request, backend: reply(
            200, json.dumps({"instance": backend.name}).encode(),
            {"Content-Type": "application/json"}))
        self.lock = threading.Lock()
        self.received = bytearray()  # every byte any connection received, in arrival order
        self.requests = []           # every parsed request
        self.connections = 0         # connections accepted
        self._live = set()
        self._stopped = False
        self._listener = None
        self.port = port
        self.listen()

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def listen(self):
        """Starts (or resumes) listening on self.port (0: a free one, remembered)."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        listener.settimeout(0.1)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def crash(self):
        """Stops listening and resets every live connection, like a killed process."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self.lock:
            live, self._live = list(self._live), set()
        for sock in live:
            _reset(sock)

    def stop(self, *_):
        self._stopped = True
        self.crash()

    def clear(self):
        with self.lock:
            self.received.clear()
            self.requests.clear()
            self.connections = 0

    def _accept(self, listener):
        while not self._stopped and self._listener is listener:
            try:
                sock, _ = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            sock.settimeout(10.0)
            with self.lock:
                self.connections += 1
                self._live.add(sock)
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _record(self, data):
        with self.lock:
            self.received += data

    def _serve(self, sock):
        raw = sock
        if self.tls is not None:
            try:
                sock = self.tls.wrap_socket(sock, server_side=True)
            except (OSError, ValueError) as e:
                with self.lock:
                    self.handshakes.append({"ok": False, "error": str(e)})
                    self._live.discard(raw)
                raw.close()
                return
            with self.lock:  # crash() resets the TLS socket (the raw one is detached)
                self._live.discard(raw)
                self._live.add(sock)
                self.handshakes.append({"ok": True, "reused": sock.session_reused,
                                        "version": sock.version(),
                                        "peer": sock.getpeercert()})
        reader = Reader(sock, record=self._record)
        seq = 0
        try:
            while True:
                request = read_message(reader, True)
                if request is None:
                    break
                request.seq = seq  # requests before this one on the same connection
                seq += 1
                with self.lock:
                    self.requests.append(request)
                answer = self.respond(request, self)
                if answer == CLOSE:
                    break
                if answer == RESET:
                    _reset(sock)
                    return
                if isinstance(answer, tuple):  # (bytes, CLOSE): answer, then close
                    sock.sendall(answer[0])
                    break
                sock.sendall(answer)
                if not request.keep_alive() or b"connection: close" in answer.lower():
                    break
        except (OSError, ValueError):
            pass
        finally:
            with self.lock:
                self._live.discard(sock)
            try:
                sock.close()
            except OSError:
                pass


class BackendProcess:
    """A Backend in a process of its own, so a test can kill -9 it like a real server. It answers
    every request in one write (head and body together), so a kill can never cut a response
    in two: whatever the proxy saw of a request's answer is all or nothing."""

    def __init__(self, name):
        import harness
        here = os.path.dirname(os.path.abspath(__file__))
        self.process = harness.Process([sys.executable, os.path.join(here, "backends.py"), name],
                                       name=f"backend {name}")
        m = self.process.wait_for_line(r"backend listening on (\S+):(\d+)")
        self.port = int(m.group(2))
        self.address = f"127.0.0.1:{self.port}"

    def stop(self, sig=None):
        import signal
        return self.process.stop(sig or signal.SIGKILL)


if __name__ == "__main__":
    # backends.py NAME: serve {"instance": NAME} on a free port until killed.
    backend = Backend(sys.argv[1])
    print(f"backend listening on 127.0.0.1:{backend.port}", flush=True)
    threading.Event().wait()
