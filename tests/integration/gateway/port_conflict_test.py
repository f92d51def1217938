"""Two flotillas on one gateway port: the second must fail at start-up ("address already in use",
exit 1), as nginx and HAProxy do, instead of joining the first one's SO_REUSEPORT group and
silently taking part of its connections. The first keeps serving."""
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import (FLOTILLA, Cleanup, Demo, Flotilla, Process, gateway_config,  # noqa: E402
                     free_port, request, with_test_admin)


class PortConflict(unittest.TestCase):
    def test_second_flotilla_on_the_same_port_fails(self):
        with Cleanup() as cleanup:
            demo = cleanup.add(Demo(env={"FLOTILLA_INSTANCE": "first"}))
            # free_port() may race with another test taking the port: a few tries, bounded.
            for _ in range(5):
                port = free_port()
                config = gateway_config({"app": {"servers": [demo.address]}},
                                        [{"match": {"path": "/"}, "upstream": "app"}],
                                        {"address": f"127.0.0.1:{port}"})
                try:
                    first = cleanup.add(Flotilla(config, name="first"))
                    break
                except AssertionError:
                    continue
            else:
                self.fail("no free port for the first flotilla")
            self.assertEqual(first.port, port)

            directory = tempfile.mkdtemp(prefix="flotilla-test-")
            path = os.path.join(directory, "flotilla.yaml")
            with open(path, "w") as f:
                f.write(with_test_admin(config))
            second = cleanup.add(Process([FLOTILLA, "up", "-c", path], name="second"))
            try:
                status = second.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.fail("the second flotilla runs on a port in use:\n" + second.output())
            second.stop()  # already exited: this waits for the reader to take all its output
            output = second.output()
            self.assertEqual(status, 1, output)
            self.assertIn("in use", output.lower())
            self.assertNotIn("gateway listening", output)

            # Every connection still reaches the first one (no group left half-joined).
            for _ in range(20):
                code, _, body = request(port, path="/api/hello")
                self.assertEqual(code, 200)
                self.assertIn(b'"first"', body)

    def test_port_zero_listeners_still_start_side_by_side(self):
        with Cleanup() as cleanup:
            demo = cleanup.add(Demo())
            config = gateway_config({"app": {"servers": [demo.address]}},
                                    [{"match": {"path": "/"}, "upstream": "app"}])
            one = cleanup.add(Flotilla(config, name="one"))
            two = cleanup.add(Flotilla(config, name="two"))
            self.assertNotEqual(one.port, two.port)
            self.assertEqual(request(one.port, path="/api/hello")[0], 200)
            self.assertEqual(request(two.port, path="/api/hello")[0], 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
