"""`flotilla export systemd`: flotilla.service (flotilla itself: Type=notify, watchdog, reload,
Restart=always, hardening) and one template unit per service, all accepted by
`systemd-analyze verify` (Debian package systemd) without a warning. Run from another directory
with -c, to stdout and to -o DIR.
"""
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402

CONFIG = """
services:
  web:
    command: ["{flotilla}", "demo-app", "--port", "$PORT"]
    env: {{ GREETING: "hello world", PRICE: "5$ and 10%" }}
    replicas: 2
    ports: 18200-18209
    restart: {{ policy: on-failure, delay: 2s }}
    resources: {{ memory: 256Mi, cpu: 500m }}
    stop: {{ signal: INT, grace: 20s }}
  worker:
    command: "sleep 3600"
    shell: true
    stop: {{ grace: 90s }}
"""


def verify(path):
    done = subprocess.run(["systemd-analyze", "verify", path], capture_output=True, text=True,
                          timeout=60)
    return done.returncode, done.stdout + done.stderr


class ExportSystemdTest(unittest.TestCase):
    def test_units_verify(self):
        with tempfile.TemporaryDirectory() as d, tempfile.TemporaryDirectory() as out:
            config = os.path.join(d, "flotilla.yaml")
            with open(config, "w") as f:
                f.write(CONFIG.format(flotilla=harness.FLOTILLA))
            done = subprocess.run([harness.FLOTILLA, "export", "systemd", "-c", config, "-o", out],
                                  capture_output=True, text=True, timeout=30, cwd="/")
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(sorted(os.listdir(out)),
                             ["flotilla.service", "web@.service", "worker@.service"])
            with open(os.path.join(out, "flotilla.service")) as f:
                unit = f.read()
            binary = os.path.realpath(harness.FLOTILLA)
            for line in ("Type=notify", "WatchdogSec=30s", "Restart=always", "KillMode=mixed",
                         f"ExecStart={binary} up -c {config}",
                         f"ExecReload={binary} reload -c {config}",
                         f"WorkingDirectory={d}", "NoNewPrivileges=yes", "ProtectSystem=strict",
                         "TimeoutStopSec=135s"):  # the longest grace (90 s) + 45 s
                self.assertIn(line + "\n", unit)
            with open(os.path.join(out, "web@.service")) as f:
                web = f.read()
            self.assertIn("Environment=PORT=%i\n", web)
            self.assertIn(" --port ${PORT}\n", web)
            self.assertIn('Environment="PRICE=5$ and 10%%"\n', web)
            self.assertIn("KillSignal=SIGINT\n", web)
            self.assertIn("Restart=on-failure\n", web)
            self.assertIn("MemoryMax=268435456\n", web)
            for name in sorted(os.listdir(out)):
                code, output = verify(os.path.join(out, name))
                self.assertEqual((code, output), (0, ""), name)

            done = subprocess.run([harness.FLOTILLA, "export", "systemd", "-c", config],
                                  capture_output=True, text=True, timeout=30)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("# ---- flotilla.service ----\n", done.stdout)
            self.assertIn("# ---- worker@.service ----\n", done.stdout)

    def test_a_broken_unit_fails_verify(self):
        # The check above can fail: systemd-analyze rejects what it must.
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "bad.service")
            with open(path, "w") as f:
                f.write("[Service]\nExecStart=/nonexistent/flotilla up\n")
            code, _ = verify(path)
            self.assertNotEqual(code, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
