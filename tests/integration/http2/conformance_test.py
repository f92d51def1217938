"""HTTP/2 frame-level conformance: a table of RFC 9113 and RFC 7541 rules, each sent as raw frames
over a fresh connection to the real binary (h2c with prior knowledge, or TLS with ALPN h2 where the
HTTP/1 codec would otherwise answer first), with the outcome the RFC requires: a connection error
(GOAWAY with a code), a stream error (RST_STREAM with a code), or accepted (a response, or the
connection still answering). Frames are built by hand here (header blocks as HPACK literals
without indexing, RFC 7541 §6.2.2, so that a test can send what no library would); the server's
header blocks are decoded with Debian's python3-hpack.

The rules covered are the ROWS table below: `rule` quotes the RFC section, `sends` says what the
client sends, `expect` the outcome asserted."""
import json
import os
import socket
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import tls_certs  # noqa: E402
from harness import Cleanup, Demo, Flotilla, gateway_config  # noqa: E402

import hpack  # noqa: E402

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, \
    CONTINUATION = range(10)
END_STREAM, ACK, END_HEADERS, PADDED, PRIORITY_FLAG = 0x1, 0x1, 0x4, 0x8, 0x20
# RFC 9113 §7 error codes
NO_ERROR, PROTOCOL_ERROR, INTERNAL_ERROR, FLOW_CONTROL_ERROR, SETTINGS_TIMEOUT, STREAM_CLOSED, \
    FRAME_SIZE_ERROR, REFUSED_STREAM, CANCEL, COMPRESSION_ERROR = range(10)
CODE_NAMES = {PROTOCOL_ERROR: "PROTOCOL_ERROR", FLOW_CONTROL_ERROR: "FLOW_CONTROL_ERROR",
              STREAM_CLOSED: "STREAM_CLOSED", FRAME_SIZE_ERROR: "FRAME_SIZE_ERROR",
              COMPRESSION_ERROR: "COMPRESSION_ERROR", NO_ERROR: "NO_ERROR"}
# SETTINGS identifiers
ENABLE_PUSH, INITIAL_WINDOW_SIZE, MAX_FRAME_SIZE = 0x2, 0x4, 0x5
MAX_WINDOW = 2**31 - 1


def frame(kind, flags, stream_id, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + \
        struct.pack(">I", stream_id) + payload


def hpack_int(value, prefix_bits, first=0):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = bytearray([first | limit])
    value -= limit
    while value >= 128:
        out.append(value % 128 + 128)
        value //= 128
    out.append(value)
    return bytes(out)


def literal(name, value):
    """RFC 7541 §6.2.2: literal field without indexing, new name, no Huffman: sent as written."""
    name, value = name.encode(), value.encode()
    return b"\x00" + hpack_int(len(name), 7) + name + hpack_int(len(value), 7) + value


def block(fields):
    return b"".join(literal(n, v) for n, v in fields)


def get(path="/api/hello", extra=()):
    return [(":method", "GET"), (":scheme", "http"), (":path", path),
            (":authority", "localhost")] + list(extra)


def post(path="/api/echo", extra=()):
    return [(":method", "POST"), (":scheme", "http"), (":path", path),
            (":authority", "localhost")] + list(extra)


def headers(stream_id, fields, end_stream=True):
    flags = END_HEADERS | (END_STREAM if end_stream else 0)
    return frame(HEADERS, flags, stream_id, block(fields))


def settings(*pairs):
    return frame(SETTINGS, 0, 0, b"".join(struct.pack(">HI", k, v) for k, v in pairs))


def window_update(stream_id, increment):
    return frame(WINDOW_UPDATE, 0, stream_id, struct.pack(">I", increment))


class Connection:
    """One raw HTTP/2 client connection: the preface, then frames in and out. Every wait is
    bounded; SETTINGS from the server are acknowledged as they come."""

    def __init__(self, port, context=None, preface=PREFACE + settings()):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        if context is not None:
            context.set_alpn_protocols(["h2"])
            sock = context.wrap_socket(sock, server_hostname="localhost")
            assert sock.selected_alpn_protocol() == "h2"
        self.sock = sock
        self.buffer = b""
        self.decoder = hpack.Decoder()
        self.closed = False
        self.sock.sendall(preface)

    def send(self, *frames):
        try:
            self.sock.sendall(b"".join(frames))
        except OSError:
            self.closed = True  # the server may already have closed: the outcome tells

    def read_frame(self, deadline):
        while True:
            if len(self.buffer) >= 9:
                length = int.from_bytes(self.buffer[:3], "big")
                if len(self.buffer) >= 9 + length:
                    kind, flags = self.buffer[3], self.buffer[4]
                    sid = int.from_bytes(self.buffer[5:9], "big") & 0x7fffffff
                    payload = self.buffer[9:9 + length]
                    self.buffer = self.buffer[9 + length:]
                    return kind, flags, sid, payload
            remaining = deadline - time.monotonic()
            if self.closed or remaining <= 0:
                return None
            self.sock.settimeout(remaining)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return None
            except OSError:
                data = b""
            if not data:
                self.closed = True
                return None
            self.buffer += data

    def outcome(self, sid, timeout=5.0, ping=None):
        """The first decisive event: ("goaway", code), ("rst", code) on `sid`, ("status", s) of
        `sid`'s final response, ("ping_ack", payload) when `ping` is set, or ("closed"/"timeout",
        None)."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.read_frame(deadline)
            if got is None:
                return ("closed" if self.closed else "timeout", None)
            kind, flags, stream_id, payload = got
            if kind == SETTINGS and not flags & ACK:
                self.send(frame(SETTINGS, ACK, 0))
            elif kind == GOAWAY:
                return ("goaway", int.from_bytes(payload[4:8], "big"))
            elif kind == RST_STREAM and stream_id == sid:
                return ("rst", int.from_bytes(payload[:4], "big"))
            elif kind == HEADERS:
                fields = dict(self.decoder.decode(self.header_block(flags, payload, deadline)))
                status = fields.get(":status", "")
                if stream_id == sid and not status.startswith("1"):
                    return ("status", int(status))
            elif kind == PING and flags & ACK and ping is not None:
                return ("ping_ack", payload)

    def header_block(self, flags, payload, deadline):
        if flags & PADDED:
            payload = payload[1:len(payload) - payload[0]]
        if flags & PRIORITY_FLAG:
            payload = payload[5:]
        while not flags & END_HEADERS:
            got = self.read_frame(deadline)
            assert got and got[0] == CONTINUATION, got
            flags, payload = got[1], payload + got[3]
        return payload

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def rst(code):
    return ("rst", code)


def goaway(code):
    return ("goaway", code)


# (name, rule, sends, frames after the preface and SETTINGS, the stream to watch, the outcomes
# the RFC allows). A row whose `frames` is a function gets the test (for listeners and
# connections of its own).
ROWS = [
    # ---- RFC 9113 §3.4, §4: the connection preface and frame sizes ----
    ("preface_wrong", "§3.4 invalid connection preface is a connection error PROTOCOL_ERROR "
     "(GOAWAY MAY be omitted)", "TLS, ALPN h2, 'PRI * HTTP/2.0\\r\\n\\r\\nXX\\r\\n\\r\\n'",
     None, 1, [goaway(PROTOCOL_ERROR), ("closed", None)]),
    ("preface_without_settings", "§3.4 the preface MUST be followed by SETTINGS: PROTOCOL_ERROR",
     "preface then PING", None, 1, [goaway(PROTOCOL_ERROR)]),
    ("frame_over_max_frame_size", "§4.2 a frame over SETTINGS_MAX_FRAME_SIZE (16384): "
     "FRAME_SIZE_ERROR", "HEADERS (open), DATA of 16385 bytes",
     [headers(1, post(), end_stream=False), frame(DATA, 0, 1, b"x" * 16385)], 1,
     [goaway(FRAME_SIZE_ERROR), rst(FRAME_SIZE_ERROR)]),
    ("headers_over_max_frame_size", "§4.2 an oversized frame carrying a field block is a "
     "connection error FRAME_SIZE_ERROR", "HEADERS of 16385 bytes",
     [headers(1, get(extra=[("x-pad", "a" * 16400)]))], 1, [goaway(FRAME_SIZE_ERROR)]),
    ("unknown_frame_type_ignored", "§4.1/§5.5 frames of unknown type MUST be ignored",
     "frame type 0xfa on streams 0 and 1, then GET", [frame(0xfa, 0, 0, b"abc"),
                                                      frame(0xfa, 0xff, 1, b""), headers(1, get())],
     1, [("status", 200)]),
    # ---- §5.1: stream states and identifiers ----
    ("even_stream_id", "§5.1.1 a client stream id MUST be odd: PROTOCOL_ERROR",
     "HEADERS on stream 2", [headers(2, get())], 2, [goaway(PROTOCOL_ERROR)]),
    ("stream_id_backwards", "§5.1.1 a new stream id MUST be greater than all earlier ones: "
     "PROTOCOL_ERROR", "HEADERS on 5, then on 3", [headers(5, get()), headers(3, get())], 3,
     [goaway(PROTOCOL_ERROR)]),
    ("headers_on_closed_stream", "§5.1 closed: frames other than PRIORITY are a STREAM_CLOSED "
     "error", "GET on 1 (answered), then HEADERS on 1 again", "closed_stream", 1,
     [goaway(STREAM_CLOSED), rst(STREAM_CLOSED)]),
    ("data_on_half_closed_remote", "§5.1 half-closed (remote): DATA is a stream error "
     "STREAM_CLOSED", "GET /api/slow with END_STREAM, then DATA on it",
     [headers(1, get("/api/slow?ms=2000")), frame(DATA, 0, 1, b"late")], 1,
     [rst(STREAM_CLOSED), goaway(STREAM_CLOSED)]),
    ("rst_stream_on_idle", "§6.4 RST_STREAM on an idle stream: PROTOCOL_ERROR",
     "RST_STREAM on stream 1", [frame(RST_STREAM, 0, 1, struct.pack(">I", CANCEL))], 1,
     [goaway(PROTOCOL_ERROR)]),
    ("priority_on_idle_accepted", "§5.1/§6.3 PRIORITY is allowed on an idle stream",
     "PRIORITY on 3, then GET on 1", [frame(PRIORITY, 0, 3, struct.pack(">IB", 0, 15)),
                                     headers(1, get())], 1, [("status", 200)]),
    # ---- §6: frames on stream 0 and frame-specific rules ----
    ("data_on_stream_0", "§6.1 DATA on stream 0: PROTOCOL_ERROR", "DATA on stream 0",
     [frame(DATA, 0, 0, b"x")], 0, [goaway(PROTOCOL_ERROR)]),
    ("headers_on_stream_0", "§6.2 HEADERS on stream 0: PROTOCOL_ERROR", "HEADERS on stream 0",
     [headers(0, get())], 0, [goaway(PROTOCOL_ERROR)]),
    ("settings_enable_push_2", "§6.5.2 SETTINGS_ENABLE_PUSH other than 0/1: PROTOCOL_ERROR",
     "SETTINGS ENABLE_PUSH=2", [settings((ENABLE_PUSH, 2))], 0, [goaway(PROTOCOL_ERROR)]),
    ("settings_initial_window_too_big", "§6.5.2 SETTINGS_INITIAL_WINDOW_SIZE over 2^31-1: "
     "FLOW_CONTROL_ERROR", "SETTINGS INITIAL_WINDOW_SIZE=2^31",
     [settings((INITIAL_WINDOW_SIZE, 2**31))], 0, [goaway(FLOW_CONTROL_ERROR)]),
    ("settings_max_frame_size_too_small", "§6.5.2 SETTINGS_MAX_FRAME_SIZE under 2^14: "
     "PROTOCOL_ERROR", "SETTINGS MAX_FRAME_SIZE=16383", [settings((MAX_FRAME_SIZE, 16383))], 0,
     [goaway(PROTOCOL_ERROR)]),
    ("settings_max_frame_size_too_big", "§6.5.2 SETTINGS_MAX_FRAME_SIZE over 2^24-1: "
     "PROTOCOL_ERROR", "SETTINGS MAX_FRAME_SIZE=2^24", [settings((MAX_FRAME_SIZE, 2**24))], 0,
     [goaway(PROTOCOL_ERROR)]),
    ("settings_bad_length", "§6.5 SETTINGS length not a multiple of 6: FRAME_SIZE_ERROR",
     "SETTINGS with 5 bytes", [frame(SETTINGS, 0, 0, b"\x00\x02\x00\x00\x00")], 0,
     [goaway(FRAME_SIZE_ERROR)]),
    ("ping_ack", "§6.7 PING is answered by PING with ACK and the same payload",
     "PING 'flotilla'", [frame(PING, 0, 0, b"flotilla")], 0, [("ping_ack", b"flotilla")]),
    ("ping_bad_length", "§6.7 PING length other than 8: FRAME_SIZE_ERROR", "PING with 7 bytes",
     [frame(PING, 0, 0, b"1234567")], 0, [goaway(FRAME_SIZE_ERROR)]),
    ("window_update_zero_stream", "§6.9 WINDOW_UPDATE increment 0 on a stream: stream error "
     "PROTOCOL_ERROR (§5.4.1: an endpoint MAY treat a stream error as a connection error; "
     "nghttp2 does)", "HEADERS (open), WINDOW_UPDATE 0 on it",
     [headers(1, post(), end_stream=False), window_update(1, 0)], 1,
     [rst(PROTOCOL_ERROR), goaway(PROTOCOL_ERROR)]),
    ("window_update_zero_connection", "§6.9 WINDOW_UPDATE increment 0 on stream 0: "
     "PROTOCOL_ERROR", "WINDOW_UPDATE 0 on stream 0", [window_update(0, 0)], 0,
     [goaway(PROTOCOL_ERROR)]),
    ("window_overflow_connection", "§6.9.1 the connection window over 2^31-1: "
     "FLOW_CONTROL_ERROR", "WINDOW_UPDATE 2^31-1 on stream 0", [window_update(0, MAX_WINDOW)],
     0, [goaway(FLOW_CONTROL_ERROR)]),
    ("window_overflow_stream", "§6.9.1 a stream window over 2^31-1: stream error "
     "FLOW_CONTROL_ERROR", "HEADERS (open), WINDOW_UPDATE 2^31-1 on it",
     [headers(1, post(), end_stream=False), window_update(1, MAX_WINDOW)], 1,
     [rst(FLOW_CONTROL_ERROR)]),
    ("continuation_without_headers", "§6.10 CONTINUATION not after HEADERS: PROTOCOL_ERROR",
     "CONTINUATION on stream 1", [frame(CONTINUATION, END_HEADERS, 1, block(get()))], 1,
     [goaway(PROTOCOL_ERROR)]),
    ("continuation_other_stream", "§6.10 a header block continues on its own stream only: "
     "PROTOCOL_ERROR", "HEADERS on 1 without END_HEADERS, CONTINUATION on 3",
     [frame(HEADERS, END_STREAM, 1, block(get())), frame(CONTINUATION, END_HEADERS, 3, b"")], 1,
     [goaway(PROTOCOL_ERROR)]),
    # ---- §8.2, §8.3: malformed requests are stream errors PROTOCOL_ERROR (§8.1.1) ----
    ("uppercase_field_name", "§8.2.1 uppercase field name: malformed", "GET with 'X-Upper: 1'",
     [headers(1, get(extra=[("X-Upper", "1")]))], 1, [rst(PROTOCOL_ERROR)]),
    ("connection_specific_field", "§8.2.2 connection-specific field: malformed",
     "GET with 'connection: keep-alive'", [headers(1, get(extra=[("connection", "keep-alive")]))],
     1, [rst(PROTOCOL_ERROR)]),
    ("transfer_encoding_field", "§8.2.2 transfer-encoding: malformed",
     "GET with 'transfer-encoding: chunked'",
     [headers(1, get(extra=[("transfer-encoding", "chunked")]))], 1, [rst(PROTOCOL_ERROR)]),
    ("te_not_trailers", "§8.2.2 TE other than 'trailers': malformed", "GET with 'te: gzip'",
     [headers(1, get(extra=[("te", "gzip")]))], 1, [rst(PROTOCOL_ERROR)]),
    ("te_trailers_accepted", "§8.2.2 'te: trailers' is allowed", "GET with 'te: trailers'",
     [headers(1, get(extra=[("te", "trailers")]))], 1, [("status", 200)]),
    ("missing_method", "§8.3.1 :method missing: malformed", "HEADERS without :method",
     [headers(1, get()[1:])], 1, [rst(PROTOCOL_ERROR)]),
    ("missing_path", "§8.3.1 :path missing: malformed", "HEADERS without :path",
     [headers(1, [f for f in get() if f[0] != ":path"])], 1, [rst(PROTOCOL_ERROR)]),
    ("duplicate_path", "§8.3.1 :path twice: malformed", "HEADERS with two :path",
     [headers(1, get() + [(":path", "/api/hello")])], 1, [rst(PROTOCOL_ERROR)]),
    ("empty_path", "§8.3.1 empty :path: malformed", "HEADERS with ':path: '",
     [headers(1, [f if f[0] != ":path" else (":path", "") for f in get()])], 1,
     [rst(PROTOCOL_ERROR)]),
    ("unknown_pseudo_header", "§8.3 an undefined pseudo-header: malformed",
     "GET with ':foo: bar'", [headers(1, get() + [(":foo", "bar")])], 1, [rst(PROTOCOL_ERROR)]),
    ("response_pseudo_in_request", "§8.3 :status in a request: malformed",
     "GET with ':status: 200'", [headers(1, get() + [(":status", "200")])], 1,
     [rst(PROTOCOL_ERROR)]),
    ("pseudo_after_regular", "§8.3 pseudo-header after a regular field: malformed",
     "':authority' after 'accept'",
     [headers(1, get()[:3] + [("accept", "*/*"), (":authority", "localhost")])], 1,
     [rst(PROTOCOL_ERROR)]),
    ("content_length_too_long", "§8.1.1 content-length above the DATA received: malformed",
     "POST content-length 10, 5 bytes of DATA with END_STREAM",
     [headers(1, post(extra=[("content-length", "10")]), end_stream=False),
      frame(DATA, END_STREAM, 1, b"hello")], 1, [rst(PROTOCOL_ERROR)]),
    ("content_length_too_short", "§8.1.1 DATA beyond content-length: malformed",
     "POST content-length 2, 5 bytes of DATA",
     [headers(1, post(extra=[("content-length", "2")]), end_stream=False),
      frame(DATA, END_STREAM, 1, b"hello")], 1, [rst(PROTOCOL_ERROR)]),
    ("authority_wins_over_host", "§8.3.1 :authority is the target's authority (the upstream sees "
     "Host = :authority)", "GET /api/echo with :authority a.example and host b.example",
     "authority", 1, [("status", 200)]),
    # ---- RFC 7541 (HPACK): decoding errors are connection errors COMPRESSION_ERROR ----
    ("hpack_invalid_index", "RFC 7541 §2.3.3 an index beyond both tables: COMPRESSION_ERROR",
     "HEADERS with indexed field 200 (empty dynamic table)",
     [frame(HEADERS, END_HEADERS | END_STREAM, 1, hpack_int(200, 7, 0x80))], 1,
     [goaway(COMPRESSION_ERROR)]),
    ("hpack_index_zero", "RFC 7541 §6.1 index 0: COMPRESSION_ERROR", "HEADERS with byte 0x80",
     [frame(HEADERS, END_HEADERS | END_STREAM, 1, b"\x80")], 1, [goaway(COMPRESSION_ERROR)]),
    ("hpack_table_size_update_too_big", "RFC 7541 §6.3/§4.2 a table size update above "
     "SETTINGS_HEADER_TABLE_SIZE (4096): COMPRESSION_ERROR", "size update to 8192, then a GET",
     [frame(HEADERS, END_HEADERS | END_STREAM, 1, hpack_int(8192, 5, 0x20) + block(get()))], 1,
     [goaway(COMPRESSION_ERROR)]),
    ("hpack_table_size_update_after_field", "RFC 7541 §4.2 a size update after a field: "
     "COMPRESSION_ERROR", "a field, then a size update to 0",
     [frame(HEADERS, END_HEADERS | END_STREAM, 1, block(get()) + hpack_int(0, 5, 0x20))], 1,
     [goaway(COMPRESSION_ERROR)]),
    ("hpack_table_size_update_allowed", "RFC 7541 §6.3 a size update within the setting is "
     "accepted", "size update to 0, then a GET",
     [frame(HEADERS, END_HEADERS | END_STREAM, 1, hpack_int(0, 5, 0x20) + block(get()))], 1,
     [("status", 200)]),
]


# `listen[].http2` as a mapping: what the server's SETTINGS must then say.
TUNED = {"max_concurrent_streams": 7, "initial_window": 100000, "max_frame_size": 20000,
         "hpack_table": 1024, "max_header_list": "4Ki", "idle_timeout": "1s"}
TUNED_SETTINGS = {0x1: 1024, 0x3: 7, 0x4: 100000, 0x5: 20000, 0x6: 4096}


class Conformance(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.ca = tls_certs.TestCA()
            leaf = cls.ca.issue("localhost", ["localhost", "IP:127.0.0.1"], "ec")
            cls.demo = cls.cleanup.add(Demo())
            config = json.loads(gateway_config(
                {"app": {"servers": [cls.demo.address]}},
                [{"match": {"path": "/"}, "upstream": "app"}]))
            config["listen"] = [{"address": "127.0.0.1:0", "http2": True},
                                tls_certs.listener([leaf], http2=True),
                                {"address": "127.0.0.1:0", "http2": TUNED}]
            cls.gw = cls.cleanup.add(Flotilla(json.dumps(config)))
            (_, cls.port), (_, cls.tls_port), (_, cls.tuned_port) = cls.gw.listeners()
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def connection(self, **kwargs):
        conn = Connection(self.port, **kwargs)
        self.addCleanup(conn.close)
        return conn

    def run_row(self, row):
        name, rule, sends, frames, sid, allowed = row
        if frames is None and name == "preface_wrong":
            conn = Connection(self.tls_port, self.ca.client_context(),
                              preface=b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n" + settings())
            self.addCleanup(conn.close)
        elif frames is None:  # preface_without_settings
            conn = self.connection(preface=PREFACE + frame(PING, 0, 0, b"12345678"))
        elif frames == "closed_stream":
            conn = self.connection()
            conn.send(headers(1, get()))
            self.assertEqual(conn.outcome(1), ("status", 200))
            conn.read_frame(time.monotonic() + 0.3)  # the body's DATA
            conn.send(headers(1, get()))
        elif frames == "authority":
            conn = self.connection()
            conn.send(headers(1, [(":method", "GET"), (":scheme", "http"), (":path", "/api/echo"),
                                  (":authority", "a.example"), ("host", "b.example")]))
        else:
            conn = self.connection()
            conn.send(*frames)
        got = conn.outcome(sid, ping=b"" if name == "ping_ack" else None)
        describe = [(kind, CODE_NAMES.get(code, code) if kind in ("goaway", "rst") else code)
                    for kind, code in allowed]
        self.assertIn(got, allowed, f"{rule}: sent {sends}; expected one of {describe}")
        if name == "authority_wins_over_host":
            body = self.body_of(conn, 1)
            self.assertEqual(json.loads(body)["headers"].get("host"), "a.example", body)
        if got[0] in ("status", "ping_ack", "rst"):
            # Accepted or a stream error: the connection goes on serving.
            conn.send(headers(101, get()))
            self.assertEqual(conn.outcome(101), ("status", 200), f"after {name}")

    def test_configured_settings_are_advertised(self):
        """listen[].http2 reaches the session: the server's first SETTINGS carries the configured
        values, a frame of the configured max_frame_size is accepted, and a connection with no
        stream is closed after idle_timeout."""
        conn = Connection(self.tuned_port)
        self.addCleanup(conn.close)
        got = conn.read_frame(time.monotonic() + 5)
        self.assertIsNotNone(got)
        kind, flags, _, payload = got
        self.assertEqual((kind, flags), (SETTINGS, 0))
        advertised = {int.from_bytes(payload[i:i + 2], "big"):
                      int.from_bytes(payload[i + 2:i + 6], "big") for i in range(0, len(payload), 6)}
        self.assertEqual({k: advertised.get(k) for k in TUNED_SETTINGS}, TUNED_SETTINGS)
        # RFC 7541 §4.2: hpack_table below 4096, acknowledged: the next header block must start
        # with a dynamic table size update within it (without one: COMPRESSION_ERROR).
        conn.send(frame(SETTINGS, ACK, 0),
                  frame(HEADERS, END_HEADERS, 1, hpack_int(1024, 5, 0x20) + block(post())),
                  frame(DATA, END_STREAM, 1, b"x" * 20000))  # > 16384, = the configured size
        self.assertEqual(conn.outcome(1), ("status", 200))
        start = time.monotonic()
        # The idle sweep closes the socket; RFC 9113 §5.4.1 says an endpoint SHOULD send GOAWAY
        # first "providing that circumstances permit it": flotilla does not yet (noted).
        self.assertIn(conn.outcome(3, timeout=10), [("goaway", NO_ERROR), ("closed", None)])
        self.assertLess(time.monotonic() - start, 5)

    def body_of(self, conn, sid):
        body, deadline = b"", time.monotonic() + 5
        while time.monotonic() < deadline:
            got = conn.read_frame(deadline)
            if got is None:
                break
            kind, flags, stream_id, payload = got
            if kind == DATA and stream_id == sid:
                body += payload
                if flags & END_STREAM:
                    return body
        raise AssertionError(f"no complete body on stream {sid}: {body!r}")


def make_test(row):
    def test(self):
        self.run_row(row)
    test.__doc__ = f"{row[1]} — sends: {row[2]}"
    return test


for _row in ROWS:
    setattr(Conformance, f"test_{_row[0]}", make_test(_row))


if __name__ == "__main__":
    unittest.main()
