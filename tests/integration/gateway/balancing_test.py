"""Every balancing policy distributes as specified through the proxy (statistical checks with
tolerances), over 3 demo backends told apart by the `instance` in /api/hello; backup servers take
over when the primary dies and give traffic back once it serves again after fail_timeout."""
import http.client
import json
import os
import sys
import threading
import time
import unittest
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from backends import Backend  # noqa: E402
from harness import Cleanup, Demo, Flotilla, gateway_config, request  # noqa: E402

NAMES = ("a", "b", "c")


def hello(conn, headers=None):
    conn.request("GET", "/api/hello", headers=headers or {})
    resp = conn.getresponse()
    body = resp.read()
    if resp.status != 200:
        raise AssertionError(f"status {resp.status}: {body[:200]!r}")
    return json.loads(body)["instance"]


def sequential(port, count, connections=4, headers_for=lambda i: {}):
    """`count` requests spread over `connections` keep-alive connections (which flotilla's
    workers share between them); returns the Counter of instances."""
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=5) for _ in range(connections)]
    seen = Counter()
    try:
        for i in range(count):
            seen[hello(conns[i % connections], headers_for(i))] += 1
    finally:
        for conn in conns:
            conn.close()
    return seen


class Balancing(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.demos = {n: cls.cleanup.add(Demo(env={"FLOTILLA_INSTANCE": n})) for n in NAMES}
            servers = [cls.demos[n].address for n in NAMES]
            weighted = [{"address": cls.demos["a"].address, "weight": 3},
                        cls.demos["b"].address, cls.demos["c"].address]
            upstreams = {
                "rr": {"servers": weighted},
                "lc": {"servers": servers, "balance": "least_conn"},
                "r2": {"servers": servers, "balance": "random_two"},
                "hh": {"servers": servers, "balance": "hash", "hash": {"on": "header", "name": "X-User"}},
                "hc": {"servers": servers, "balance": "hash", "hash": {"on": "cookie", "name": "session"}},
                "ip": {"servers": servers, "balance": "ip_hash"},
            }
            routes = [{"match": {"host": f"{name}.test", "path": "/"}, "upstream": name}
                      for name in upstreams]
            cls.gw = cls.cleanup.add(Flotilla(gateway_config(upstreams, routes)))
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def report(self, what, seen):
        total = sum(seen.values())
        shares = ", ".join(f"{n} {100 * seen[n] / total:.1f}%" for n in NAMES)
        print(f"\n  {what}: {shares} of {total}", file=sys.stderr)

    def test_round_robin_weights_3_1_1(self):
        seen = sequential(self.gw.port, 500, headers_for=lambda i: {"Host": "rr.test"})
        self.report("round_robin 3:1:1", seen)
        for name, share in (("a", 0.6), ("b", 0.2), ("c", 0.2)):
            self.assertAlmostEqual(seen[name] / 500, share, delta=0.05, msg=seen)

    def test_least_conn_avoids_the_slow_backend(self):
        slow = self.demos["a"]
        self.assertEqual(request(slow.port, "POST", "/admin/slow?ms=200")[0], 200)
        try:
            seen, errors = Counter(), []
            lock = threading.Lock()
            deadline = time.monotonic() + 2.5

            def client():
                conn = http.client.HTTPConnection("127.0.0.1", self.gw.port, timeout=5)
                try:
                    for _ in range(2000):
                        if time.monotonic() > deadline:
                            break
                        name = hello(conn, {"Host": "lc.test"})
                        with lock:
                            seen[name] += 1
                except Exception as e:  # reported below
                    errors.append(e)
                finally:
                    conn.close()

            threads = [threading.Thread(target=client, daemon=True) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=15)
        finally:
            request(slow.port, "POST", "/admin/slow?ms=0")
        self.report("least_conn, a slowed to 200 ms", seen)
        self.assertEqual(errors, [])
        fast = min(seen["b"], seen["c"])
        self.assertGreater(fast, 100, seen)
        # Each slow request holds a connection 200 ms; round robin would give a a third.
        self.assertLess(seen["a"] * 10, fast, seen)

    def test_random_two_uses_all_roughly_evenly(self):
        seen = sequential(self.gw.port, 600, headers_for=lambda i: {"Host": "r2.test"})
        self.report("random_two", seen)
        for name in NAMES:
            self.assertAlmostEqual(seen[name] / 600, 1 / 3, delta=0.1, msg=seen)

    def check_hash(self, host, header_for_key):
        """Same key → same backend, over different connections (thus workers); 40 keys spread
        over all three backends."""
        owner = {}
        for key in range(40):
            seen = sequential(self.gw.port, 6, connections=3,
                              headers_for=lambda i: {"Host": host, **header_for_key(f"user-{key}")})
            self.assertEqual(len(seen), 1, f"key {key} went to {seen}")
            owner[key] = next(iter(seen))
        spread = Counter(owner.values())
        self.report(f"{host} 40 keys", spread)
        self.assertEqual(set(spread), set(NAMES), spread)
        for name in NAMES:
            self.assertGreaterEqual(spread[name], 4, spread)

    def test_hash_on_header(self):
        self.check_hash("hh.test", lambda key: {"X-User": key})

    def test_hash_on_cookie(self):
        self.check_hash("hc.test", lambda key: {"Cookie": f"theme=dark; session={key}; lang=en"})

    def test_ip_hash_sends_one_client_to_one_backend(self):
        seen = sequential(self.gw.port, 60, connections=6, headers_for=lambda i: {"Host": "ip.test"})
        self.assertEqual(len(seen), 1, seen)
        self.assertEqual(sum(seen.values()), 60)


class Backup(unittest.TestCase):
    def test_backup_takes_over_and_gives_back(self):
        with Cleanup() as c:
            # The primary is a scripted server that can stop and resume listening on its port.
            primary = c.add(Backend("primary"))
            backup = c.add(Demo(env={"FLOTILLA_INSTANCE": "backup"}))
            gw = c.add(Flotilla(gateway_config(
                {"app": {"servers": [primary.address, {"address": backup.address, "backup": True}],
                         "max_fails": 1, "fail_timeout": "1s"}},
                [{"match": {"path": "/"}, "upstream": "app"}])))

            def run(seconds, on_each=None):
                seen, failures = Counter(), []
                conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=5)
                end = time.monotonic() + seconds
                timeline = []
                for _ in range(5000):
                    if time.monotonic() > end:
                        break
                    try:
                        name = hello(conn)
                        seen[name] += 1
                        timeline.append((time.monotonic(), name))
                    except Exception as e:
                        failures.append(repr(e))
                        conn.close()
                    time.sleep(0.005)
                conn.close()
                return seen, failures, timeline

            seen, failures, _ = run(0.5)
            self.assertEqual(failures, [])
            self.assertEqual(set(seen), {"primary"}, seen)

            primary.crash()  # listener closed, connections reset: like kill -9
            crashed_at = time.monotonic()
            seen, failures, _ = run(1.5)
            self.assertEqual(failures, [], "requests failed during the takeover")
            self.assertEqual(set(seen), {"backup"}, seen)

            primary.listen()  # the same port again
            back_at = time.monotonic()
            seen, failures, timeline = run(3.0)
            self.assertEqual(failures, [])
            first_primary = next((t for t, n in timeline if n == "primary"), None)
            self.assertIsNotNone(first_primary, f"the primary never got traffic back: {seen}")
            # fail_timeout is 1 s: the primary is tried again within about that after it failed.
            self.assertLess(first_primary - back_at, 2.0, f"crashed at {crashed_at}")
            last_backup = max((t for t, n in timeline if n == "backup"), default=back_at)
            self.assertLess(last_backup, first_primary + 0.5, "traffic not given back")
            self.assertGreater(seen["primary"], seen["backup"], seen)


if __name__ == "__main__":
    unittest.main(verbosity=2)
