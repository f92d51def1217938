"""A hedged try's per-try timeout still ends it (it is kept by the worker's hedge queue, not by the
connection's watchdog): both backends answer /slow after 1 s; with `hedge.after: 50ms` and
`per_try_timeout: 200ms` the first try and its hedge both time out, and the client gets 504 well
before either backend answers, with flotilla_per_try_timeouts_total counting it."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
import tail_common  # noqa: E402


def main():
    with harness.Cleanup() as cleanup:
        backends = [cleanup.add(tail_common.Backend("--slow-path", "/slow", "--slow-ms", "1000"))
                    for _ in range(2)]
        flotilla = cleanup.add(harness.Flotilla(tail_common.config(
            backends, per_try="200ms", hedge_after="50ms", workers=1)))
        for _ in range(3):  # the fast path answers and pools as usual
            status, _, _ = harness.request(flotilla.port, path="/fast")
            assert status == 200, status
        timings = []
        for _ in range(3):
            started = time.monotonic()
            status, _, _ = harness.request(flotilla.port, path="/slow")
            elapsed = time.monotonic() - started
            timings.append(round(elapsed, 3))
            assert status == 504, status
            assert 0.15 < elapsed < 0.8, f"per-try timeout of 200 ms took {elapsed:.3f} s"
        samples = flotilla.metrics()
        timed_out = harness.metric(samples, "flotilla_per_try_timeouts_total", upstream="app")
        sent = harness.metric(samples, "flotilla_hedges_sent_total", upstream="app")
        print(f"504 after {timings} s; per-try timeouts {timed_out}, hedges {sent}", flush=True)
        assert timed_out >= 3, timed_out
        assert sent >= 3, sent
    print("ok")


if __name__ == "__main__":
    main()
