"""Failover and retries over HTTP/2, the scenarios of gateway/failover_test.py (HTTP/1) with the
client on h2c: h2load's multiplexed load through flotilla while one of two backends is killed
with SIGKILL loses no request (in-flight ones are retried on the other endpoint); a refused
endpoint is retried elsewhere; a 503 is retried when retry.on says so; a POST is not replayed
once its bytes went out (unless non_idempotent allows a small one); a stale pooled upstream
connection is retried on a fresh one. The upstream side is the same: HTTP/1.1 pools."""
import json
import os
import re
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from backends import CLOSE, RESET, Backend, BackendProcess, reply  # noqa: E402
from h2_client import H2Client  # noqa: E402
from harness import Cleanup, Demo, Flotilla, free_port, gateway_config, request  # noqa: E402


def h2load_counts(out):
    """([total, started, done, succeeded, failed, errored], [2xx, 3xx, 4xx, 5xx]) of h2load's
    report."""
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
                  r"(\d+) failed, (\d+) errored", out)
    assert m, out
    codes = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
    return [int(x) for x in m.groups()], [int(x) for x in codes.groups()]


def h2load(url, *args, timeout=120):
    done = subprocess.run(["h2load", *args, url], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    counts, codes = h2load_counts(done.stdout + done.stderr)
    return counts, codes, done.stdout


def exchange(client, method, path, authority="localhost", body=None):
    """One request on an h2c connection: (status, body bytes)."""
    sid = client.request(path, method=method, authority=authority, scheme="http",
                         end_stream=body is None,
                         extra=[("content-length", str(len(body)))] if body is not None else [])
    if body is not None:
        client.conn.send_data(sid, body, end_stream=True)
        client.flush()
    headers, data, _, reset = client.response(sid)
    assert reset is None, f"{method} {path}: reset {reset}"
    return int(headers[":status"]), data


class Failover(unittest.TestCase):
    def test_kill_9_under_h2_load_loses_nothing(self):
        with Cleanup() as c:
            a = c.add(Demo(env={"FLOTILLA_INSTANCE": "a"}))
            b = c.add(BackendProcess("b"))  # answers in one write (see gateway/failover_test)
            gw = c.add(Flotilla(gateway_config(
                {"app": {"servers": [a.address, b.address]}},
                [{"match": {"path": "/"}, "upstream": "app"}], listener={"http2": True})))
            load = subprocess.Popen(
                ["h2load", "-D", "4", "-c", "10", "-m", "10",
                 f"http://127.0.0.1:{gw.port}/api/hello"],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                stdin=subprocess.DEVNULL)
            try:
                time.sleep(1.5)
                b.process.send_signal(signal.SIGKILL)
                out, _ = load.communicate(timeout=60)
            finally:
                if load.poll() is None:
                    load.kill()
                    load.wait()
            counts, codes = h2load_counts(out)
            total, started, done, succeeded, failed, errored = counts
            print(f"\n  h2load: {done} done, {succeeded} succeeded, {failed} failed",
                  file=sys.stderr)
            self.assertGreater(succeeded, 1000, out)
            self.assertEqual(failed, 0, out)
            self.assertEqual(errored, 0, out)
            self.assertEqual(codes[0], succeeded, out)
            self.assertEqual(codes[3], 0, out)

    def test_refused_endpoint_is_retried_elsewhere(self):
        with Cleanup() as c:
            a = c.add(Demo())
            gw = c.add(Flotilla(gateway_config(
                {"app": {"servers": [a.address, f"127.0.0.1:{free_port()}"]}},
                [{"match": {"path": "/"}, "upstream": "app"}], listener={"http2": True})))
            counts, codes, out = h2load(f"http://127.0.0.1:{gw.port}/api/hello",
                                        "-n", "400", "-c", "2", "-m", "20")
            self.assertEqual(counts[3], 400, out)
            self.assertEqual(codes[0], 400, out)


    def test_503_is_retried_on_another_endpoint_when_configured(self):
        with Cleanup() as c:
            a = c.add(Demo(env={"FLOTILLA_INSTANCE": "a"}))
            b = c.add(Demo(env={"FLOTILLA_INSTANCE": "b"}))
            status, _, _ = request(a.port, "POST", "/admin/fail?status=503&rate=1")
            self.assertEqual(status, 200)
            gw = c.add(Flotilla(gateway_config(
                {"app": {"servers": [a.address, b.address], "max_fails": 0}},
                [{"match": {"host": "retry.test", "path": "/"}, "upstream": "app",
                  "retry": {"on": ["error", "http_503"]}},
                 {"match": {"path": "/"}, "upstream": "app"}], listener={"http2": True})))
            client = H2Client(gw.port)
            try:
                seen = {}
                for _ in range(40):
                    status, body = exchange(client, "GET", "/api/hello", authority="retry.test")
                    key = (status, json.loads(body).get("instance") if status == 200 else None)
                    seen[key] = seen.get(key, 0) + 1
                self.assertEqual(seen, {(200, "b"): 40})
                statuses = {}
                for _ in range(40):  # without http_503 in retry.on: a's 503s come through
                    status, _ = exchange(client, "GET", "/api/hello")
                    statuses[status] = statuses.get(status, 0) + 1
                self.assertGreaterEqual(statuses.get(503, 0), 10, statuses)
                self.assertGreaterEqual(statuses.get(200, 0), 10, statuses)
            finally:
                client.close()

    def test_post_is_not_replayed_after_bytes_were_sent(self):
        for behaviour in (CLOSE, RESET):
            with self.subTest(behaviour=behaviour), Cleanup() as c:
                primary = c.add(Backend("primary", respond=lambda r, b, how=behaviour: how))
                backup = c.add(Backend("backup"))
                gw = c.add(Flotilla(gateway_config(
                    {"app": {"servers": [primary.address,
                                         {"address": backup.address, "backup": True}],
                             "max_fails": 0}},
                    [{"match": {"host": "replay.test", "path": "/"}, "upstream": "app",
                      "retry": {"non_idempotent": True}},
                     {"match": {"path": "/"}, "upstream": "app"}], listener={"http2": True})))
                client = H2Client(gw.port)
                try:
                    status, body = exchange(client, "POST", "/orders", body=b"buy 1 ship")
                    self.assertEqual(status, 502, body)
                    self.assertEqual([r.body for r in primary.requests], [b"buy 1 ship"])
                    self.assertEqual(backup.requests, [], "the POST was replayed")
                    # non_idempotent: true replays a small POST on the backup.
                    status, body = exchange(client, "POST", "/orders", authority="replay.test",
                                            body=b"buy 2 ships")
                    self.assertEqual((status, json.loads(body)["instance"]), (200, "backup"))
                    self.assertEqual([(r.method, r.body) for r in backup.requests],
                                     [("POST", b"buy 2 ships")])
                    # A GET, being idempotent, is always replayed.
                    status, body = exchange(client, "GET", "/items")
                    self.assertEqual((status, json.loads(body)["instance"]), (200, "backup"))
                finally:
                    client.close()

    def test_stale_pooled_connection_is_retried_on_a_fresh_one(self):
        with Cleanup() as c:
            backend = c.add(Backend("only", respond=lambda r, b: CLOSE if r.seq > 0 else
                                    reply(200, b"fine")))
            gw = c.add(Flotilla(gateway_config(
                {"app": {"servers": [backend.address]}},
                [{"match": {"path": "/"}, "upstream": "app"}], listener={"http2": True})))
            client = H2Client(gw.port)
            try:
                for i in range(30):
                    method = ("GET", "PUT", "DELETE")[i % 3]
                    got = exchange(client, method, "/thing", body=b"v" if method == "PUT" else None)
                    self.assertEqual((method, *got), (method, 200, b"fine"))
                stale = sum(1 for r in backend.requests if r.seq > 0)
                self.assertGreaterEqual(stale, 25, "the pool was not exercised")
                backend.clear()
                status, _ = exchange(client, "POST", "/orders", body=b"one")
                self.assertEqual(status, 502)  # a POST is not replayed after a stale connection
                self.assertEqual([r.body for r in backend.requests], [b"one"])
            finally:
                client.close()


if __name__ == "__main__":
    unittest.main()
