"""POST is never hedged nor replayed: with one of two backends frozen and a route that hedges
and has per-try timeouts, POSTs that land on the frozen backend wait for the read timeout (504)
and no POST ever reaches both backends; the hedge and per-try counters stay at zero.
"""
import concurrent.futures
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
import tail_common  # noqa: E402


def post(port, n):
    started = time.monotonic()
    status, _, _ = harness.request(port, "POST", "/api/order", headers={"X-Id": f"post-{n}"},
                                   body=b"{}", timeout=20)
    return status, time.monotonic() - started


def main():
    with harness.Cleanup() as cleanup:
        a = cleanup.add(tail_common.Backend())
        b = cleanup.add(tail_common.Backend())
        flotilla = cleanup.add(harness.Flotilla(tail_common.config([a, b], read="3s")))
        # Warm the latency window with GETs, so `auto` has samples.
        for _ in range(60):
            assert harness.request(flotilla.port, path="/warm")[0] == 200
        b.freeze()
        with concurrent.futures.ThreadPoolExecutor(max_workers=5) as pool:
            outcomes = list(pool.map(lambda n: post(flotilla.port, n), range(20)))
        b.thaw()
        time.sleep(1.0)  # b handles what was queued in its socket buffers
        statuses = sorted(set(s for s, _ in outcomes))
        print(f"POST statuses {statuses}", flush=True)
        assert statuses and set(statuses) <= {200, 504}, outcomes
        assert 504 in statuses, outcomes  # some went to the frozen backend and were not replayed
        for status, took in outcomes:
            if status == 504:
                assert took >= 2.5, outcomes  # the read timeout, not a per-try timeout
        seen_a = [i for i in a.log()["ids"] if i.startswith("post-")]
        seen_b = [i for i in b.log()["ids"] if i.startswith("post-")]
        both = set(seen_a) & set(seen_b)
        assert not both, f"POSTs sent to both backends: {sorted(both)}"
        assert len(seen_a) == len(set(seen_a)) and len(seen_b) == len(set(seen_b))
        samples = flotilla.metrics()
        for name in ("flotilla_hedges_sent_total", "flotilla_per_try_timeouts_total",
                     "flotilla_retries_total"):
            assert harness.metric(samples, name, upstream="app") == 0, name
    print("ok")


if __name__ == "__main__":
    main()
