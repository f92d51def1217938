"""A 503 the gateway makes because an upstream has no endpoint to try names that upstream, so
the person reading it knows where to look: `upstream 'app' has no ready endpoint`, as text and
in the JSON body's detail. A 503 relayed from a ready endpoint is left as the app wrote it.
"""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
import supervision  # noqa: E402


def config(first_port):
    return json.dumps({
        "workers": 1,
        "listen": [{"address": "127.0.0.1:0"}],
        "services": {"never": {
            # Runs, but its readiness probe never passes: no endpoint is ever ready.
            "command": "sleep 60", "shell": True, "replicas": 1,
            "ports": f"{first_port}-{first_port + 1}",
            "probes": {"readiness": {"http": "/ready", "period": "200ms"}},
        }},
        "upstreams": {"app": {"service": "never"}},
        "routes": [{"match": {"path": "/"}, "upstream": "app"}],
    })


class NoReadyEndpointTest(unittest.TestCase):
    def test_503_names_the_upstream(self):
        up = supervision.Up(config(supervision.free_port_range(2)))
        try:
            port = up.wait_listening()
            status, headers, body = harness.request(port, path="/x")
            self.assertEqual(status, 503, body)
            self.assertEqual(body, b"upstream 'app' has no ready endpoint\n")
            self.assertEqual(headers.get("retry-after"), "1")
            status, _, body = harness.request(port, path="/x",
                                              headers={"Accept": "application/json"})
            self.assertEqual(status, 503)
            answer = json.loads(body)
            self.assertEqual(answer["detail"], "upstream 'app' has no ready endpoint")
            self.assertEqual(answer["status"], 503)
        finally:
            up.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
