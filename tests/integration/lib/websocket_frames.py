"""WebSocket frames (RFC 6455) for the integration tests: client frames (always masked), server
frames read from a rawhttp.Reader (never masked), the upgrade handshake and the echo/close
exchange both the plain and the TLS tests run, over any socket."""
import base64
import hashlib
import os
import struct

WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA


def frame(opcode, payload, fin=True):
    """A client frame: always masked (RFC 6455 §5.3)."""
    mask = os.urandom(4)
    size = len(payload)
    head = bytes([(0x80 if fin else 0) | opcode])
    if size < 126:
        head += bytes([0x80 | size])
    elif size < 1 << 16:
        head += bytes([0x80 | 126]) + struct.pack("!H", size)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", size)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + mask + masked


def read_frame(reader):
    """(fin, opcode, payload) of the next server frame, which must not be masked."""
    start = reader.read_exact(2)
    assert start is not None, "the connection closed instead of sending a frame"
    b0, b1 = start
    assert b1 & 0x80 == 0, "server frames are never masked"
    size = b1 & 0x7F
    if size == 126:
        size = struct.unpack("!H", reader.read_exact(2))[0]
    elif size == 127:
        size = struct.unpack("!Q", reader.read_exact(8))[0]
    return bool(b0 & 0x80), b0 & 0x0F, reader.read_exact(size)


def upgrade(test, sock, host, extra=b""):
    """Sends a WebSocket upgrade request for /ws on `sock` (plus `extra` bytes pipelined after
    it), checks the 101: Upgrade, exactly one `Connection: upgrade`, the accept key. Returns the
    rawhttp.Reader positioned at the first server frame."""
    from rawhttp import Reader, read_response  # the lib folder is on sys.path already
    key = base64.b64encode(os.urandom(16))
    sock.sendall(b"GET /ws HTTP/1.1\r\nHost: " + host + b"\r\nConnection: Upgrade\r\n"
                 b"Upgrade: websocket\r\nSec-WebSocket-Key: " + key
                 + b"\r\nSec-WebSocket-Version: 13\r\n\r\n" + extra)
    reader = Reader(sock)
    response = read_response(reader)
    test.assertEqual(response.status, 101, response.raw_head)
    test.assertEqual(response.header("upgrade").lower(), "websocket")
    # Exactly one Connection line, `upgrade`: a `close` beside it contradicts the tunnel.
    connection = [v for k, v in response.headers if k.lower() == "connection"]
    test.assertEqual([v.lower() for v in connection], ["upgrade"], response.raw_head)
    accept = base64.b64encode(hashlib.sha1(key + WS_GUID).digest()).decode()
    test.assertEqual(response.header("sec-websocket-accept"), accept)
    return reader


def echo_ping_and_close(test, sock, reader, text, big_size):
    """Through an upgraded tunnel to the demo's echo endpoint: a text frame, a `big_size` binary
    frame (64-bit length, many segments or TLS records each way), ping/pong, three frames in one
    write, then the close handshake — the code comes back and the connection ends."""
    sock.sendall(frame(TEXT, text))
    test.assertEqual(read_frame(reader), (True, TEXT, text))
    big = os.urandom(big_size)
    sock.sendall(frame(BINARY, big))
    test.assertEqual(read_frame(reader), (True, BINARY, big))
    sock.sendall(frame(PING, b"are you there"))
    test.assertEqual(read_frame(reader), (True, PONG, b"are you there"))
    sock.sendall(frame(TEXT, b"one") + frame(TEXT, b"two") + frame(TEXT, b"three"))
    test.assertEqual([read_frame(reader)[2] for _ in range(3)], [b"one", b"two", b"three"])
    sock.sendall(frame(CLOSE, struct.pack("!H", 1000) + b"bye"))
    _, opcode, payload = read_frame(reader)
    test.assertEqual((opcode, payload[:2]), (CLOSE, struct.pack("!H", 1000)))
    # The backend closes after the handshake; flotilla passes the close on.
    test.assertEqual(reader.read_to_eof(), b"")
