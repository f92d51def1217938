"""Scale 3 -> 6 -> 2 and the drain of one instance with long requests in flight, under a steady
mixed load (GET /api/hello + POST /api/echo), in one `flotilla up`: 0 failed requests, the new
instances serve (their pids answer /api/hello), the removed ones stop serving; a drained
instance finishes what it holds and gets no new request. `scale --json` parses."""
import http.client
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import operations  # noqa: E402
import supervision  # noqa: E402


class ScaleDrainTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ops = operations.Ops()

    @classmethod
    def tearDownClass(cls):
        cls.ops.stop()

    def check_load(self, load, name):
        print(f"{name}: {load.summary()}")
        self.assertEqual(load.failed, 0, f"failed requests: {load.failures}\n{self.ops.log()}")

    def test_1_scale_3_6_2(self):
        web = self.ops.wait_settled(3)
        revision = web["revision"]
        three = {i["pid"] for i in web["instances"]}
        load = operations.MixedLoad(self.ops.port, max_seconds=60, slow_threads=4)
        try:
            load.wait_count(100)
            started = time.monotonic()
            up = self.ops.cli_json("scale", "web=6")
            self.assertEqual((up["service"], up["previous"], up["replicas"]), ("web", 3, 6), up)
            web = self.ops.wait_settled(6)
            print(f"scale 3 -> 6: settled after {time.monotonic() - started:.1f}s")
            six = {i["pid"] for i in web["instances"]}
            self.assertTrue(three <= six, f"scale up replaced instances: {three} vs {six}")
            added = six - three
            self.assertEqual(len(added), 3)
            supervision.wait_until(lambda: added <= load.pids(), 15,
                                   what=f"the new instances {added} serving")

            started = time.monotonic()
            down = self.ops.cli_json("scale", "web=2")
            self.assertEqual((down["previous"], down["replicas"]), (6, 2), down)
            web = self.ops.wait_settled(2)
            settled_at = time.monotonic()
            print(f"scale 6 -> 2: settled after {settled_at - started:.1f}s")
            two = {i["pid"] for i in web["instances"]}
            self.assertTrue(two <= six)
            self.assertEqual(web["revision"], revision)
            for pid in six - two:
                supervision.wait_until(lambda: supervision.proc_stat(pid) is None
                                       or supervision.proc_stat(pid)[0] == "Z", 10,
                                       what=f"removed pid {pid} gone")
            load.wait_count(load.ok() + 200)
            after = load.pids(since=settled_at)
            self.assertEqual(after, two, "requests after the scale-down went to removed pids")
        finally:
            load.stop()
        self.check_load(load, "scale 3->6->2")
        self.assertEqual(set(load.revisions()), {str(revision)})
        status = self.ops.web()
        self.assertEqual(status["replicas"], 2)

    def test_2_drain_with_requests_in_flight(self):
        self.ops.cli("scale", "web=3", check=0)
        web = self.ops.wait_settled(3)
        victim = min(web["instances"], key=lambda i: i["index"])
        results = []

        def slow():
            conn = http.client.HTTPConnection("127.0.0.1", self.ops.port, timeout=15)
            try:
                conn.request("GET", "/api/slow?ms=2000")
                resp = conn.getresponse()
                results.append((resp.status, resp.read()))
            except Exception as e:
                results.append((None, repr(e)))
            finally:
                conn.close()

        def victim_in_flight():
            for upstream in self.ops.status()["upstreams"]:
                for endpoint in upstream["endpoints"]:
                    if endpoint["key"] == victim["key"]:
                        return endpoint["in_flight"]
            return 0

        load = operations.MixedLoad(self.ops.port, max_seconds=60)
        slow_threads = [threading.Thread(target=slow, daemon=True) for _ in range(9)]
        try:
            load.wait_count(100)
            for t in slow_threads:
                t.start()
            supervision.wait_until(lambda: victim_in_flight() >= 1, 5, interval=0.05,
                                   what=f"a slow request in flight on {victim['key']}")
            in_flight = victim_in_flight()
            code, out, err = self.ops.cli("drain", victim["key"])
            drained_at = time.monotonic()
            self.assertEqual(code, 0, out + err)
            for t in slow_threads:
                t.join(15)
            load.wait_count(load.ok() + 300)
        finally:
            load.stop()
        self.check_load(load, "drain")
        print(f"drain: {in_flight} slow request(s) in flight on {victim['key']} at the drain; "
              f"slow results {[s for s, _ in results]}")
        self.assertEqual([s for s, _ in results], [200] * 9, results)
        late = [r for r in load.hellos(since=drained_at) if r.pid == victim["pid"]]
        self.assertEqual(late, [], f"{len(late)} requests sent after the drain reached "
                                   f"{victim['key']}")
        self.assertIn(victim["pid"], load.pids(), "the victim served nothing before the drain")
        status = self.ops.web()
        drained = next(i for i in status["instances"] if i["key"] == victim["key"])
        self.assertEqual(drained["state"], "drained", drained)
        self.assertEqual(drained["pid"], victim["pid"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
