"""Failover: a backend killed under load costs clients nothing, a 503 is retried on another
endpoint when the route says so, a POST is never replayed once its bytes went upstream (unless
`non_idempotent: true`), and a GET to a refused endpoint is always retried elsewhere."""
import http.client
import json
import os
import signal
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from backends import CLOSE, RESET, Backend, BackendProcess, reply  # noqa: E402
from harness import (Cleanup, Demo, Flotilla, free_port, gateway_config,  # noqa: E402
                     hello_instance, request)


class LoadResult:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = {}
        self.errors = []
        self.instances = {}
        self.after_kill = {}

    def add(self, status, instance, killed):
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.instances[instance] = self.instances.get(instance, 0) + 1
            if killed:
                self.after_kill[instance] = self.after_kill.get(instance, 0) + 1

    @property
    def total(self):
        return sum(self.statuses.values())


def keep_alive_load(port, clients, stop, killed, result, max_requests=5000):
    """`clients` threads, each one keep-alive connection doing GET /api/hello until `stop`."""

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        for _ in range(max_requests):
            if stop.is_set():
                break
            was_killed = killed.is_set()
            try:
                status, instance = hello_instance(conn)
                result.add(status, instance, was_killed)
            except (OSError, http.client.HTTPException) as e:
                with result.lock:
                    result.errors.append(repr(e))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    return threads


class Failover(unittest.TestCase):
    def test_kill_9_under_keep_alive_load_loses_nothing(self):
        with Cleanup() as c:
            a = c.add(Demo(env={"FLOTILLA_INSTANCE": "a"}))
            # The victim answers in one write: the demo app writes a reply's head and body in
            # two, and a kill between them truncates a response whose head was already
            # forwarded, which no proxy can take back (nginx and HAProxy alike).
            b = c.add(BackendProcess("b"))
            gw = c.add(Flotilla(gateway_config(
                {"app": {"servers": [a.address, b.address]}},
                [{"match": {"path": "/"}, "upstream": "app"}])))
            stop, killed, result = threading.Event(), threading.Event(), LoadResult()
            threads = keep_alive_load(gw.port, 20, stop, killed, result)
            time.sleep(1.5)
            killed.set()
            b.process.send_signal(signal.SIGKILL)
            time.sleep(2.0)
            stop.set()
            for t in threads:
                t.join(timeout=15)
            self.assertFalse(any(t.is_alive() for t in threads), "load threads hung")

            print(f"\n  {result.total} requests: {result.statuses}, by instance {result.instances},"
                  f" after the kill {result.after_kill}", file=sys.stderr)
            self.assertEqual(result.errors, [], "socket errors")
            self.assertEqual(set(result.statuses), {200}, result.statuses)
            self.assertGreater(result.instances.get("b", 0), 50, "b never carried load")
            self.assertGreater(result.after_kill.get("a", 0), 200, "too little load after the kill")
            # What was in flight on b when it died went to a; nothing new reached b afterwards.
            self.assertLessEqual(result.after_kill.get("b", 0), 20 * 2)

    def test_503_is_retried_on_another_endpoint_when_configured(self):
        with Cleanup() as c:
            a = c.add(Demo(env={"FLOTILLA_INSTANCE": "a"}))
            b = c.add(Demo(env={"FLOTILLA_INSTANCE": "b"}))
            status, _, _ = request(a.port, "POST", "/admin/fail?status=503&rate=1")
            self.assertEqual(status, 200)
            gw = c.add(Flotilla(gateway_config(
                # max_fails 0: a is never marked down, so it keeps being picked every other time.
                {"app": {"servers": [a.address, b.address], "max_fails": 0}},
                [{"match": {"host": "retry.test", "path": "/"}, "upstream": "app",
                  "retry": {"on": ["error", "http_503"]}},
                 {"match": {"path": "/"}, "upstream": "app"}])))
            conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=5)
            seen = {}
            for _ in range(40):
                conn.request("GET", "/api/hello", headers={"Host": "retry.test"})
                resp = conn.getresponse()
                body = resp.read()
                key = (resp.status, json.loads(body).get("instance") if resp.status == 200 else None)
                seen[key] = seen.get(key, 0) + 1
            self.assertEqual(seen, {(200, "b"): 40})
            # The same upstream without http_503 in retry.on forwards a's 503s: a really fails.
            statuses = {}
            for _ in range(40):
                conn.request("GET", "/api/hello")
                resp = conn.getresponse()
                resp.read()
                statuses[resp.status] = statuses.get(resp.status, 0) + 1
            conn.close()
            self.assertGreaterEqual(statuses.get(503, 0), 10, statuses)
            self.assertGreaterEqual(statuses.get(200, 0), 10, statuses)

    def test_retry_after_a_broken_body_resends_the_request_head(self):
        # `broken` answers a head whose chunked body is invalid from its first byte (one write,
        # so both arrive together): nothing reached the client, the attempt fails as
        # invalid_header and is retried. The retry must send the request, not the head the
        # relay had prepared for the dropped response.
        broken_answer = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Broken: 1\r\n\r\n"
                         b"ZZ\r\n")
        with Cleanup() as c:
            broken = c.add(Backend("broken", respond=lambda request, backend: broken_answer))
            good = c.add(Backend("good"))
            gw = c.add(Flotilla(gateway_config(
                {"app": {"servers": [broken.address, good.address], "max_fails": 0}},
                [{"match": {"path": "/"}, "upstream": "app",
                  "retry": {"on": ["error", "invalid_header"], "tries": 2}}])))
            for _ in range(4):  # round robin: some requests go to `broken` first
                status, _, body = request(gw.port, path="/retried")
                self.assertEqual((status, json.loads(body)["instance"]), (200, "good"), body)
            self.assertGreater(len(broken.requests), 0)
            for seen in good.requests:
                self.assertEqual(seen.start_line, b"GET /retried HTTP/1.1", seen.raw_head)

    def test_a_head_whose_small_body_never_comes_is_retried_elsewhere(self):
        # `dying` sends a head announcing 20 bytes and closes before the body, as an upstream
        # SIGKILLed between its two writes does. The head must not reach the client before its
        # body: the GET is retried on `good`, not answered with a truncated 200.
        head_only = b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\nX-From: dying\r\n\r\n"
        with Cleanup() as c:
            dying = c.add(Backend("dying", respond=lambda request, backend: (head_only, CLOSE)))
            good = c.add(Backend("good"))
            gw = c.add(Flotilla(gateway_config(
                {"app": {"servers": [dying.address, good.address], "max_fails": 0}},
                [{"match": {"path": "/"}, "upstream": "app"}])))
            for _ in range(6):  # round robin: half of them go to `dying` first
                status, headers, body = request(gw.port, path="/page")
                self.assertEqual((status, json.loads(body)["instance"]), (200, "good"), body)
                self.assertNotIn("dying", str(headers))
            self.assertGreaterEqual(len(dying.requests), 2)

    def test_post_is_not_replayed_after_bytes_were_sent(self):
        for behaviour in (CLOSE, RESET):
            with self.subTest(behaviour=behaviour), Cleanup() as c:
                # The primary reads the whole request, then drops it without a word.
                primary = c.add(Backend("primary", respond=lambda r, b, how=behaviour: how))
                backup = c.add(Backend("backup"))
                gw = c.add(Flotilla(gateway_config(
                    {"app": {"servers": [primary.address,
                                         {"address": backup.address, "backup": True}],
                             "max_fails": 0}},
                    [{"match": {"host": "replay.test", "path": "/"}, "upstream": "app",
                      "retry": {"non_idempotent": True}},
                     {"match": {"path": "/"}, "upstream": "app"}])))

                status, _, body = request(gw.port, "POST", "/orders", body=b"buy 1 ship")
                self.assertEqual(status, 502, body)
                self.assertEqual(len(primary.requests), 1)
                self.assertEqual(primary.requests[0].body, b"buy 1 ship")
                self.assertEqual(backup.requests, [], "the POST was replayed")
                self.assertEqual(bytes(backup.received), b"")

                # A large body streams past the client buffer: never replayable, even when allowed.
                big = os.urandom(512 * 1024)
                status, _, _ = request(gw.port, "POST", "/upload", body=big,
                                       headers={"Host": "replay.test"})
                self.assertEqual(status, 502)
                self.assertEqual(primary.requests[-1].body, big)
                self.assertEqual(backup.requests, [])

                # non_idempotent: true replays a small POST on the backup.
                status, _, body = request(gw.port, "POST", "/orders", body=b"buy 2 ships",
                                          headers={"Host": "replay.test"})
                self.assertEqual(status, 200, body)
                self.assertEqual(json.loads(body)["instance"], "backup")
                self.assertEqual([(r.method, r.body) for r in backup.requests],
                                 [("POST", b"buy 2 ships")])
                self.assertEqual(primary.requests[-1].body, b"buy 2 ships")

                # A GET, being idempotent, is always replayed.
                status, _, body = request(gw.port, "GET", "/items")
                self.assertEqual((status, json.loads(body)["instance"]), (200, "backup"))

    def test_refused_endpoint_is_always_retried(self):
        with Cleanup() as c:
            a = c.add(Demo(env={"FLOTILLA_INSTANCE": "a"}))
            dead = f"127.0.0.1:{free_port()}"
            gw = c.add(Flotilla(gateway_config(
                {"app": {"servers": [dead, a.address], "max_fails": 0}},
                # Neither `error` in retry.on nor a second try: a refused connection is still
                # retried (the endpoint, not the request, failed).
                [{"match": {"host": "strict.test", "path": "/"}, "upstream": "app",
                  "retry": {"on": ["http_503"], "tries": 1}},
                 {"match": {"path": "/"}, "upstream": "app"}])))
            conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=5)
            results = {}
            for i in range(60):
                method = ("GET", "HEAD", "PUT")[i % 3]
                body = b"x" * 10 if method == "PUT" else None
                conn.request(method, "/api/echo" if method == "PUT" else "/api/hello", body=body,
                             headers={"Host": "strict.test"})
                resp = conn.getresponse()
                resp.read()
                results[(method, resp.status)] = results.get((method, resp.status), 0) + 1
            self.assertEqual(results, {("GET", 200): 20, ("HEAD", 200): 20, ("PUT", 200): 20})
            # A POST whose connection was refused sent nothing: the default policy retries it.
            for _ in range(10):
                conn.request("POST", "/api/echo", body=b"payload")
                resp = conn.getresponse()
                self.assertEqual((resp.status, resp.read()), (200, b"payload"))
            conn.close()

    def test_stale_pooled_connection_is_retried_on_a_fresh_one(self):
        with Cleanup() as c:
            # Every connection serves one request, then reads the next and closes without an
            # answer: the race of an upstream closing an idle keep-alive connection, every time.
            backend = c.add(Backend("only", respond=lambda r, b: CLOSE if r.seq > 0 else
                                    reply(200, b"fine")))
            gw = c.add(Flotilla(gateway_config(
                {"app": {"servers": [backend.address]}},
                [{"match": {"path": "/"}, "upstream": "app"}])))
            conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=5)
            for i in range(30):
                method = ("GET", "PUT", "DELETE")[i % 3]
                conn.request(method, "/thing", body=b"v" if method == "PUT" else None)
                resp = conn.getresponse()
                self.assertEqual((method, resp.status, resp.read()), (method, 200, b"fine"))
            stale = sum(1 for r in backend.requests if r.seq > 0)
            self.assertGreaterEqual(stale, 25, "the pool was not exercised")
            # A POST is not replayed, not even after a stale connection (nginx alike).
            backend.clear()
            conn.request("POST", "/orders", body=b"one")
            resp = conn.getresponse()
            resp.read()
            conn.close()
            self.assertEqual(resp.status, 502)
            self.assertEqual([r.body for r in backend.requests], [b"one"])

    def test_lone_server_stays_available_after_a_failure(self):
        with Cleanup() as c:
            # The first answer is garbage (502), every later one is fine.
            backend = c.add(Backend("only", respond=lambda r, b: (b"NOT HTTP\r\n\r\n", CLOSE)
                                    if len(b.requests) == 1 else reply(200, b"fine")))
            gw = c.add(Flotilla(gateway_config(
                {"app": {"servers": [backend.address], "max_fails": 1, "fail_timeout": "30s"}},
                [{"match": {"path": "/"}, "upstream": "app"}])))
            self.assertEqual(request(gw.port, path="/a")[0], 502)
            # As nginx: a single server is never considered unavailable (no 503 here).
            self.assertEqual(request(gw.port, path="/b")[:3:2], (200, b"fine"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
