"""flotilla's own log follows `log:` in the config: `format: json` makes every line one JSON
object (time, level, message), so a log shipper — or a JSON access log on the same stdout — can
parse the stream; `level: warn` drops the info lines and keeps warnings."""
import json
import os
import socket
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
import supervision  # noqa: E402


def run_flotilla(log, seconds=1.5):
    """`flotilla up` on a fixed free port with `log`, and a worker that exits 3 (a warning);
    waits until the gateway accepts plus `seconds`, stops it; returns its output lines."""
    port = harness.free_port()
    directory = tempfile.mkdtemp(prefix="flotilla-log-")
    config = {
        "listen": [{"address": f"127.0.0.1:{port}"}],
        "admin": {"listen": "127.0.0.1:0", "socket": "admin.sock"},
        "log": log,
        "services": {"quitter": {"command": ["/bin/sh", "-c", "exit 3"],
                                 "restart": {"policy": "never"}}},
        "upstreams": {"u": {"servers": ["127.0.0.1:9"]}},
        "routes": [{"match": {"path": "/"}, "upstream": "u"}],
    }
    path = os.path.join(directory, "flotilla.yaml")
    with open(path, "w") as f:
        json.dump(config, f)
    process = harness.Process([harness.FLOTILLA, "up", "-c", path], cwd=directory)
    def accepting():
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return True
        except OSError:
            return False
    try:
        supervision.wait_until(accepting, 15, what="the gateway accepting")
        time.sleep(seconds)
    finally:
        code = process.stop()
    return code, list(process.lines)


class LogConfig(unittest.TestCase):
    def test_json_lines(self):
        code, lines = run_flotilla({"format": "json", "level": "info"})
        self.assertEqual(code, 0, "\n".join(lines))
        self.assertTrue(lines)
        records = [json.loads(line) for line in lines]  # every line parses
        for record in records:
            self.assertEqual(set(record), {"time", "level", "message"}, record)
            self.assertRegex(record["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        messages = [r["message"] for r in records]
        self.assertTrue(any(m.startswith("gateway listening on http://127.0.0.1:")
                            for m in messages), messages)
        self.assertTrue(any(r["level"] == "warning" and "quitter/0: exited: exit code 3"
                            in r["message"] for r in records), messages)

    def test_level_warn_drops_info(self):
        code, lines = run_flotilla({"level": "warn"})
        self.assertEqual(code, 0, "\n".join(lines))
        self.assertFalse([line for line in lines if "[info]" in line], "\n".join(lines))
        self.assertTrue([line for line in lines if "[warning]" in line
                         and "quitter/0: exited: exit code 3" in line], "\n".join(lines))


if __name__ == "__main__":
    unittest.main(verbosity=2)
