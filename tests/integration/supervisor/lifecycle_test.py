"""Process hygiene of `flotilla up`, with one flotilla running five kinds of service:
- web: `shell: true`, backgrounds a grandchild (`sleep 1000 &`) then execs the demo app;
- forker: a worker (no ports) whose python forks a child that setsid()s and forks again, so the
  grandchild is an orphan in its own session and process group (re-parented to flotilla, the
  child subreaper; only the cgroup or the subreaper can still find it);
- stubborn: ignores SIGTERM (`trap '' TERM`), so it must be SIGKILLed after stop.grace;
- nobody: `user: nobody` runs as uid 65534 when flotilla is root;
- worker: no ports: it runs and is restarted when killed, but is never routed to.
After SIGTERM, flotilla exits 0 and no process carrying this test's unique marker (an env var
given to every service) is left in /proc.
"""
import datetime
import json
import os
import re
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
import supervision  # noqa: E402

GRACE_MS = 1000

FORKER = r"""
import os, sys, time
child = os.fork()
if child == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "1000"])
    os._exit(0)
os.waitpid(child, 0)
print("forker: grandchild detached", flush=True)
while True:
    time.sleep(1)
"""


def config(first_port, marker):
    name, value = marker.split("=", 1)
    env = {name: value}
    return json.dumps({
        "workers": 1,
        "listen": [{"address": "127.0.0.1:0"}],
        "services": {
            "web": {
                "command": f"sleep 1000 & exec {harness.FLOTILLA} demo-app --port $PORT "
                           f"--threads 1",
                "shell": True,
                "env": env,
                "replicas": 2,
                "ports": f"{first_port}-{first_port + 2}",
                "stop": {"grace": "5s"},
            },
            "forker": {"command": ["/usr/bin/python3", "-c", FORKER], "env": env},
            "stubborn": {
                "command": "trap '' TERM; echo ignoring TERM; while :; do sleep 0.2; done",
                "shell": True,
                "env": env,
                "stop": {"signal": "TERM", "grace": f"{GRACE_MS}ms"},
            },
            # The test's directory is 0700 root: nobody could not chdir into it.
            "nobody": {"command": ["/bin/sleep", "1000"], "user": "nobody", "cwd": "/",
                       "env": env},
            "worker": {
                "command": ["/bin/sh", "-c", "echo worker up; exec sleep 1000"],
                "env": env,
                "restart": {"policy": "always", "delay": "200ms"},
            },
        },
        "upstreams": {"web": {"service": "web"}},
        "routes": [{"match": {"path": "/"}, "upstream": "web"}],
    }, indent=2)


def log_time(line):
    """The timestamp spdlog puts at the start of flotilla's log lines."""
    m = re.match(r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})\]", line)
    return datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f") if m else None


class LifecycleTest(unittest.TestCase):
    def test_shutdown_leaves_nothing_behind(self):
        marker = supervision.unique_marker()
        up = supervision.Up(config(supervision.free_port_range(3), marker))
        stopped = False
        try:
            port = up.wait_listening()
            up.wait_ready("web", 2)
            supervision.wait_until(
                lambda: "grandchild detached" in up.instance_log("forker", 0), 10,
                what="the forker's grandchild")
            pids = dict(up.started())
            self.assertEqual(sorted(pids), ["forker/0", "nobody/0", "stubborn/0", "web/0",
                                            "web/1", "worker/0"], up.log())

            # Everything this test started, instances and their descendants.
            marked = supervision.pids_with_marker(marker)
            # web: demo-app + its backgrounded sleep, x2; forker: python + orphan; stubborn: sh
            # (+ a sleep now and then); nobody; worker.
            self.assertGreaterEqual(len(marked), 8, marked)
            # The forker logs before its middle process exits: the re-parenting follows (bounded).
            supervision.wait_until(
                lambda: [p for p in supervision.pids_with_marker(marker)
                         if p not in pids.values() and supervision.proc_stat(p)[1] == up.pid],
                5, 0.1, "the detached grandchild re-parented to flotilla (child subreaper): "
                f"{marked}")

            # Privilege drop.
            if os.geteuid() == 0:
                self.assertEqual(supervision.proc_uid(pids["nobody/0"]), (65534, 65534))
            else:
                print("lifecycle: SKIPPED the user: nobody check: flotilla is not root here")

            # A worker is restarted when it dies...
            os.kill(pids["worker/0"], signal.SIGKILL)
            new_worker = supervision.wait_until(
                lambda: (up.current_pid("worker/0") or pids["worker/0"]) != pids["worker/0"]
                and up.current_pid("worker/0"), 10, what="worker/0 restarted")
            self.assertTrue(up.lines_matching(r"worker/0: exited: killed by signal 9"))
            # ...and never routed to: only web instances answer, no ready-set for workers.
            seen = set()
            for _ in range(40):
                status, doc = supervision.get_json(port, "/api/hello")
                self.assertEqual(status, 200)
                seen.add(doc["instance"])
            self.assertEqual(seen, {"web/0", "web/1"})
            self.assertFalse(up.lines_matching(r"service (worker|forker|stubborn|nobody): \d+ of"),
                             "a worker got a ready set")

            t0 = time.monotonic()
            code = up.stop(timeout=30)
            shutdown_s = time.monotonic() - t0
            stopped = True
            self.assertEqual(code, 0, up.log())

            # The TERM-ignoring instance was SIGKILLed, and not before its grace.
            stopping = up.lines_matching(r"stubborn/0: stopping pid")
            killed = up.lines_matching(r"stubborn/0: still running %d ms after signal 15: SIGKILL"
                                       % GRACE_MS)
            self.assertTrue(stopping and killed, up.log())
            waited = (log_time(killed[0]) - log_time(stopping[0])).total_seconds()
            self.assertGreaterEqual(waited * 1000, GRACE_MS - 5)
            self.assertTrue(up.lines_matching(r"stubborn/0: stopped \(killed by signal 9"), up.log())

            # Nothing carrying the marker survives (SIGKILLed processes vanish within ms; a
            # bounded wait absorbs the kernel finishing an exit).
            left = supervision.wait_marked_gone(marker)
            print(f"lifecycle: {len(marked)} marked processes while running, {len(left)} after "
                  f"SIGTERM; shutdown took {shutdown_s:.2f}s; stubborn killed {waited:.3f}s "
                  f"after its stop signal; worker restarted as {new_worker}")
            details = {p: (supervision.proc_stat(p), supervision.cmdline(p)) for p in left}
            self.assertEqual(left, [], f"left behind: {details}")
        finally:
            if not stopped:
                up.stop()
            supervision.kill_marked(marker)  # only ever this test's own processes


if __name__ == "__main__":
    unittest.main(verbosity=2)
