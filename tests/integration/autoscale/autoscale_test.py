"""The autoscaler end to end, in one `flotilla up` with short windows:

- `web` (cpu: 50% of 100m, min 2, max 4, one pod per 3 s up, a 6 s scale-down window):
  the demo app's /api/cpu under a bounded load loop scales it up from 2 within the expected
  periods and never past max; once the load stops it comes back down to min (not below) only
  after the stabilisation window; `flotilla scale` by hand sets the count within [min, max];
  a rollout under load holds the count until it is over; a reload under load keeps the count
  and applies a new max and window in place.
- `api` (rps_per_instance: 20, min 1, max 3): a request-rate loop scales it up, and down after
  its window.
- The decisions are in the log, `flotilla status`, /api/v1/autoscaler and /metrics; an invalid
  autoscale block is refused at its line.

Prints the measured times (scale-up steps, scale-down after the load stopped).
It loads the CPU on purpose and times what follows, so no other test should share the CPU with it:
`ctest PROCESSORS 2` (tests/CMakeLists.txt) runs it alone under `ctest -j2`.
"""
import json
import os
import re
import sys
import threading
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
import operations  # noqa: E402
import supervision  # noqa: E402

SYNC = 1.0            # sync_period, seconds
UP_PERIOD = 3.0       # web: at most +1 instance per 3 s
DOWN_WINDOW = 6.0     # web: scale-down stabilisation
API_DOWN_WINDOW = 4.0


def config(first_port):
    demo = [harness.FLOTILLA, "demo-app", "--port", "$PORT", "--threads", "2"]
    probes = {"readiness": {"http": "/ready", "period": "250ms"}}
    return {
        "workers": 2,
        "listen": [{"address": "127.0.0.1:0"}],
        "admin": {"listen": "127.0.0.1:0", "socket": "admin.sock"},
        "state_dir": "state",
        "services": {
            "web": {
                "command": demo,
                "ports": f"{first_port}-{first_port + 9}",
                "probes": probes,
                "resources": {"cpu": "100m"},
                "rollout": {"max_surge": 1, "max_unavailable": 0, "progress_deadline": "30s"},
                "autoscale": {
                    "min": 2, "max": 4, "cpu": "50%", "sync_period": "1s",
                    "behavior": {
                        "scale_up": {"policies": [{"type": "pods", "value": 1, "period": "3s"}]},
                        "scale_down": {"stabilization": "6s"},
                    },
                },
            },
            "api": {
                "command": demo,
                "ports": f"{first_port + 10}-{first_port + 19}",
                "probes": probes,
                "autoscale": {
                    "min": 1, "max": 3, "rps_per_instance": 20, "sync_period": "1s",
                    "behavior": {"scale_down": {"stabilization": "4s"}},
                },
            },
        },
        "upstreams": {"web": {"service": "web"}, "api": {"service": "api"}},
        "routes": [
            {"match": {"path": "/api/hello"}, "upstream": "api"},
            {"match": {"path": "/"}, "upstream": "web",
             "retry": {"on": ["error", "http_502", "http_503"], "tries": 3}},
        ],
    }


class LoadLoop:
    """`threads` clients sending GET `path` back to back, bounded by `max_seconds`."""

    def __init__(self, port, path, threads, max_seconds):
        self.load = supervision.Load(port, path=path, threads=threads, max_seconds=max_seconds)

    def stop(self):
        ok, failed = self.load.stop()
        return ok, failed


class AutoscaleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        first = supervision.free_port_range(20)
        cls.ops = operations.Ops(config(first))
        cls.ops.up.wait_ready("api", 1)

    @classmethod
    def tearDownClass(cls):
        cls.ops.stop()

    # ---- helpers ----
    def autoscaler(self, service):
        doc = self.ops.api("/api/v1/autoscaler")
        return next(s for s in doc["services"] if s["service"] == service)

    def replicas(self, service):
        return next(s for s in self.ops.api("/api/v1/services")["services"]
                    if s["name"] == service)["replicas"]

    def wait_replicas(self, service, count, timeout, watch_max=None):
        """Waits until `service` is set to `count`; with `watch_max`, fails if it ever goes
        above. Returns the seconds it took."""
        started = time.monotonic()
        deadline = started + timeout
        while time.monotonic() < deadline:
            now = self.replicas(service)
            if watch_max is not None:
                self.assertLessEqual(now, watch_max, f"{service} went past max")
            if now == count:
                return time.monotonic() - started
            time.sleep(0.1)
        raise AssertionError(f"{service} not at {count} within {timeout}s: "
                             f"{json.dumps(self.autoscaler(service))}\n{self.ops.log()[-3000:]}")

    def decisions(self, service):
        return self.autoscaler(service)["decisions"]

    # ---- the phases, in order ----
    def test_1_cpu_scales_up_from_min_within_the_periods_and_never_past_max(self):
        web = self.autoscaler("web")
        self.assertEqual((web["min"], web["max"], web["current"]), (2, 4, 2))
        self.assertEqual(web["metrics"][0]["name"], "cpu")
        load = LoadLoop(self.ops.port, "/api/cpu?ms=20", threads=4, max_seconds=60)
        try:
            first = self.wait_replicas("web", 3, timeout=8, watch_max=4)
            second = first + self.wait_replicas("web", 4, timeout=8, watch_max=4)
            print(f"scale-up under CPU load: 2 -> 3 after {first:.1f}s, -> 4 (max) after "
                  f"{second:.1f}s (sync {SYNC}s, +1 per {UP_PERIOD}s)")
            ups = [d for d in self.decisions("web") if d["to"] > d["from"]]
            self.assertEqual([(d["from"], d["to"]) for d in ups], [(2, 3), (3, 4)])
            # The policy allowed one instance per 3 s: the second step waited for the period.
            self.assertGreaterEqual(second - first, UP_PERIOD - SYNC)
            # Still overloaded at max: the autoscaler says so and stays at 4.
            supervision.wait_until(
                lambda: self.autoscaler("web")["condition"] == "TooManyReplicas", 6,
                what="web capped at max")
            web = self.autoscaler("web")
            self.assertGreater(web["recommendation"], 4)
            self.assertEqual(web["desired"], 4)
            self.assertGreater(web["metrics"][0]["value"], 55)
            time.sleep(2 * SYNC)
            self.assertEqual(self.replicas("web"), 4)
        finally:
            ok, failed = load.stop()
        self.__class__.load_stopped = time.monotonic()
        self.assertGreater(ok, 50)
        self.assertEqual(failed, 0, load.load.failures)
        self.ops.wait_settled(4)

    def test_2_scales_down_to_min_only_after_the_window(self):
        stopped = self.load_stopped
        took = self.wait_replicas("web", 2, timeout=DOWN_WINDOW + 10)
        after = time.monotonic() - stopped
        print(f"scale-down after the load stopped: 4 -> 2 (min) after {after:.1f}s "
              f"(window {DOWN_WINDOW}s)")
        # The last high recommendation is at most a sync period (and a CPU window) after the
        # load stopped; the window then holds the count for DOWN_WINDOW seconds.
        self.assertGreaterEqual(after, DOWN_WINDOW - SYNC, "scaled down before the window")
        self.assertLess(took, DOWN_WINDOW + 10)
        down = [d for d in self.decisions("web") if d["to"] < d["from"]]
        self.assertEqual([(d["from"], d["to"]) for d in down], [(4, 2)])
        # Idle, the metrics ask for 1: min holds at 2.
        time.sleep(2 * SYNC)
        web = self.autoscaler("web")
        self.assertEqual(web["recommendation"], 1)
        self.assertEqual((web["desired"], web["current"]), (2, 2))
        self.assertEqual(web["condition"], "TooFewReplicas")
        self.ops.wait_settled(2)

    def test_3_scale_by_hand_is_kept_within_min_and_max(self):
        _, out, _ = self.ops.cli("scale", "web=9", check=0)
        self.assertIn("outside autoscale's [2, 4], set to 4", out)
        self.assertEqual(self.replicas("web"), 4)
        answer = self.ops.cli_json("scale", "web=1")
        self.assertEqual((answer["requested"], answer["replicas"]), (1, 2))
        self.assertEqual(self.replicas("web"), 2)
        answer = self.ops.cli_json("scale", "web=3")
        self.assertEqual(answer["replicas"], 3)
        self.assertNotIn("note", answer)
        # As after a `kubectl scale` of an HPA's target, the autoscaler carries on from there:
        # idle, with only low recommendations in its window, it comes back to min.
        took = self.wait_replicas("web", 2, timeout=5 * SYNC + 3)
        print(f"a count set by hand above the idle recommendation: back to min after {took:.1f}s")
        self.ops.wait_settled(2)

    def test_4_holds_during_a_rollout(self):
        slow_start = (f"sh -c 'sleep 3; exec {harness.FLOTILLA} demo-app --port $PORT "
                      f"--threads 2'")
        before = len(self.decisions("web"))
        self.ops.cli("rollout", "web", "--command", slow_start, "--detach", check=0)
        # Each new instance takes 3 s to start: the rollout runs for several sync periods,
        # under a load that would otherwise scale web up within two.
        load = LoadLoop(self.ops.port, "/api/cpu?ms=20", threads=4, max_seconds=60)
        try:
            held = set()
            deadline = time.monotonic() + 40
            while time.monotonic() < deadline:
                service = self.ops.web()
                rollout = service["rollout"]
                if rollout is None or rollout.get("finished"):
                    break
                held.add(self.autoscaler("web")["condition"])
                self.assertEqual(service["replicas"], 2, "the count changed during a rollout")
                time.sleep(0.2)
            else:
                self.fail("the rollout did not finish within 40s")
            self.assertIn("RolloutInProgress", held)
            self.assertEqual(len(self.decisions("web")), before, "scaled during the rollout")
            # Once it is over the load counts again.
            took = self.wait_replicas("web", 3, timeout=10)
            print(f"rollout held the count at 2; scale-up resumed {took:.1f}s after it ended")
        finally:
            ok, failed = load.stop()
        self.assertEqual(failed, 0, load.load.failures)

    def test_5_reload_keeps_the_count_and_applies_new_settings_in_place(self):
        load = LoadLoop(self.ops.port, "/api/cpu?ms=20", threads=4, max_seconds=60)
        try:
            self.wait_replicas("web", 4, timeout=15, watch_max=4)
            self.ops.wait_settled(4)
            pids = set(self.ops.pids().values())
            decisions = len(self.decisions("web"))
            # A reload used to put an autoscaled service back at min (the file's count).
            with open(self.ops.config_path) as f:
                doc = json.load(f)
            doc["services"]["web"]["autoscale"]["max"] = 5
            doc["services"]["web"]["autoscale"]["behavior"]["scale_down"]["stabilization"] = "30s"
            self.ops.write_config(json.dumps(doc, indent=2))
            _, out, err = self.ops.cli("reload", check=0)
            self.assertIn("web: autoscale settings changed", out + err)
            web = self.autoscaler("web")
            self.assertEqual(web["max"], 5)
            self.assertGreaterEqual(web["current"], 4)
            self.assertGreaterEqual(len(web["decisions"]), decisions)
            # The new max applies at once, and nothing that ran was replaced.
            self.wait_replicas("web", 5, timeout=UP_PERIOD + 5, watch_max=5)
            self.assertTrue(pids <= set(self.ops.pids().values()), "a reload replaced instances")
        finally:
            load.stop()
        # The new 30 s window holds the count well past the old 6 s one.
        time.sleep(DOWN_WINDOW + 2)
        self.assertEqual(self.replicas("web"), 5)
        self.assertEqual(self.autoscaler("web")["condition"], "ScaleDownStabilized")

        # An invalid block changes nothing and says where.
        with open(self.ops.config_path) as f:
            good = f.read()
        bad = good.replace('"cpu": "50%"', '"cpu": "0%"').replace('"max": 5', '"max": 1')
        self.ops.write_config(bad)
        code, out, err = self.ops.cli("reload")
        self.assertNotEqual(code, 0)
        line = next(i for i, text in enumerate(bad.splitlines(), 1) if '"cpu": "0%"' in text)
        self.assertRegex(out + err, rf"flotilla\.yaml:{line}:\d+: services\.web\.autoscale\.cpu: "
                                    r"a target must be above 0%")
        self.assertRegex(out + err, r"services\.web\.autoscale\.max: 1 is less than min \(2\)")
        self.assertEqual(self.autoscaler("web")["max"], 5)
        code, _, err = self.ops.cli("check")
        self.assertEqual(code, 1)
        self.assertIn(f"flotilla.yaml:{line}:", err)
        self.ops.write_config(good)

    def test_6_request_rate_scales_api_up_and_down(self):
        api = self.autoscaler("api")
        self.assertEqual([m["name"] for m in api["metrics"]], ["rps"])
        self.assertEqual(api["current"], 1)
        load = LoadLoop(self.ops.port, "/api/hello", threads=2, max_seconds=40)
        try:
            took = self.wait_replicas("api", 3, timeout=15, watch_max=3)
            rps = self.autoscaler("api")["metrics"][0]["value"]
            print(f"rps_per_instance 20: 1 -> 3 (max) after {took:.1f}s at {rps:.0f} req/s "
                  "per instance")
        finally:
            ok, failed = load.stop()
            stopped = time.monotonic()
        self.assertEqual(failed, 0, load.load.failures)
        self.wait_replicas("api", 1, timeout=API_DOWN_WINDOW + 10)
        after = time.monotonic() - stopped
        print(f"rps scale-down 3 -> 1 after {after:.1f}s (window {API_DOWN_WINDOW}s)")
        self.assertGreaterEqual(after, API_DOWN_WINDOW - SYNC)

    def test_7_decisions_are_in_the_log_status_and_metrics(self):
        log = self.ops.log()
        self.assertRegex(log, r"autoscaler: service web: cpu \d+% \(target 50%\): recommend \d+, "
                              r"scale 2 → 3")
        self.assertRegex(log, r"autoscaler: service api: rps [\d.]+/s \(target 20\.0/s\)")
        _, out, _ = self.ops.cli("status", check=0)
        self.assertRegex(out, r"AUTOSCALE\s+CURRENT\s+DESIRED\s+MIN\s+MAX\s+METRICS\s+CONDITION")
        self.assertRegex(out, r"\nweb\s+\d\s+\d\s+2\s+5\s+cpu \d+% / 50%")
        self.assertRegex(out, r"\napi\s+1\s+1\s+1\s+3\s+rps [\d.]+ / 20")
        status = self.ops.status()
        web = next(s for s in status["services"] if s["name"] == "web")
        self.assertEqual(web["autoscale"]["min"], 2)
        with urllib.request.urlopen(f"http://127.0.0.1:{self.ops.admin_port}/metrics",
                                    timeout=5) as response:
            metrics = response.read().decode()
        self.assertRegex(metrics, r'flotilla_autoscaler_desired_replicas\{service="web"\} [2-5]\n')
        self.assertIn('flotilla_autoscaler_metric_target{metric="cpu",service="web"} 50', metrics)
        self.assertIn('flotilla_autoscaler_metric_target{metric="rps",service="api"} 20', metrics)
        self.assertRegex(metrics, r'flotilla_autoscaler_scale_events_total\{direction="up",'
                                  r'service="web"\} [3-9]')
        self.assertTrue(re.search(r'flotilla_autoscaler_metric_value\{metric="cpu",'
                                  r'service="web"\} [\d.e+-]+', metrics))


if __name__ == "__main__":
    unittest.main(verbosity=2)
