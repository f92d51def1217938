"""A command that keeps crashing is restarted with an exponential back-off: delay, 2×delay, 4×…
capped at max_delay, and flotilla's log says it is crash-looping. A service with
`restart: on-failure` that exits 0 stays down.

The crasher writes a timestamp at each start (a shell: true command) so the real gaps between
runs are measured from the outside, not only from what flotilla says it did."""
import json
import os
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import supervision  # noqa: E402

DELAY_MS = 200
MAX_DELAY_MS = 1600
# Expected "restarting in N ms" sequence: 200, 400, 800, 1600, 1600 (doubling, then capped).
EXPECTED = [200, 400, 800, 1600, 1600]


def config(stamps):
    return json.dumps({
        "services": {
            "crasher": {
                "command": f"date +%s.%N >> {stamps}; echo crashing; exit 3",
                "shell": True,
                "restart": {"policy": "always", "delay": f"{DELAY_MS}ms",
                            "max_delay": f"{MAX_DELAY_MS}ms"},
            },
            "oneshot": {
                "command": ["/bin/true"],
                "restart": {"policy": "on-failure", "delay": "100ms"},
            },
        },
    }, indent=2)


class CrashLoopTest(unittest.TestCase):
    def test_backoff_doubles_to_the_cap_and_reports_the_crash_loop(self):
        stamps = os.path.join(tempfile.mkdtemp(prefix="flotilla-crash-"), "starts")
        up = supervision.Up(config(stamps))
        try:
            # len(EXPECTED) restarts = len(EXPECTED)+1 starts: 0.2+0.4+0.8+1.6+1.6 = 4.6 s.
            def starts():
                try:
                    with open(stamps) as f:
                        return [float(x) for x in f.read().split()]
                except FileNotFoundError:
                    return []
            supervision.wait_until(lambda: len(starts()) >= len(EXPECTED) + 1, 20,
                                   what=f"{len(EXPECTED) + 1} starts of the crasher")
            # The next "restarting in" line follows the last exit we waited for.
            supervision.wait_until(
                lambda: len(up.lines_matching(r"crasher/0: restarting in")) >= len(EXPECTED),
                5, what="the log of the last restart")
        finally:
            code = up.stop()
        self.assertEqual(code, 0, up.log())

        delays = [int(re.search(r"restarting in (\d+) ms", line).group(1))
                  for line in up.lines_matching(r"crasher/0: restarting in")]
        self.assertEqual(delays[:len(EXPECTED)], EXPECTED, up.log())
        times = starts()
        gaps_ms = [round((b - a) * 1000) for a, b in zip(times, times[1:])]
        print(f"crash loop: configured back-off {EXPECTED} ms, measured gaps between starts "
              f"{gaps_ms[:len(EXPECTED)]} ms")
        for gap, delay in zip(gaps_ms, EXPECTED):
            # A timer never fires early: each run starts at least `delay` after the previous one.
            self.assertGreaterEqual(gap, delay - 5, f"gaps {gaps_ms} vs back-off {EXPECTED}")
        self.assertTrue(up.lines_matching(r"crasher/0: exited: exit code 3"), up.log())
        self.assertTrue(up.lines_matching(r"crasher/0: restarting in \d+ ms \(crash loop: \d+ "
                                          r"failed runs in a row\)"), up.log())
        self.assertIn("crashing", up.instance_log("crasher", 0))

        # on-failure + exit 0: not restarted.
        self.assertEqual(len([k for k, _ in up.started() if k == "oneshot/0"]), 1, up.log())
        self.assertTrue(up.lines_matching(r"oneshot/0: not restarting \(restart policy\)"),
                        up.log())


if __name__ == "__main__":
    unittest.main(verbosity=2)
