"""With every endpoint slow, hedging stops at the retry budget (20 % of requests in flight,
minimum 3, per worker): under 20 connections to two backends that both take 300 ms, hedges stay
near a quarter of the requests instead of doubling the load.
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
        backends = [cleanup.add(tail_common.Backend("--slow-path", "/", "--slow-ms", "300"))
                    for _ in range(2)]
        flotilla = cleanup.add(harness.Flotilla(tail_common.config(
            backends, per_try=None, hedge_after="50ms", workers=1)))
        load = tail_common.Load(flotilla.port, connections=20, max_seconds=20)
        try:
            time.sleep(6.0)
        finally:
            results = load.stop()
        s = tail_common.summary(results, slow=2.0)
        samples = flotilla.metrics()
        sent = harness.metric(samples, "flotilla_hedges_sent_total", upstream="app")
        requests = s["requests"]
        print(f"every endpoint slow: {requests} requests, {sent} hedges ({s})", flush=True)
        assert s["errors"] == 0, s
        assert requests > 200, s
        # Without the budget every request would hedge (delay 50 ms < 300 ms). With 20 requests
        # in flight the budget admits 4 hedges at once, each living ≤ 250 ms.
        assert 0 < sent <= 0.4 * requests, (sent, requests)
    print("ok")


if __name__ == "__main__":
    main()
