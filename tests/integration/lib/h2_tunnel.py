"""One HTTP/2 stream opened by an RFC 8441 extended CONNECT (`:protocol websocket`), seen as a
socket (sendall / recv) so that websocket_frames.py runs over it unchanged: DATA frames both ways
within the flow-control windows, END_STREAM as the end of the byte stream. Every wait is bounded
in time."""
import time

import h2.events
import h2.settings


def wait_connect_protocol(client, timeout=5.0):
    """True once the server's SETTINGS said ENABLE_CONNECT_PROTOCOL=1 (RFC 8441 §3)."""
    deadline = time.monotonic() + timeout
    code = h2.settings.SettingCodes.ENABLE_CONNECT_PROTOCOL
    while time.monotonic() < deadline:
        if client.conn.remote_settings.get(code) == 1:
            return True
        client.receive(0.2)
    return False


class H2Tunnel:
    def __init__(self, client, path="/ws", authority="localhost", scheme="https", extra=(),
                 timeout=10.0, ack=True):
        self.client, self.timeout, self.ack = client, timeout, ack
        self.buffer = bytearray()
        self.ended = False
        self.reset = None
        self.headers = None
        self.unacked = 0
        self.pending = []  # events of other streams, for the test
        client.keep_events = False
        self.sid = client.conn.get_next_available_stream_id()
        # Tunnels on one connection: whichever reads hands each event to its stream's tunnel.
        if not hasattr(client, "tunnels"):
            client.tunnels = {}
        client.tunnels[self.sid] = self
        client.conn.send_headers(self.sid, [(":method", "CONNECT"), (":protocol", "websocket"),
                                            (":scheme", scheme), (":path", path),
                                            (":authority", authority),
                                            ("sec-websocket-version", "13")] + list(extra))
        client.flush()
        deadline = time.monotonic() + timeout
        while self.headers is None and not self.ended and time.monotonic() < deadline:
            self.pump(0.5)

    @property
    def status(self):
        return int(self.headers[":status"]) if self.headers else None

    def pump(self, timeout):
        """Reads once; each tunnel's events land in it, others in this one's `pending`."""
        for event in self.client.receive(timeout, ack=False):
            sid = getattr(event, "stream_id", None)
            tunnel = self.client.tunnels.get(sid)
            if tunnel is None:
                self.pending.append(event)
                if isinstance(event, h2.events.DataReceived):
                    self.client.conn.acknowledge_received_data(event.flow_controlled_length, sid)
                continue
            tunnel.take(event)
        self.client.flush()
        if self.client.closed:
            self.ended = True

    def take(self, event):
        """One event of this tunnel's stream."""
        if isinstance(event, h2.events.ResponseReceived):
            self.headers = dict(event.headers)
        elif isinstance(event, h2.events.DataReceived):
            self.buffer += event.data
            if self.ack:
                self.client.conn.acknowledge_received_data(event.flow_controlled_length, self.sid)
            else:
                self.unacked += event.flow_controlled_length
        elif isinstance(event, h2.events.StreamEnded):
            self.ended = True
        elif isinstance(event, h2.events.StreamReset):
            self.ended, self.reset = True, event.error_code

    def sendall(self, data):
        view = memoryview(data)
        deadline = time.monotonic() + self.timeout
        conn = self.client.conn
        while view:
            assert time.monotonic() < deadline, "the stream's send window stayed closed"
            room = min(conn.local_flow_control_window(self.sid), conn.max_outbound_frame_size)
            if room <= 0:
                self.pump(0.2)
                continue
            n = min(room, len(view))
            conn.send_data(self.sid, bytes(view[:n]))
            self.client.flush()
            view = view[n:]

    def recv(self, size):
        deadline = time.monotonic() + self.timeout
        while not self.buffer and not self.ended and time.monotonic() < deadline:
            self.pump(0.5)
        out = bytes(self.buffer[:size])
        del self.buffer[:size]
        return out

    def end(self):
        """Our END_STREAM (the half-close)."""
        self.client.conn.end_stream(self.sid)
        self.client.flush()

    def release(self):
        """Gives every byte received so far back to the stream's window (a slow reader that
        caught up)."""
        self.ack = True
        if self.unacked:
            self.client.conn.acknowledge_received_data(self.unacked, self.sid)
            self.unacked = 0
            self.client.flush()
