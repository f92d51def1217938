"""flotilla under systemd's notify protocol, with a fake NOTIFY_SOCKET: a unix datagram socket
this test binds. `flotilla up` started with NOTIFY_SOCKET and WATCHDOG_USEC (as systemd starts a
Type=notify unit with WatchdogSec=) must send READY=1 once it listens, WATCHDOG=1 about every
half of WATCHDOG_USEC, RELOADING=1 then READY=1 around a SIGHUP reload, and STOPPING=1 when
told to stop. Without NOTIFY_SOCKET nothing is sent (the other tests run that way).
"""
import json
import os
import signal
import socket
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import supervision  # noqa: E402

WATCHDOG_USEC = 400_000  # pings every 200 ms


class NotifySocket:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="flotilla-notify-")
        self.path = os.path.join(self.dir, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.messages = []  # (monotonic time, {key: value})

    def receive(self, until, timeout):
        """Collects datagrams until one has `until` (KEY=VALUE) or `timeout` s pass."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                break
            fields = dict(line.split("=", 1) for line in data.decode().splitlines() if "=" in line)
            self.messages.append((time.monotonic(), fields))
            key, value = until.split("=", 1)
            if fields.get(key) == value:
                return fields
        raise AssertionError(f"no {until} within {timeout}s; got {self.messages}")

    def close(self):
        self.sock.close()


class NotifyTest(unittest.TestCase):
    def test_ready_watchdog_reload_stopping(self):
        notify = NotifySocket()
        up = supervision.Up(json.dumps({"listen": [{"address": "127.0.0.1:0"}]}),
                            env={"NOTIFY_SOCKET": notify.path,
                                 "WATCHDOG_USEC": str(WATCHDOG_USEC)})
        try:
            ready = notify.receive("READY=1", 15)
            self.assertIn("listening", ready.get("STATUS", ""))
            up.wait_listening(5)  # READY came once it listens
            count_before = len(notify.messages)
            try:
                notify.receive("WATCHDOG=never", 2.0)  # collects everything for 2 s
            except AssertionError:
                pass
            pings = [t for t, f in notify.messages[count_before:] if f.get("WATCHDOG") == "1"]
            self.assertGreaterEqual(len(pings), 5, notify.messages)  # 2 s / 200 ms = 10
            gaps = sorted(b - a for a, b in zip(pings, pings[1:]))
            self.assertLess(gaps[len(gaps) // 2], 0.3, gaps)  # about every 200 ms
            self.assertTrue(up.lines_matching(r"systemd watchdog: pinging every 200 ms"),
                            up.log())

            os.kill(up.pid, signal.SIGHUP)
            notify.receive("RELOADING=1", 10)
            notify.receive("READY=1", 10)

            os.kill(up.pid, signal.SIGTERM)
            notify.receive("STOPPING=1", 10)
            self.assertEqual(up.process.proc.wait(timeout=20), 0, up.log())
        finally:
            up.stop()
            notify.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
