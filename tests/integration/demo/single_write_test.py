"""The demo app sends each small response (head + body) in ONE write system call, so a process
killed between two writes can never leave a head without its body on the wire (the supervisor's
kill tests rely on it). Checked from outside: the demo app runs under strace, and the syscall
that carries each status line must also carry that response's body.

Needs strace and ptrace permission; without them the test says so and exits 77 (ctest skip)."""
import os
import re
import signal
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402

SKIP = 77
LISTEN = re.compile(r"demo-app listening on 127\.0\.0\.1:(\d+) \(pid (\d+)\)")
WRITE_CALLS = "write,writev,sendmsg,sendto"


class SingleWriteTest(unittest.TestCase):
    def test_each_reply_is_one_write(self):
        harness.require_tools("strace")
        trace = os.path.join(tempfile.mkdtemp(prefix="flotilla-strace-"), "trace")
        proc = harness.Process(["strace", "-f", "-qq", "-s", "4096", "-e", f"trace={WRITE_CALLS}",
                                "-o", trace, harness.FLOTILLA, "demo-app", "--port", "0",
                                "--threads", "2"], name="strace demo-app")
        demo_pid = None
        try:
            try:
                m = proc.wait_for_line(LISTEN.pattern, 15)
            except AssertionError as e:
                if "ptrace" in proc.output() or "Operation not permitted" in proc.output():
                    raise unittest.SkipTest(f"ptrace not permitted here: {proc.output()}")
                raise e
            port, demo_pid = int(m.group(1)), int(m.group(2))
            answers = [
                ("/api/hello", 200, b'"message":"hello"'),
                ("/health", 200, b'"status":"healthy"'),
                ("/api/status/503", 503, b'"status":503'),
                ("/nope", 404, b"error"),
            ]
            for path, status, needle in answers:
                got, _, body = harness.request(port, "GET", path)
                self.assertEqual(got, status, body)
                self.assertIn(needle, body)
        finally:
            if demo_pid:
                try:
                    os.kill(demo_pid, signal.SIGTERM)  # strace exits with its tracee
                except ProcessLookupError:
                    pass
            proc.stop(timeout=10)
        with open(trace, errors="replace") as f:
            calls = [line for line in f if "HTTP/1.1 " in line]
        # One syscall per response, and it holds the status line *and* the body.
        self.assertEqual(len(calls), len(answers), f"syscalls carrying a status line: {calls}")
        for path, status, needle in answers:
            escaped = needle.decode().replace('"', '\\"')
            whole = [c for c in calls if f"HTTP/1.1 {status} " in c and escaped in c]
            self.assertEqual(len(whole), 1, f"{path}: no single syscall with the status line "
                                            f"and the body ({escaped}): {calls}")
        print(f"single write: {len(calls)} responses traced, each head and body in one syscall")


if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    if result.skipped and result.wasSuccessful():
        print(f"SKIP: {result.skipped[0][1]}")
        sys.exit(SKIP)
    sys.exit(0 if result.wasSuccessful() else 1)
