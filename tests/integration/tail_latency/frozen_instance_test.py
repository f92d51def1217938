"""One of two, then one of three, backends frozen (SIGSTOP) for 6 s under 20 concurrent
keep-alive connections: with hedging and per-try timeouts no request takes more than 2 s and none
fails; the frozen endpoint is ejected for latency; `flotilla status --json` shows the upstream's
latency window and the per-try timeout `auto` derives from it; the metrics count hedges.
ctest PROCESSORS 2
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
import tail_common  # noqa: E402


def freeze_one(count):
    with harness.Cleanup() as cleanup:
        backends = [cleanup.add(tail_common.Backend()) for _ in range(count)]
        flotilla = cleanup.add(harness.Flotilla(tail_common.config(backends)))
        load = tail_common.Load(flotilla.port, connections=20, max_seconds=40)
        try:
            time.sleep(2.0)  # warm: the latency window fills
            backends[-1].freeze()
            time.sleep(6.0)
            backends[-1].thaw()
            time.sleep(2.0)
        finally:
            results = load.stop()
        s = tail_common.summary(results)
        print(f"{count} backends, one frozen 6 s: {s}", flush=True)
        assert s["requests"] > 500, s
        assert s["errors"] == 0, s
        assert s["slower"] == 0, s

        samples = flotilla.metrics()
        hedges = harness.metric(samples, "flotilla_hedges_sent_total", upstream="app")
        won = harness.metric(samples, "flotilla_hedges_won_total", upstream="app")
        ejections = harness.metric(samples, "flotilla_latency_ejections_total", upstream="app")
        print(f"hedges sent {hedges}, won {won}, latency ejections {ejections}", flush=True)
        assert hedges >= 1 and won >= 1, (hedges, won)
        assert ejections >= 1, ejections

        code, out, err = flotilla.cli("status", "--json")
        assert code == 0, err
        document = json.loads(out)
        upstream = [u for u in document["upstreams"] if u["name"] == "app"][0]
        latency = upstream["latency"]
        assert latency["samples"] >= 32, latency
        assert latency["per_try_timeout_auto_ms"] >= 250, latency


def main():
    harness.require_tools("/usr/bin/python3")
    freeze_one(2)
    freeze_one(3)
    print("ok")


if __name__ == "__main__":
    main()
