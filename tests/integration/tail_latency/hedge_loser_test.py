"""A hedge loser's upstream connection is never reused: one backend is slow (1 s) on /slow, the
other fast; hedged requests for /slow are won by the fast one, and on the slow backend every
connection that carried a /slow request carries nothing after it (flotilla closed it instead of
pooling it), while fast requests still reuse connections (keep-alive works).
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
        slow = cleanup.add(tail_common.Backend("--slow-path", "/slow", "--slow-ms", "1000"))
        fast = cleanup.add(tail_common.Backend())
        flotilla = cleanup.add(harness.Flotilla(tail_common.config(
            [slow, fast], per_try=None, hedge_after="50ms", workers=1)))
        load = tail_common.Load(flotilla.port, connections=4, path="/fast", max_seconds=20)
        try:
            for _ in range(20):
                started = time.monotonic()
                status, _, _ = harness.request(flotilla.port, path="/slow")
                assert status == 200
                assert time.monotonic() - started < 0.9, "a hedge should have answered"
        finally:
            results = load.stop()
        s = tail_common.summary(results)
        assert s["errors"] == 0, s
        time.sleep(1.5)  # the slow backend finishes the cancelled requests
        connections = slow.log()["connections"]
        slow_connections = 0
        reused = 0
        for number, paths in connections.items():
            reused += 1 if len(paths) > 1 else 0
            if "/slow" in paths:
                slow_connections += 1
                after = paths[paths.index("/slow") + 1:]
                assert after == [], f"connection {number} reused after a lost hedge: {paths}"
        print(f"slow backend: {len(connections)} connections, {slow_connections} carried /slow, "
              f"{reused} reused", flush=True)
        assert slow_connections >= 1, connections
        assert reused >= 1, connections  # pooling still works for the others
        samples = flotilla.metrics()
        won = harness.metric(samples, "flotilla_hedges_won_total", upstream="app")
        assert won >= slow_connections, (won, slow_connections)
    print("ok")


if __name__ == "__main__":
    main()
