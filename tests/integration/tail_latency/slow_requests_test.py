"""A backend that answers slowly (5 s) only on some requests (every 5th), beside a fast one, under
20 concurrent keep-alive connections: hedged tries answer every request within 2 s, none fails,
and the hedges that won are counted.
ctest PROCESSORS 2
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
import tail_common  # noqa: E402


def main():
    with harness.Cleanup() as cleanup:
        slow = cleanup.add(tail_common.Backend("--slow-every", "5", "--slow-ms", "5000"))
        fast = cleanup.add(tail_common.Backend())
        flotilla = cleanup.add(harness.Flotilla(tail_common.config([slow, fast])))
        load = tail_common.Load(flotilla.port, connections=20, max_seconds=30)
        try:
            time.sleep(8.0)
        finally:
            results = load.stop()
        s = tail_common.summary(results)
        print(f"one backend slow (5 s) on every 5th request: {s}", flush=True)
        assert s["requests"] > 300, s
        assert s["errors"] == 0, s
        assert s["slower"] == 0, s
        samples = flotilla.metrics()
        won = harness.metric(samples, "flotilla_hedges_won_total", upstream="app")
        print(f"hedges won {won}", flush=True)
        assert won >= 5, won
    print("ok")


if __name__ == "__main__":
    main()
