"""Bad and ageing certificates: a key that does not match its certificate is an error of
`flotilla check` (exit 1, FILE:LINE:COL at that certificate's entry) and of `flotilla up`; a
`flotilla reload` (or SIGHUP) onto it is refused with the reason and the old certificate is still
served; a certificate expiring within 30 days is a `warning:` that leaves check's exit status 0;
flotilla_certificate_expiry_timestamp_seconds{source="file"} shows when each served certificate
expires."""
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import tls_certs  # noqa: E402
from harness import FLOTILLA, Cleanup, Demo, Flotilla, metric  # noqa: E402

DAY = 86400


def config_text(demo, certificates):
    """A YAML config whose listener's certificates start on line 5, one per line, `{` at col 11.
    `certificates`: [(cert path, key path)]."""
    lines = ["listen:",
             '  - address: "127.0.0.1:0"',
             "    tls:",
             "      certificates:"]
    lines += [f"        - {{ cert: {c}, key: {k} }}" for c, k in certificates]
    lines += ["upstreams:",
              f'  app: {{ servers: ["{demo.address}"] }}',
              "routes:",
              "  - upstream: app",
              "admin:",
              '  listen: "127.0.0.1:0"']
    return "\n".join(lines) + "\n"


def check(path):
    done = subprocess.run([FLOTILLA, "check", "-c", path], capture_output=True, text=True,
                          timeout=30, stdin=subprocess.DEVNULL)
    return done.returncode, done.stdout + done.stderr


class CertificateCheck(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = Cleanup().__enter__()
        try:
            cls.ca = tls_certs.TestCA()
            cls.good = cls.ca.issue("localhost", ["localhost"], "ec")
            cls.other = cls.ca.issue("localhost", ["localhost"], "ec")
            cls.soon = cls.ca.issue("soon.test", ["soon.test"], "rsa", days=10)
            cls.bad_cert, cls.bad_key = tls_certs.mismatched(cls.ca.dir, cls.other, cls.good)
            cls.demo = cls.cleanup.add(Demo())
            cls.dir = tempfile.mkdtemp(prefix="flotilla-check-")
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)

    def write(self, name, certificates):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(config_text(self.demo, certificates))
        return path

    def test_check_reports_a_mismatched_key_at_its_line(self):
        path = self.write("mismatch.yaml", [(self.good.cert, self.good.key),
                                            (self.bad_cert, self.bad_key)])
        code, out = check(path)
        self.assertEqual(code, 1, out)
        # The second certificate's entry: line 6, its `{` at column 11.
        self.assertIn(f"{path}:6:11: ", out)
        line = next(line for line in out.splitlines() if line.startswith(f"{path}:6:11: "))
        self.assertIn("does not match", line)
        self.assertIn(self.bad_key, line)
        self.assertNotIn("configuration OK", out)

    def test_up_refuses_a_mismatched_key(self):
        path = self.write("up-mismatch.yaml", [(self.bad_cert, self.bad_key)])
        done = subprocess.run([FLOTILLA, "up", "-c", path], capture_output=True, text=True,
                              timeout=30, stdin=subprocess.DEVNULL)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn(f"{path}:5:11: ", done.stdout + done.stderr)
        self.assertIn("does not match", done.stdout + done.stderr)

    def test_check_warns_about_a_certificate_expiring_within_30_days(self):
        path = self.write("soon.yaml", [(self.good.cert, self.good.key),
                                        (self.soon.cert, self.soon.key)])
        code, out = check(path)
        self.assertEqual(code, 0, out)
        warnings = [line for line in out.splitlines() if ": warning: " in line]
        self.assertEqual(len(warnings), 1, out)
        self.assertTrue(warnings[0].startswith(f"{path}:6:11: warning: "), warnings[0])
        self.assertIn(self.soon.cert, warnings[0])
        self.assertIn("expires in", warnings[0])
        # A certificate with a year left draws no warning.
        code, out = check(self.write("year.yaml", [(self.good.cert, self.good.key)]))
        self.assertEqual(code, 0, out)
        self.assertNotIn("warning", out)

    def test_reload_onto_a_mismatched_key_is_refused_and_the_old_certificate_stays(self):
        gw = self.cleanup.add(Flotilla(config_text(self.demo, [(self.good.cert,
                                                                self.good.key)])))
        port = gw.listeners()[0][1]
        context = self.ca.client_context()

        def served():
            conn = tls_certs.tls_connect(port, context)
            try:
                return conn.getpeercert(binary_form=True)
            finally:
                conn.close()

        self.assertEqual(served(), self.good.der())
        with open(gw.config, "w") as f:
            f.write(config_text(self.demo, [(self.bad_cert, self.bad_key)]))
        code, out, err = gw.cli("reload")
        self.assertNotEqual(code, 0, out + err)
        self.assertIn("not reloaded", out + err)
        self.assertIn(f"{gw.config}:5:11: ", out + err)
        self.assertIn("does not match", out + err)
        self.assertEqual(served(), self.good.der())
        status, _, _ = tls_certs.https_request(port, context, path="/api/hello")
        self.assertEqual(status, 200)
        # SIGHUP: the same refusal, in the log.
        gw.process.send_signal(signal.SIGHUP)
        m = gw.process.wait_for_line(r"reload.*does not match", 10)
        self.assertIn("error", m.string)
        time.sleep(0.3)
        self.assertEqual(served(), self.good.der())

    def test_expiry_metric_for_each_served_certificate(self):
        gw = self.cleanup.add(Flotilla(config_text(self.demo, [(self.good.cert, self.good.key),
                                                               (self.soon.cert,
                                                                self.soon.key)])))
        samples = gw.metrics()
        now = time.time()
        name = "flotilla_certificate_expiry_timestamp_seconds"
        soon = metric(samples, name, file=self.soon.cert, source="file") - now
        year = metric(samples, name, file=self.good.cert, source="file") - now
        self.assertTrue(9 * DAY < soon <= 10 * DAY, soon)
        self.assertTrue(364 * DAY < year <= 365 * DAY, year)


if __name__ == "__main__":
    unittest.main()
