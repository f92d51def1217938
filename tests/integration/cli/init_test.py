"""`flotilla init`: a commented starter flotilla.yaml that passes `flotilla check`.

Each example (demo, web with a command after --, proxy) is written and checked; an existing
file is never replaced without --force; `-o -` prints instead of writing. The web example with
`-- python3 -m http.server $PORT --bind 127.0.0.1` then really runs: `flotilla up` in that
directory serves the directory listing through 127.0.0.1:8080 (fixed, as the file says; so
RESOURCE_LOCK "port8080").
"""
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
import supervision  # noqa: E402


def flotilla(*args, cwd):
    env = {k: v for k, v in os.environ.items() if k not in ("FLOTILLA_CONFIG", "FLOTILLA_ADMIN")}
    done = subprocess.run([harness.FLOTILLA, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=30, env=env, stdin=subprocess.DEVNULL)
    return done.returncode, done.stdout, done.stderr


class InitTest(unittest.TestCase):
    def test_every_example_passes_check(self):
        for args in (["init"], ["init", "--example", "proxy"], ["init", "--example", "web"],
                     ["init", "--", "python3", "-m", "http.server", "$PORT"]):
            with self.subTest(args=args), tempfile.TemporaryDirectory() as d:
                code, out, err = flotilla(*args, cwd=d)
                self.assertEqual(code, 0, err)
                self.assertIn("wrote flotilla.yaml", out)
                with open(os.path.join(d, "flotilla.yaml")) as f:
                    text = f.read()
                self.assertTrue(text.startswith("# flotilla.yaml"), text[:80])
                self.assertGreater(text.count("\n#"), 3, "the file explains itself")
                code, out, err = flotilla("check", cwd=d)
                self.assertEqual((code, out), (0, "configuration OK\n"), err + "\n" + text)

    def test_refuses_to_overwrite_without_force(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "flotilla.yaml")
            with open(path, "w") as f:
                f.write("mine: true\n")
            code, _, err = flotilla("init", cwd=d)
            self.assertEqual(code, 1)
            self.assertIn("flotilla.yaml already exists; --force replaces it", err)
            with open(path) as f:
                self.assertEqual(f.read(), "mine: true\n")
            code, _, err = flotilla("init", "--force", cwd=d)
            self.assertEqual(code, 0, err)
            code, _, err = flotilla("check", cwd=d)
            self.assertEqual(code, 0, err)

    def test_print_and_bad_example(self):
        with tempfile.TemporaryDirectory() as d:
            code, out, err = flotilla("init", "-o", "-", "--example", "proxy", cwd=d)
            self.assertEqual(code, 0, err)
            self.assertIn("upstreams:", out)
            self.assertFalse(os.path.exists(os.path.join(d, "flotilla.yaml")))
            code, _, err = flotilla("init", "--example", "nope", cwd=d)
            self.assertEqual(code, 2)
            code, out, err = flotilla("init", "--", "python3", "-m", "http.server", cwd=d)
            self.assertEqual(code, 0, err)
            self.assertIn("does not mention $PORT", out)

    def test_web_example_runs_the_command(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "hello.txt"), "w") as f:
                f.write("hello from http.server\n")
            code, _, err = flotilla("init", "--", "python3", "-m", "http.server", "$PORT",
                                    "--bind", "127.0.0.1", cwd=d)
            self.assertEqual(code, 0, err)
            up = supervision.Up(config_path=os.path.join(d, "flotilla.yaml"), cwd=d)
            try:
                self.assertEqual(up.wait_listening(), 8080)
                up.wait_ready("web", 2)
                status, _, body = harness.request(8080, path="/hello.txt")
                self.assertEqual((status, body), (200, b"hello from http.server\n"))
            finally:
                self.assertEqual(up.stop(), 0, up.log())


if __name__ == "__main__":
    unittest.main(verbosity=2)
