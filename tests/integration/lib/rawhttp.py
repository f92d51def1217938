"""HTTP/1.1 over raw sockets for the integration tests: read responses (or requests) byte-exactly,
with their framing (Content-Length, chunked, until close), without trusting a client library to
hide what the proxy really sent. Every read is bounded by the socket's timeout.
"""
import socket


class Reader:
    """Buffered reads from a socket; `record`, when given, gets every byte received."""

    def __init__(self, sock, record=None, chunk=65536):
        self.sock = sock
        self.buffer = bytearray()
        self.record = record
        self.chunk = chunk
        self.eof = False

    def fill(self):
        """Reads once more; False at EOF (or reset)."""
        if self.eof:
            return False
        try:
            data = self.sock.recv(self.chunk)
        except (ConnectionResetError, BrokenPipeError):
            data = b""
        if not data:
            self.eof = True
            return False
        if self.record is not None:
            self.record(data)
        self.buffer += data
        return True

    def read_until(self, marker, limit=1 << 20):
        """Bytes up to and including `marker`, or None at EOF first."""
        start = 0
        while True:
            i = self.buffer.find(marker, start)
            if i >= 0:
                out = bytes(self.buffer[:i + len(marker)])
                del self.buffer[:i + len(marker)]
                return out
            if len(self.buffer) > limit:
                raise ValueError("no %r within %d bytes" % (marker, limit))
            start = max(0, len(self.buffer) - len(marker) + 1)
            if not self.fill():
                return None

    def read_exact(self, n):
        while len(self.buffer) < n:
            if not self.fill():
                return None
        out = bytes(self.buffer[:n])
        del self.buffer[:n]
        return out

    def read_to_eof(self):
        while self.fill():
            pass
        out = bytes(self.buffer)
        self.buffer.clear()
        return out


class Message:
    """A parsed request or response. `headers` keeps order and case; `header()` looks up."""

    def __init__(self, start_line, headers, raw_head):
        self.start_line = start_line
        self.headers = headers
        self.raw_head = raw_head
        self.body = b""
        self.complete = False  # the body ended where its framing said

    def header(self, name, default=None):
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return ", ".join(values) if values else default

    def has(self, name):
        return any(k.lower() == name.lower() for k, _ in self.headers)

    # Responses
    @property
    def status(self):
        return int(self.start_line.split(b" ")[1])

    @property
    def version(self):
        return self.start_line.split(b" ")[0].decode() if self.start_line.startswith(b"HTTP/") \
            else self.start_line.rsplit(b" ", 1)[1].decode()

    # Requests
    @property
    def method(self):
        return self.start_line.split(b" ")[0].decode()

    @property
    def target(self):
        return self.start_line.split(b" ")[1].decode("latin-1")

    def keep_alive(self):
        tokens = [t.strip().lower() for t in (self.header("connection") or "").split(",")]
        if "close" in tokens:
            return False
        return self.version == "HTTP/1.1" or "keep-alive" in tokens


def read_head(reader):
    """The next head (tolerating leading CRLFs), or None at a clean EOF."""
    while True:  # empty lines before a request line are allowed (RFC 9112 §2.2)
        while len(reader.buffer) < 2 and reader.fill():
            pass
        if reader.buffer[:2] != b"\r\n":
            break
        del reader.buffer[:2]
    raw = reader.read_until(b"\r\n\r\n")
    if raw is None:
        return None
    lines = raw[:-4].split(b"\r\n")
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers.append((name.decode("latin-1"), value.strip(b" \t").decode("latin-1")))
    return Message(lines[0], headers, raw)


def read_chunked(reader, sink):
    """Decodes a chunked body into `sink(bytes)`; returns False if it was cut short."""
    while True:
        line = reader.read_until(b"\r\n")
        if line is None:
            return False
        size = int(line.split(b";")[0].strip(), 16)
        if size == 0:
            while True:  # trailer section
                trailer = reader.read_until(b"\r\n")
                if trailer is None:
                    return False
                if trailer == b"\r\n":
                    return True
        remaining = size
        while remaining > 0:
            if not reader.buffer and not reader.fill():
                return False
            take = min(remaining, len(reader.buffer))
            sink(bytes(reader.buffer[:take]))
            del reader.buffer[:take]
            remaining -= take
        if reader.read_exact(2) != b"\r\n":
            return False


def read_body(reader, message, sink, is_request, request_method="GET"):
    """Streams the body framed by `message`'s head into `sink`; sets message.complete."""
    if not is_request:
        status = message.status
        if request_method == "HEAD" or 100 <= status < 200 or status in (204, 304):
            message.complete = True
            return
    te = (message.header("transfer-encoding") or "").lower()
    if "chunked" in te:
        message.complete = read_chunked(reader, sink)
        return
    cl = message.header("content-length")
    if cl is not None:
        remaining = int(cl.split(",")[0])
        while remaining > 0:
            if not reader.buffer and not reader.fill():
                message.complete = False
                return
            take = min(remaining, len(reader.buffer))
            sink(bytes(reader.buffer[:take]))
            del reader.buffer[:take]
            remaining -= take
        message.complete = True
        return
    if is_request:
        message.complete = True  # no framing: no body
        return
    while True:  # until close
        if reader.buffer:
            sink(bytes(reader.buffer))
            reader.buffer.clear()
        if not reader.fill():
            break
    message.complete = True


def read_message(reader, is_request, request_method="GET", keep_body=True, skip_interim=True):
    """The next whole message (body in .body unless keep_body is False; .body_size always)."""
    while True:
        message = read_head(reader)
        if message is None:
            return None
        if is_request or not skip_interim or not 100 <= message.status < 200 \
                or message.status == 101:
            break
    parts = []
    size = [0]

    def sink(data):
        size[0] += len(data)
        if keep_body:
            parts.append(data)

    if not (not is_request and message.status == 101):
        read_body(reader, message, sink, is_request, request_method)
    message.body = b"".join(parts)
    message.body_size = size[0]
    return message


def read_response(reader, request_method="GET", keep_body=True, skip_interim=True):
    return read_message(reader, False, request_method, keep_body, skip_interim)


def connect(port, timeout=10.0, rcvbuf=None):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf is not None:  # before connect, so the window is small from the start
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(timeout)
    sock.connect(("127.0.0.1", port))
    return sock
