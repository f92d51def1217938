"""Slowloris and slow POST against `min_rate`: 5 000 connections that drip a request head (and
some a body) far below the listener's minimum rate are shed within a few windows, while normal
requests keep being answered — their p99 latency stays within 10x the p99 measured before the
attack (the one timing assertion of this feature: a functional bound with a wide margin; the
baseline has a 2 ms floor so that a sub-millisecond loopback baseline does not make the bound
meaningless). Every loop is bounded in count and time.
ctest PROCESSORS 2"""
import json
import os
import resource
import selectors
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import Cleanup, Demo, Flotilla, gateway_config, metric  # noqa: E402

SLOW_CONNECTIONS = 5000
WINDOW_S = 2
BASELINE_FLOOR_S = 0.002


def p99(samples):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def timed_get(port):
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /api/hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    assert data.startswith(b"HTTP/1.1 200"), data[:80]
    return time.monotonic() - started


class Slowloris(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = min(hard, 20000)
        assert want >= SLOW_CONNECTIONS + 500, f"ulimit -n {hard}: too low for the test"
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.demo = cls.cleanup.add(Demo(threads=4))
            config = json.loads(gateway_config(
                {"app": {"servers": [cls.demo.address]}},
                [{"match": {"path": "/"}, "upstream": "app"}]))
            config["listen"][0]["min_rate"] = {"rate": 256, "window": f"{WINDOW_S}s"}
            config["listen"][0]["timeouts"] = {"client_header": "60s", "client_body": "60s"}
            cls.gw = cls.cleanup.add(Flotilla(json.dumps(config)))
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def test_slow_clients_are_shed_and_normal_traffic_goes_on(self):
        port = self.gw.port
        for _ in range(50):  # warm up
            timed_get(port)
        baseline = p99([timed_get(port) for _ in range(300)])

        # The attack: every connection sends a partial head, then a few bytes a second; one in
        # fifty sends a whole POST head and drips its body instead.
        sockets = []
        opened_by = time.monotonic() + 30
        while len(sockets) < SLOW_CONNECTIONS and time.monotonic() < opened_by:
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", port))
            sockets.append(sock)
        self.assertEqual(len(sockets), SLOW_CONNECTIONS)
        selector = selectors.DefaultSelector()
        started_writing = time.monotonic()
        for i, sock in enumerate(sockets):
            selector.register(sock, selectors.EVENT_READ, i)
        closed = set()
        stop = threading.Event()

        def drip():
            first = True
            deadline = time.monotonic() + 6 * WINDOW_S + 10
            while not stop.is_set() and time.monotonic() < deadline:
                for i, sock in enumerate(sockets):
                    if i in closed:
                        continue
                    if first:
                        data = (b"POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"
                                if i % 50 == 0 else b"GET /api/hello HTTP/1.1\r\nHost: x\r\n")
                    else:
                        data = b"x" if i % 50 == 0 else b"X-a: b\r\n"
                    try:
                        sock.send(data)
                    except (BlockingIOError, InterruptedError):
                        pass
                    except OSError:
                        closed.add(i)
                first = False
                stop.wait(1.0)

        dripper = threading.Thread(target=drip, daemon=True)
        dripper.start()
        try:
            # Normal traffic while the attack runs, until the slow connections are gone.
            during = []
            watch_until = time.monotonic() + 6 * WINDOW_S + 10
            while time.monotonic() < watch_until and len(closed) < SLOW_CONNECTIONS:
                during.append(timed_get(port))
                for key, _ in selector.select(timeout=0):
                    try:
                        gone = key.fileobj.recv(4096) == b""
                    except (ConnectionResetError, BrokenPipeError):
                        gone = True
                    except BlockingIOError:
                        gone = False
                    if gone:
                        closed.add(key.data)
                        selector.unregister(key.fileobj)
            shed_after = time.monotonic() - started_writing
        finally:
            stop.set()
            dripper.join(timeout=15)
            selector.close()
            for sock in sockets:
                sock.close()

        self.assertGreaterEqual(len(closed), SLOW_CONNECTIONS * 0.99,
                                f"only {len(closed)} of {SLOW_CONNECTIONS} slow connections shed")
        self.assertLess(shed_after, 6 * WINDOW_S + 10)
        self.assertGreaterEqual(len(during), 20)
        attack = p99(during)
        print(f"\nbaseline p99 {baseline * 1000:.2f} ms, under attack p99 {attack * 1000:.2f} ms "
              f"({len(during)} requests), {len(closed)} slow connections shed in "
              f"{shed_after:.1f} s", file=sys.stderr)
        self.assertLessEqual(attack, 10 * max(baseline, BASELINE_FLOOR_S))
        slow = metric(self.gw.metrics(), "flotilla_connections_refused_total", reason="too_slow")
        self.assertGreaterEqual(slow, SLOW_CONNECTIONS * 0.5)  # those cut while reading


if __name__ == "__main__":
    unittest.main(verbosity=2)
