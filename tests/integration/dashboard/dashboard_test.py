"""The live dashboard in a real browser: Debian's headless Chromium, driven over the DevTools
protocol (tests/integration/lib/browser.py), against a real `flotilla up`.

- the page loads from the admin listener with no console error and no failed request, all of
  it from flotilla (no external asset);
- instances appear under their CLI names (web/0, web/1, api/0);
- under a bounded load loop the request rate, p95 and the per-instance rates change, and the
  chart holds the points;
- a killed instance shows as restarting, then ready again; killed three times, the crash-looping
  alert appears (never after one restart);
- a rollout shows its progress; the autoscaler's row and condition are there;
- the same page at a phone's width in the dark scheme has no horizontal overflow of the page.

Screenshots are saved under $BUILD_DIR/test-output/dashboard/ for people to look at. Prints the
measured page weight (bytes over the wire, first load) and flotilla's CPU per refresh.
"""
import json
import os
import signal
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import browser  # noqa: E402
import harness  # noqa: E402
import operations  # noqa: E402
import supervision  # noqa: E402

REFRESH_MS = 500


def output_dir():
    base = os.environ.get("BUILD_DIR") or tempfile.mkdtemp(prefix="flotilla-dashboard-")
    path = os.path.join(base, "test-output", "dashboard")
    os.makedirs(path, exist_ok=True)
    return path


def config(first_port):
    demo = [harness.FLOTILLA, "demo-app", "--port", "$PORT", "--threads", "2"]
    probes = {"readiness": {"http": "/ready", "period": "250ms"}}
    return {
        "workers": 2,
        "listen": [{"address": "127.0.0.1:0"}],
        "admin": {"listen": "127.0.0.1:0", "socket": "admin.sock"},
        "state_dir": "state",
        "alerts": {"evaluation_interval": "1s",
                   "defaults": {"window": "4s", "restart_window": "15s", "for": "1s"}},
        "services": {
            "web": {"command": demo, "replicas": 2, "ports": f"{first_port}-{first_port + 5}",
                    "probes": probes, "resources": {"memory": "256Mi"},
                    # long enough for a 500 ms refresh to see it restarting
                    "restart": {"policy": "always", "delay": "3s"},
                    "rollout": {"max_surge": 1, "max_unavailable": 0,
                                "progress_deadline": "30s"}},
            "api": {"command": demo, "ports": f"{first_port + 6}-{first_port + 9}",
                    "probes": probes,
                    "autoscale": {"min": 1, "max": 2, "rps_per_instance": 100000,
                                  "sync_period": "1s"}},
        },
        "upstreams": {"web": {"service": "web"}, "api": {"service": "api"}},
        "routes": [{"match": {"path": "/api/echo"}, "upstream": "api"},
                   {"match": {"path": "/"}, "upstream": "web",
                    "retry": {"on": ["error", "http_502", "http_503"], "tries": 3}}],
    }


def cpu_seconds(pid):
    """utime + stime of a process (all its threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def js(text):
    return json.dumps(text)


def row_state(key):
    return f"(document.querySelector('tr[data-instance={js(key)}]') || {{dataset: {{}}}}).dataset.state"


class DashboardTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out = output_dir()
        cls.ops = operations.Ops(config(supervision.free_port_range(10)))
        try:
            cls.ops.up.wait_ready("api", 1)
            cls.chrome = browser.Chromium()
        except BaseException:
            cls.ops.stop()
            raise
        cls.page = cls.chrome.page()
        cls.url = f"http://127.0.0.1:{cls.ops.admin_port}/?refresh={REFRESH_MS}"

    @classmethod
    def tearDownClass(cls):
        try:
            cls.chrome.stop()
        finally:
            cls.ops.stop()

    def assert_no_problems(self):
        self.assertEqual(self.page.problems(), [], "console errors or failed requests")

    def updates(self):
        return int(self.page.evaluate("Number(document.body.dataset.updates || 0)"))

    def wait_updates(self, more, timeout=10):
        target = self.updates() + more
        self.page.wait_for(f"Number(document.body.dataset.updates || 0) >= {target}",
                           timeout=timeout, what=f"{more} more refreshes")

    def text(self, element_id):
        return self.page.evaluate(f"document.getElementById({js(element_id)}).textContent")

    def test_1_loads_from_flotilla_alone_without_errors(self):
        started = time.monotonic()
        self.page.navigate(self.url)
        self.wait_updates(2)
        print(f"page loaded and refreshed twice in {time.monotonic() - started:.2f}s")
        self.assert_no_problems()
        urls = [r["url"] for r in self.page.responses.values()]
        origin = f"http://127.0.0.1:{self.ops.admin_port}/"
        self.assertTrue(urls and all(u.startswith(origin) for u in urls), urls)
        # Chart.js came from the binary, compressed, and the charts exist.
        chart = next(r for r in self.page.responses.values() if "chart.min.js" in r["url"])
        self.assertEqual(chart["status"], 200)
        self.assertEqual(chart["headers"].get("content-encoding")
                         or chart["headers"].get("Content-Encoding"), "gzip")
        self.assertTrue(self.page.evaluate(
            "['chart-rate', 'chart-latency', 'chart-errors', 'chart-instances']"
            ".every((id) => Chart.getChart(id))"))
        # The first load's weight: every byte the browser received.
        weight = sum(r["bytes"] for r in self.page.responses.values())
        print(f"page weight (first load, on the wire): {weight / 1024:.1f} KiB in "
              f"{len(urls)} requests")
        self.assertLess(weight, 200 * 1024)

    def test_2_instances_under_their_cli_names(self):
        keys = self.page.wait_for(
            "(() => { const k = [...document.querySelectorAll('tr[data-instance]')]"
            ".map((r) => r.cells[0].textContent); return k.length >= 3 ? k : null; })()",
            what="three instance rows")
        self.assertEqual(sorted(keys), ["api/0", "web/0", "web/1"])
        self.assertEqual(self.page.evaluate(row_state("web/0")), "ready")
        self.assertEqual(self.text("ready"), "3 / 3")
        # The autoscaled service has its row, with the metric and its target.
        autoscaler = self.page.evaluate(
            "document.querySelector('#autoscaler tr[data-service=\"api\"]').textContent")
        self.assertIn("rps", autoscaler)
        self.assertIn("100000", autoscaler)
        endpoints = self.page.evaluate(
            "[...document.querySelectorAll('#endpoints tr[data-endpoint]')]"
            ".map((r) => r.dataset.endpoint)")
        self.assertEqual(sorted(endpoints), ["api/0", "web/0", "web/1"])

    def test_3_numbers_change_under_load(self):
        self.assertEqual(self.text("rps"), "0.00")
        load = supervision.Load(self.ops.port, path="/api/hello", threads=2, max_seconds=30)
        try:
            self.page.wait_for("parseFloat(document.getElementById('rps').textContent) > 20",
                               timeout=10, what="the request rate under load")
            self.page.wait_for("document.getElementById('p95').textContent.endsWith('ms')",
                               timeout=10, what="a p95")
            self.page.wait_for(
                "parseFloat(document.querySelector('tr[data-instance=\"web/1\"]').cells[8]"
                ".textContent) > 5", timeout=10, what="web/1's request rate")
            points = self.page.evaluate(
                "Chart.getChart('chart-rate').data.datasets[1].data.filter((p) => p.y > 20).length")
            self.assertGreater(points, 0, "the 2xx line has no point of the load")
            print(f"under load: {self.text('rps')} req/s, p95 {self.text('p95')}")
            self.page.screenshot(os.path.join(self.out, "dashboard-under-load.png"))
        finally:
            ok, failed = load.stop()
        self.assertGreater(ok, 100)
        self.assertEqual(failed, 0, load.failures)
        self.assert_no_problems()

    def test_4_crash_looping_instance_restarts_and_the_alert_fires(self):
        # InstanceCrashLooping means a crash loop: 3 restarts within restart_window (15 s here),
        # never one restart. web/0 is killed each time it is ready again, three times.
        pid = self.ops.pids()["web/0"]
        os.kill(pid, signal.SIGKILL)
        killed, kills = time.monotonic(), 1
        seen = {}
        deadline = killed + 45
        while time.monotonic() < deadline and "alert" not in seen:
            snapshot = self.page.evaluate(
                "(() => { const r = document.querySelector('tr[data-instance=\"web/0\"]');"
                " const a = document.querySelector('#alerts tr[data-alert=\"InstanceCrashLooping\"]');"
                " return {state: r && r.dataset.state, badge: r && r.cells[1].textContent,"
                " pid: r && r.cells[2].textContent, alert: a && a.dataset.state}; })()")
            at = round(time.monotonic() - killed, 2)
            if snapshot["state"] == "backoff" and snapshot["badge"] == "restarting":
                seen.setdefault("restarting", at)
            if "restarting" in seen and snapshot["state"] == "ready" \
                    and snapshot["pid"] != str(pid):
                seen.setdefault("ready", at)
                if kills < 3:
                    pid = self.ops.pids()["web/0"]
                    os.kill(pid, signal.SIGKILL)
                    kills += 1
                    seen[f"kill {kills}"] = at
            if snapshot["alert"] == "firing":
                seen.setdefault("alert" if kills == 3 else "alert after fewer than 3 restarts", at)
                self.page.screenshot(os.path.join(self.out, "dashboard-alert.png"))
            self.page.pump(0.1)
        print(f"after SIGKILLs of web/0: seen {seen} (seconds)")
        self.assertIn("restarting", seen)
        self.assertIn("ready", seen)
        self.assertEqual(kills, 3, seen)
        self.assertNotIn("alert after fewer than 3 restarts", seen)
        self.assertIn("alert", seen)
        self.assertLess(seen["restarting"], seen["ready"])
        self.assert_no_problems()

    def test_5_rollout_progress(self):
        slow = f"sh -c 'sleep 1; exec {harness.FLOTILLA} demo-app --port $PORT --threads 2'"
        self.ops.cli("rollout", "web", "--command", slow, "--detach", check=0)
        self.page.wait_for(
            "(() => { const r = document.querySelector('.rollout[data-service=\"web\"]');"
            " return r && r.dataset.state === 'running'; })()", timeout=10,
            what="the running rollout")
        detail = self.page.evaluate(
            "document.querySelector('.rollout[data-service=\"web\"]').textContent")
        self.assertRegex(detail, r"revision \d+ → \d+")
        self.assertRegex(detail, r"\d of 2 updated")
        self.page.wait_for(
            "document.querySelector('.rollout[data-service=\"web\"]').dataset.state"
            " === 'succeeded'", timeout=30, what="the rollout finished")
        self.page.wait_for(
            "document.querySelector('.rollout[data-service=\"web\"] .progress > div')"
            ".style.width === '100%'", timeout=5, what="a full progress bar")
        self.assert_no_problems()

    def test_6_refresh_cost_on_flotilla(self):
        since = int(time.time() * 1000) - 2000  # what a refresh asks: the last point or two
        path = f"/api/v1/dashboard?since={since}"
        for _ in range(3):  # warm
            harness.request(self.ops.admin_port, "GET", path)
        count = 300
        before = cpu_seconds(self.ops.up.pid)
        started = time.monotonic()
        for _ in range(count):
            status, _, body = harness.request(self.ops.admin_port, "GET", path)
            self.assertEqual(status, 200)
        wall = time.monotonic() - started
        used = cpu_seconds(self.ops.up.pid) - before
        print(f"refresh cost: {used / count * 1000:.2f} ms of flotilla CPU per refresh "
              f"({count} refreshes in {wall:.2f}s, {len(body)} bytes each); "
              f"at one refresh per 2 s: {used / count / 2 * 100:.2f}% of a core per open page")
        self.assertLess(used / count, 0.02, "a refresh costs more than 20 ms of CPU")

    def test_7_phone_width_dark_scheme(self):
        self.page.set_viewport(390, 844, mobile=True, dark=True)
        self.wait_updates(2)
        self.assertEqual(self.page.evaluate(
            "matchMedia('(prefers-color-scheme: dark)').matches"), True)
        background = self.page.evaluate("getComputedStyle(document.body).backgroundColor")
        self.assertEqual(background, "rgb(15, 18, 23)")
        # Tables scroll inside their frames; the page itself never scrolls sideways.
        overflow = self.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        self.assertLessEqual(overflow, 0)
        self.page.screenshot(os.path.join(self.out, "dashboard-phone-dark.png"))
        self.page.set_viewport(1280, 900, dark=False)
        self.wait_updates(2)
        path = self.page.screenshot(os.path.join(self.out, "dashboard.png"))
        print(f"screenshots in {self.out} (dashboard.png, dashboard-under-load.png, "
              f"dashboard-alert.png, dashboard-phone-dark.png)")
        self.assertGreater(os.path.getsize(path), 10000)
        self.assert_no_problems()


if __name__ == "__main__":
    unittest.main(verbosity=2)
