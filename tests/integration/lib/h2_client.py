"""A small frame-level HTTP/2 client for tests (Debian's python3-h2 under /usr/bin/python3): over
TLS with ALPN h2 or in the clear with prior knowledge (h2c). Exposes the h2 connection so that a
test can send what a well-behaved client never would (floods, resets, forbidden fields) and see
every event the server sent. Every wait is bounded in time."""
import socket
import ssl
import time

import h2.config
import h2.connection
import h2.events
import h2.settings


class H2Client:
    def __init__(self, port, context=None, server_hostname="localhost", timeout=10.0,
                 validate=True, window=None):
        raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if context is not None:
            context.set_alpn_protocols(["h2"])
            raw = context.wrap_socket(raw, server_hostname=server_hostname)
            assert raw.selected_alpn_protocol() == "h2", raw.selected_alpn_protocol()
        self.sock = raw
        config = h2.config.H2Configuration(client_side=True, header_encoding="utf-8",
                                           validate_outbound_headers=validate,
                                           normalize_outbound_headers=validate,
                                           validate_inbound_headers=True)
        self.conn = h2.connection.H2Connection(config=config)
        self.conn.initiate_connection()
        if window is not None:
            self.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window})
        self.flush()
        self.events = []
        self.closed = False
        self.goaway = None  # the ConnectionTerminated event, once one came
        self.keep_events = True  # False: receive() only returns events (big bodies)

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def request(self, path, method="GET", authority="localhost", scheme="https", extra=(),
                end_stream=True):
        sid = self.conn.get_next_available_stream_id()
        headers = [(":method", method), (":path", path), (":scheme", scheme),
                   (":authority", authority)] + list(extra)
        self.conn.send_headers(sid, headers, end_stream=end_stream)
        self.flush()
        return sid

    def receive(self, timeout=5.0, ack=True):
        """Reads once (up to `timeout`); returns the new events. `ack`: give received DATA back to
        the stream and connection windows."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except (socket.timeout, ssl.SSLWantReadError):
            return []
        except (ConnectionResetError, BrokenPipeError, ssl.SSLError):
            data = b""
        if not data:
            self.closed = True
            return []
        events = self.conn.receive_data(data)
        for event in events:
            if isinstance(event, h2.events.DataReceived) and ack:
                self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            if isinstance(event, h2.events.ConnectionTerminated):
                self.goaway = event
        if self.keep_events:
            self.events += events
        self.flush()
        return events

    def response(self, sid, timeout=10.0):
        """(headers dict, body bytes, trailers dict, reset error code or None) of stream `sid`."""
        deadline = time.monotonic() + timeout
        headers, body, trailers, reset = {}, bytearray(), {}, None
        seen = 0
        while time.monotonic() < deadline:
            for event in self.events[seen:]:
                if getattr(event, "stream_id", None) != sid:
                    continue
                if isinstance(event, h2.events.ResponseReceived):
                    headers = dict(event.headers)
                elif isinstance(event, h2.events.DataReceived):
                    body += event.data
                elif isinstance(event, h2.events.TrailersReceived):
                    trailers = dict(event.headers)
                elif isinstance(event, h2.events.StreamReset):
                    return headers, bytes(body), trailers, event.error_code
                elif isinstance(event, h2.events.StreamEnded):
                    return headers, bytes(body), trailers, reset
            seen = len(self.events)
            if self.closed or (self.goaway and sid > self.goaway.last_stream_id):
                break
            self.receive(min(1.0, max(0.01, deadline - time.monotonic())))
        raise AssertionError(f"stream {sid}: no complete response (closed={self.closed}, "
                             f"goaway={self.goaway}, headers={headers}, {len(body)} bytes)")

    def wait_goaway(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.goaway and not self.closed:
            self.receive(0.5)
        return self.goaway

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
