"""Failover over HTTP/2: h2load's multiplexed load through flotilla while one of two backends is
killed with SIGKILL loses no request (in-flight ones are retried on the other endpoint, as for
HTTP/1 in gateway/failover_test.py), and a refused endpoint is retried elsewhere."""
import os
import re
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from backends import BackendProcess  # noqa: E402
from harness import Cleanup, Demo, Flotilla, free_port, gateway_config  # noqa: E402


def h2load(url, *args, timeout=120):
    done = subprocess.run(["h2load", *args, url], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
                  r"(\d+) failed, (\d+) errored", done.stdout)
    assert m, done.stdout + done.stderr
    codes = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", done.stdout)
    return [int(x) for x in m.groups()], [int(x) for x in codes.groups()], done.stdout


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
            m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
                          r"(\d+) failed, (\d+) errored", out)
            self.assertIsNotNone(m, out)
            total, started, done, succeeded, failed, errored = (int(x) for x in m.groups())
            print(f"\n  h2load: {done} done, {succeeded} succeeded, {failed} failed",
                  file=sys.stderr)
            self.assertGreater(succeeded, 1000, out)
            self.assertEqual(failed, 0, out)
            self.assertEqual(errored, 0, out)
            codes = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
            self.assertEqual(int(codes.group(1)), succeeded, out)
            self.assertEqual(codes.group(4), "0", out)

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


if __name__ == "__main__":
    unittest.main()
