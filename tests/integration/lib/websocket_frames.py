"""WebSocket frames (RFC 6455) for the integration tests: client frames (always masked) and
server frames read from a rawhttp.Reader (never masked), over any socket, plain or TLS."""
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
