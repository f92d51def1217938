"""Supervised instances: a stopped process (SIGSTOP) leaves rotation at once (requests it held
are hedged, new ones never reach it), comes back when it runs again; a failed liveness check takes an instance out
of rotation at once, and the restart follows failure_threshold.
"""
import json
import os
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
import supervision  # noqa: E402
import tail_common  # noqa: E402


def config(first_port, sick_file):
    return json.dumps({
        "workers": 2,
        "listen": [{"address": "127.0.0.1:0"}],
        "services": {"app": {
            "command": ["/usr/bin/python3", tail_common.BACKEND, "--port", "$PORT",
                        "--sick-file", sick_file + "$INSTANCE"],
            "replicas": 2,
            "ports": f"{first_port}-{first_port + 2}",
            "probes": {"liveness": {"http": "/health", "period": "500ms", "timeout": "400ms",
                                    "failure_threshold": 6}},
            "restart": {"policy": "always", "delay": "300ms"},
            "stop": {"grace": "2s"},
        }},
        "upstreams": {"app": {"service": "app", "balance": "round_robin"}},
        "routes": [{"match": {"path": "/"}, "upstream": "app", "hedge": {"after": "auto"},
                    "retry": {"per_try_timeout": "auto"}}],
    }, indent=2)


def endpoint_up(up, key):
    code, out, err = harness.Flotilla.cli(up, "status", "--json")
    assert code == 0, err
    for upstream in json.loads(out)["upstreams"]:
        for endpoint in upstream["endpoints"]:
            if endpoint["key"] == key:
                return endpoint["up"]
    return False


def main():
    sick = os.path.join(tempfile.mkdtemp(prefix="flotilla-sick-"), "sick-")
    up = supervision.Up(config(supervision.free_port_range(3), sick))
    up.config = up.config_path  # for harness.Flotilla.cli
    try:
        port = up.wait_listening()
        up.wait_ready("app", 2)
        victim = up.current_pid("app/1")
        assert victim, up.log()

        # 1. Frozen: out of rotation within a second, while a load runs.
        load = tail_common.Load(port, connections=10, max_seconds=30)
        try:
            time.sleep(1.0)
            os.kill(victim, signal.SIGSTOP)
            stopped_at = time.monotonic()
            supervision.wait_until(lambda: up.lines_matching(r"app/1: out of rotation at once: "
                                                             r"frozen"), 5, what="freeze noticed")
            noticed = time.monotonic() - stopped_at
            time.sleep(2.0)
            os.kill(victim, signal.SIGCONT)
            supervision.wait_until(lambda: up.lines_matching(r"app/1: runs again"), 5,
                                   what="back in rotation")
            time.sleep(1.0)
        finally:
            results = load.stop()
        s = tail_common.summary(results)
        print(f"frozen supervised instance noticed after {noticed:.2f}s; load {s}", flush=True)
        assert noticed < 1.0, noticed
        assert s["errors"] == 0, s
        assert s["slower"] == 0, s  # requests it held when it stopped were hedged

        # 2. Liveness: one failed check takes it out at once; the restart waits for the threshold.
        with open(sick + "0", "w"):
            pass
        supervision.wait_until(lambda: up.lines_matching(r"app/0: out of rotation at once: "
                                                         r"liveness probe failed"), 5,
                               what="liveness failure noticed")
        assert not endpoint_up(up, "app/0"), up.log()
        assert not up.lines_matching(r"app/0: liveness probe failed 6 times"), up.log()
        supervision.wait_until(lambda: up.lines_matching(r"app/0: liveness probe failed 6 times"),
                               10, what="restart after the threshold")
        os.unlink(sick + "0")
        up.wait_ready("app", 2, timeout=20)
    finally:
        up.stop()
    print("ok")


if __name__ == "__main__":
    main()
