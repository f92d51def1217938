"""Nothing outside a static root is ever served: 40 traversal vectors sent as raw bytes (curl and
browsers would normalise them) — dot segments, percent-encoded and double-encoded dots and
slashes, backslashes, NUL, overlong UTF-8 — each answered 400/403/404 without the secret; the
same over HTTP/2 with curl --path-as-is; symlinks that leave root refused unless
follow_symlinks, symlinks inside root followed."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import Cleanup, Flotilla, require_tools  # noqa: E402

SECRET = b"TOP-SECRET-6f1d"

VECTORS = [
    "/../secret.txt",
    "/../../secret.txt",
    "/./../secret.txt",
    "/sub/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/secret.txt",
    "/.%2e/secret.txt",
    "/%2e./secret.txt",
    "/sub/%2e%2e/%2e%2e/secret.txt",
    "/%252e%252e/secret.txt",
    "/%25252e%25252e/secret.txt",
    "/..%2fsecret.txt",
    "/..%2Fsecret.txt",
    "/%2e%2e%2fsecret.txt",
    "/..%252fsecret.txt",
    "/..\\secret.txt",
    "/..%5csecret.txt",
    "/%2e%2e%5csecret.txt",
    "/..%255csecret.txt",
    "/sub\\..\\..\\secret.txt",
    "/%c0%ae%c0%ae/secret.txt",
    "/%c0%2e%c0%2e/secret.txt",
    "/%e0%80%ae%e0%80%ae/secret.txt",
    "/%c0%af..%c0%afsecret.txt",
    "/..%c0%afsecret.txt",
    "/..%c1%9csecret.txt",
    "/%f0%80%80%ae%f0%80%80%ae/secret.txt",
    "/%uff0e%uff0e/secret.txt",
    "/..%00/secret.txt",
    "/%00../secret.txt",
    "/secret.txt%00.html",
    "/..;/secret.txt",
    "/.../secret.txt",
    "/....//secret.txt",
    "//../secret.txt",
    "/%2fetc%2fpasswd",
    "//etc/passwd",
    "/..%2f..%2f..%2fetc%2fpasswd",
    "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/escape",
    "/escape_dir/secret.txt",
    "/sub/escape_relative",
]


class Traversal(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("curl")
        cls.cleanup = Cleanup().__enter__()
        cls.dir = tempfile.mkdtemp(prefix="flotilla-traversal-")
        try:
            site = os.path.join(cls.dir, "site")
            os.makedirs(os.path.join(site, "sub"))
            with open(os.path.join(cls.dir, "secret.txt"), "wb") as f:
                f.write(SECRET)
            with open(os.path.join(site, "sub", "ok.txt"), "wb") as f:
                f.write(b"fine")
            with open(os.path.join(site, "index.html"), "wb") as f:
                f.write(b"home")
            os.symlink(os.path.join(cls.dir, "secret.txt"), os.path.join(site, "escape"))
            os.symlink(cls.dir, os.path.join(site, "escape_dir"))
            os.symlink("../../secret.txt", os.path.join(site, "sub", "escape_relative"))
            os.symlink("sub/ok.txt", os.path.join(site, "inside"))
            config = {
                "workers": 1,
                "listen": [{"address": "127.0.0.1:0", "http2": True}],
                "routes": [
                    {"match": {"path": "/follow/"},
                     "static": {"root": site, "follow_symlinks": True}},
                    {"match": {"path": "/"}, "static": {"root": site}},
                ],
            }
            cls.gw = cls.cleanup.add(Flotilla(json.dumps(config)))
        except BaseException:
            cls.cleanup.__exit__(None, None, None)
            shutil.rmtree(cls.dir, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup.__exit__(None, None, None)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def raw_get(self, target):
        with socket.create_connection(("127.0.0.1", self.gw.port), timeout=5) as s:
            s.sendall(b"GET " + target.encode("latin-1") +
                      b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = b""
            while len(data) < 1 << 20:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        return data

    def test_at_least_30_vectors(self):
        self.assertGreaterEqual(len(VECTORS), 30)

    def test_every_vector_is_refused_over_http1(self):
        for target in VECTORS:
            with self.subTest(target=target):
                raw = self.raw_get(target)
                status = raw[9:12]
                self.assertIn(status, (b"400", b"403", b"404"), raw[:200])
                self.assertNotIn(SECRET, raw)
                self.assertNotIn(b"root:x:0:0", raw)

    def test_every_vector_is_refused_over_http2(self):
        for target in VECTORS:
            if "\\" in target:
                continue  # not a URL curl sends as is
            with self.subTest(target=target):
                done = subprocess.run(
                    ["curl", "-sS", "--http2-prior-knowledge", "--path-as-is", "-w", "\n%{http_code}",
                     f"http://127.0.0.1:{self.gw.port}{target}"],
                    capture_output=True, timeout=20, stdin=subprocess.DEVNULL)
                body, _, status = done.stdout.rpartition(b"\n")
                self.assertIn(status, (b"400", b"403", b"404"), done.stdout[:200] + done.stderr)
                self.assertNotIn(SECRET, done.stdout)

    def test_symlinks(self):
        self.assertEqual(self.raw_get("/escape")[9:12], b"403")
        self.assertEqual(self.raw_get("/escape_dir/secret.txt")[9:12], b"403")
        inside = self.raw_get("/inside")
        self.assertEqual(inside[9:12], b"200")
        self.assertTrue(inside.endswith(b"\r\n\r\nfine"))
        # follow_symlinks: the operator said the links may lead anywhere.
        followed = self.raw_get("/follow/escape")
        self.assertEqual(followed[9:12], b"200")
        self.assertTrue(followed.endswith(SECRET))
        self.assertIn(SECRET, self.raw_get("/follow/escape_dir/secret.txt"))

    def test_valid_paths_still_work(self):
        self.assertTrue(self.raw_get("/sub/ok.txt").endswith(b"fine"))
        self.assertTrue(self.raw_get("/sub//ok.txt").endswith(b"fine"))
        self.assertTrue(self.raw_get("/%73ub/ok.txt").endswith(b"fine"))
        self.assertTrue(self.raw_get("/").endswith(b"home"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
