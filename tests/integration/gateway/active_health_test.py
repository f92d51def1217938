"""Active health checks (HAProxy check inter/rise/fall): an endpoint failing its check leaves
rotation without any client request failing, comes back after `rise` passes, and an upstream whose
endpoints are all down answers 503 with Retry-After."""
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import Cleanup, Demo, Flotilla, request  # noqa: E402


def instances_seen(port, count=30, path="/api/hello"):
    seen = {}
    for _ in range(count):
        status, _, body = request(port, path=path)
        if status == 200:
            name = json.loads(body)["instance"]
            seen[name] = seen.get(name, 0) + 1
        else:
            seen[status] = seen.get(status, 0) + 1
    return seen


def wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()


class ActiveHealth(unittest.TestCase):
    def test_unhealthy_endpoint_leaves_and_rejoins(self):
        with Cleanup() as cleanup:
            a = cleanup.add(Demo(env={"FLOTILLA_INSTANCE": "a"}))
            b = cleanup.add(Demo(env={"FLOTILLA_INSTANCE": "b"}))
            gw = cleanup.add(Flotilla(f"""
workers: 2
listen:
  - address: "127.0.0.1:0"
    ready: /readyz
upstreams:
  app:
    servers: ["{a.address}", "{b.address}"]
    health_check: {{ path: /health, interval: 100ms, timeout: 500ms, rise: 2, fall: 2 }}
routes:
  - match: {{ path: / }}
    upstream: app
"""))
            self.assertEqual(set(instances_seen(gw.port)), {"a", "b"})
            request(a.port, "POST", "/admin/unhealthy")
            # The check notices within fall × interval; then only b serves, and nothing fails.
            self.assertTrue(wait_until(lambda: set(instances_seen(gw.port, 10)) == {"b"}))
            self.assertEqual(set(instances_seen(gw.port)), {"b"})
            request(a.port, "POST", "/admin/healthy")
            self.assertTrue(wait_until(lambda: "a" in instances_seen(gw.port, 10)))

            # Every endpoint down: 503 + Retry-After, and the readiness path says so too.
            request(a.port, "POST", "/admin/unhealthy")
            request(b.port, "POST", "/admin/unhealthy")
            self.assertTrue(wait_until(lambda: request(gw.port, path="/api/hello")[0] == 503))
            status, headers, _ = request(gw.port, path="/api/hello")
            self.assertEqual(status, 503)
            self.assertEqual(headers.get("retry-after"), "1")
            self.assertEqual(request(gw.port, path="/readyz")[0], 503)


if __name__ == "__main__":
    unittest.main(verbosity=2)
