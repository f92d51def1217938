"""`make install-files` (the install step of `make install`) into a temporary DESTDIR with
PREFIX=/usr: the binary, flotilla.service, the bash and zsh completions and the man page, each
usable where it lands:

- the installed binary runs (`--version`);
- flotilla.service runs /usr/bin/flotilla on /etc/flotilla/flotilla.yaml and passes
  `systemd-analyze verify --root=DESTDIR` without a warning;
- `man -l` renders flotilla.1 with groff reporting no warning, and every command of
  `flotilla --help` is in it;
- bash completes `flotilla sta` to start/status and `flotilla logs --t` to --tail/--token-file;
- zsh loads _flotilla (`zsh -n`, then compinit with it in fpath) without an error.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402


def run(argv, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, **kwargs)


class InstallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dest = tempfile.mkdtemp(prefix="flotilla-destdir-")
        build = os.path.dirname(os.path.abspath(harness.FLOTILLA))
        done = run(["make", "-C", harness.SOURCE_DIR, "install-files", f"BUILD={build}",
                    f"DESTDIR={cls.dest}", "PREFIX=/usr"])
        if done.returncode != 0:
            raise AssertionError(f"make install-files failed:\n{done.stdout}{done.stderr}")

    def path(self, rel):
        return os.path.join(self.dest, rel.lstrip("/"))

    def test_files_land_under_destdir(self):
        for rel in ("/usr/bin/flotilla", "/usr/lib/systemd/system/flotilla.service",
                    "/usr/share/man/man1/flotilla.1",
                    "/usr/share/bash-completion/completions/flotilla",
                    "/usr/share/zsh/vendor-completions/_flotilla"):
            self.assertTrue(os.path.isfile(self.path(rel)), rel)
        done = run([self.path("/usr/bin/flotilla"), "--version"])
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertTrue(done.stdout.startswith("flotilla "))

    def test_unit_verifies(self):
        with open(self.path("/usr/lib/systemd/system/flotilla.service")) as f:
            unit = f.read()
        self.assertIn("ExecStart=/usr/bin/flotilla up -c /etc/flotilla/flotilla.yaml\n", unit)
        self.assertIn("ExecReload=/usr/bin/flotilla reload -c /etc/flotilla/flotilla.yaml\n", unit)
        self.assertIn("Type=notify\n", unit)
        # --root: ExecStart= is looked up under DESTDIR; the targets a unit needs come from this
        # machine's systemd, copied beside it into a scratch root (DESTDIR stays as installed).
        root = tempfile.mkdtemp(prefix="flotilla-verify-root-")
        shutil.copytree(self.dest, root, dirs_exist_ok=True)
        units = os.path.join(root, "usr/lib/systemd/system")
        for name in os.listdir("/usr/lib/systemd/system"):
            if name.endswith(".target"):
                shutil.copy(os.path.join("/usr/lib/systemd/system", name), units)
        done = run(["systemd-analyze", "verify", f"--root={root}",
                    "/usr/lib/systemd/system/flotilla.service"])
        self.assertEqual((done.returncode, done.stdout + done.stderr), (0, ""))
        # And it can fail: without the binary there, verify refuses the unit.
        os.remove(os.path.join(root, "usr/bin/flotilla"))
        done = run(["systemd-analyze", "verify", f"--root={root}",
                    "/usr/lib/systemd/system/flotilla.service"])
        self.assertNotEqual(done.returncode, 0)
        shutil.rmtree(root)

    def test_man_page_renders_every_command(self):
        env = {k: v for k, v in os.environ.items() if k != "MAN_KEEP_FORMATTING"}
        env["MANWIDTH"] = "100"
        done = run(["man", "-l", self.path("/usr/share/man/man1/flotilla.1")], env=env)
        self.assertEqual(done.returncode, 0, done.stderr)
        page = re.sub(r".\x08", "", done.stdout)  # bold and underline as overstrikes
        warnings = run(["groff", "-man", "-Tutf8", "-ww", "-z",
                        self.path("/usr/share/man/man1/flotilla.1")])
        self.assertEqual(warnings.stderr, "")
        help_text = run([harness.FLOTILLA, "--help"]).stdout
        commands = re.findall(r"^  (\S+)\s", help_text.split("Subcommands:")[1], re.M)
        self.assertGreater(len(commands), 15, help_text)
        for command in commands:
            self.assertIn(f"flotilla {command}", page)
        for text in ("FLOTILLA_CONFIG", "FLOTILLA_ADMIN", "EXIT STATUS", "--tail VALUE",
                     "-f, --force\n", "flotilla status service [OPTIONS]"):
            self.assertIn(text, page)

    def complete_bash(self, *words):
        script = self.path("/usr/share/bash-completion/completions/flotilla")
        line = " ".join(words)
        code = (f"source {script}; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; "
                "_flotilla; printf '%s\\n' \"${COMPREPLY[@]}\"")
        done = run(["bash", "-c", code])
        self.assertEqual(done.returncode, 0, done.stderr)
        return sorted(done.stdout.split())

    def test_bash_completion(self):
        self.assertEqual(self.complete_bash("flotilla", "sta"), ["start", "status"])
        self.assertEqual(self.complete_bash("flotilla", "logs", "--t"), ["--tail", "--token-file"])
        self.assertIn("--force", self.complete_bash("flotilla", "init", "--"))

    def test_zsh_completion_loads(self):
        script = self.path("/usr/share/zsh/vendor-completions/_flotilla")
        done = run(["zsh", "-n", script])
        self.assertEqual(done.returncode, 0, done.stderr)
        fpath = os.path.dirname(script)
        done = run(["zsh", "-f", "-c",
                    f"fpath=({fpath} $fpath); autoload -Uz compinit; compinit -u -D; "
                    "print -r -- ${_comps[flotilla]}"])
        self.assertEqual((done.returncode, done.stdout.strip()), (0, "_flotilla"), done.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
