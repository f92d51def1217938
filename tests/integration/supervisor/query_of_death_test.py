"""The query of death: a request that crashes the instance holding it must not crash the next
one and the next. Three demo instances behind a route retrying on error/timeout/502/503:

- GET /api/crash sent alone takes down exactly one instance and is answered 502; the other two
  keep their pids and keep serving; the counters say one suspect, one refused;
- the same under a concurrent keep-alive load on /api/hello: the load sees 0 failures and the
  crashing request costs at most two instances;
- the same with a request that makes its instance hit its cgroup memory limit (an OOM kill);
- an instance killed from outside (kill -9) is no crash: a request it held alone is retried on
  the other instance and succeeds, and nothing is counted as a suspect;
- `retry.on: [..., crashed]` opts back into replaying: the crashing request then goes on to
  crash the next instance too (the old behaviour, chosen on purpose)."""
import json
import os
import signal
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
import supervision  # noqa: E402

CRASHED_RE = r"demo/\d: (exited: exit code 3|killed by the OOM killer)"


def config(first_port, replicas=3, memory=None, retry_on=None, balance="round_robin"):
    service = {
        "command": [harness.FLOTILLA, "demo-app", "--port", "$PORT"],
        "replicas": replicas,
        "ports": f"{first_port}-{first_port + replicas}",
        "probes": {"readiness": {"http": "/ready", "period": "500ms"}},
        # Long enough that a crashed instance stays down while the test looks.
        "restart": {"policy": "always", "delay": "4s", "max_delay": "8s"},
        "stop": {"grace": "5s"},
    }
    if memory:
        service["resources"] = {"memory": memory}
    return json.dumps({
        "log": {"level": "debug"},
        "workers": 2,
        "listen": [{"address": "127.0.0.1:0"}],
        "services": {"demo": service},
        "upstreams": {"demo": {"service": "demo", "balance": balance}},
        "routes": [{"match": {"path": "/"}, "upstream": "demo",
                    "retry": {"on": retry_on or ["error", "timeout", "http_502", "http_503"],
                              "tries": 3}}],
    }, indent=2)


def admin_port(up):
    m = up.process.wait_for_line(r"admin API, metrics and alerts on http://\S+:(\d+)/", 15)
    return int(m.group(1))


def get(port, path, timeout=20):
    status, _, body = harness.request(port, path=path, timeout=timeout)
    return status, body


class QueryOfDeathTest(unittest.TestCase):
    def start(self, **kwargs):
        up = supervision.Up(config(supervision.free_port_range(4), **kwargs))
        self.addCleanup(lambda: self.assertEqual(up.stop(), 0, up.log()))
        port = up.wait_listening()
        up.wait_ready("demo", kwargs.get("replicas", 3))
        return up, port

    def crashes(self, up):
        return up.lines_matching(CRASHED_RE)

    def counters(self, up):
        samples = harness.scrape_metrics(admin_port(up))
        return (harness.metric(samples, "flotilla_crash_suspect_requests_total", service="demo"),
                harness.metric(samples, "flotilla_crash_refused_requests_total", service="demo"))

    def assert_others_serve(self, up, port, initial):
        crashed = {key for key, pid in initial.items() if up.current_pid(key) != pid
                   or up.lines_matching(rf"{key}: (exited|killed)")}
        survivors = {initial[k] for k in initial if k not in crashed}
        served = set()
        for _ in range(12):
            status, body = get(port, "/api/hello")
            self.assertEqual(status, 200, body)
            served.add(json.loads(body)["pid"])
        self.assertLessEqual(survivors, served, up.log())  # every survivor serves...
        self.assertFalse(served & {initial[k] for k in crashed})  # ...no crashed pid does
        return crashed

    def test_a_crashing_request_alone_costs_one_instance_and_gets_502(self):
        up, port = self.start()
        initial = dict(up.started())
        status, body = get(port, "/api/crash")
        self.assertEqual(status, 502, body)
        supervision.wait_until(lambda: self.crashes(up), 5, what="the crash in flotilla's log")
        time.sleep(1.0)  # a replay, had there been one, would have crashed another by now
        self.assertEqual(len(self.crashes(up)), 1, up.log())
        crashed = self.assert_others_serve(up, port, initial)
        self.assertEqual(len(crashed), 1, up.log())
        self.assertEqual(self.counters(up), (1, 1))

    def test_under_load_the_load_loses_nothing_and_at_most_two_instances_crash(self):
        up, port = self.start()
        initial = dict(up.started())
        load = supervision.Load(port, threads=4, max_seconds=40)
        try:
            supervision.wait_until(lambda: load.total() >= 200, 15, what="load flowing")
            status, body = get(port, "/api/crash")
            self.assertEqual(status, 502, body)
            supervision.wait_until(lambda: self.crashes(up), 5, what="the crash")
            before = load.total()
            supervision.wait_until(lambda: load.total() >= before + 200, 15,
                                   what="load after the crash")
        finally:
            ok, failed = load.stop()
        print(f"query of death under load: {ok} ok, {failed} failed; "
              f"{len(self.crashes(up))} instance(s) crashed; suspects/refused {self.counters(up)}")
        self.assertEqual(failed, 0, f"{load.failures}\n{up.log()}")
        self.assertIn(len(self.crashes(up)), (1, 2), up.log())
        suspects, refused = self.counters(up)
        self.assertGreaterEqual(suspects, 1)
        self.assertEqual(refused, 1)  # the crashing request, and no innocent one
        self.assertLessEqual(len(self.assert_others_serve(up, port, initial)), 2)

    def test_a_memory_limit_kill_is_a_crash_too(self):
        up, port = self.start(memory="48Mi")
        m = up.process.wait_for_line(r"cgroup v1 controllers: ([^;]*);", 10)
        self.assertIn("memory", m.group(1).split(", "),
                      "this test needs a writable cgroup v1 memory controller")
        initial = dict(up.started())
        status, body = get(port, "/api/alloc?mb=200")
        self.assertEqual(status, 502, body)
        supervision.wait_until(lambda: self.crashes(up), 5, what="the OOM kill")
        time.sleep(1.0)
        self.assertEqual(len(self.crashes(up)), 1, up.log())
        self.assertTrue(up.lines_matching(r"demo/\d: killed by the OOM killer"), up.log())
        self.assertEqual(len(self.assert_others_serve(up, port, initial)), 1)
        self.assertEqual(self.counters(up), (1, 1))

        # Under load, once all three serve again: the load loses nothing, at most two go.
        up.wait_ready("demo", 3, timeout=20)
        load = supervision.Load(port, threads=4, max_seconds=40)
        try:
            supervision.wait_until(lambda: load.total() >= 100, 15, what="load flowing")
            status, body = get(port, "/api/alloc?mb=200")
            self.assertEqual(status, 502, body)
            before = load.total()
            supervision.wait_until(lambda: load.total() >= before + 100, 15, what="load after")
        finally:
            ok, failed = load.stop()
        print(f"oom under load: {ok} ok, {failed} failed, {len(self.crashes(up))} crashes")
        self.assertEqual(failed, 0, f"{load.failures}\n{up.log()}")
        self.assertLessEqual(len(self.crashes(up)), 3, up.log())

    def test_an_instance_killed_from_outside_is_retried_as_ever(self):
        up, port = self.start(replicas=2, balance="least_conn")
        initial = dict(up.started())
        results = []

        def slow():
            results.append(get(port, "/api/slow?ms=1500"))

        clients = [threading.Thread(target=slow) for _ in range(2)]
        for c in clients:
            c.start()
        time.sleep(0.5)  # least_conn: one slow request on each instance, alone there
        os.kill(initial["demo/0"], signal.SIGKILL)
        for c in clients:
            c.join(20)
        self.assertEqual([s for s, _ in results], [200, 200], f"{results}\n{up.log()}")
        self.assertTrue(up.lines_matching(r"demo/0: exited: killed by signal 9"), up.log())
        self.assertEqual(self.counters(up), (0, 0))

    def test_retry_on_crashed_replays_as_before(self):
        up, port = self.start(retry_on=["error", "timeout", "crashed"])
        status, body = get(port, "/api/crash")
        self.assertEqual(status, 502, body)
        # Replayed on every instance it could reach: each one crashed.
        supervision.wait_until(lambda: len(self.crashes(up)) >= 3, 10,
                               what="the crash replayed on every instance")
        self.assertEqual(self.counters(up), (0, 0))


if __name__ == "__main__":
    unittest.main(verbosity=2)
