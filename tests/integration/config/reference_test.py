"""docs/configuration.md stays true to the parser, both ways.

The parser declares the valid keys of every mapping it reads (config/node_reader.hpp);
`flotilla check --keys` prints them for a file, with how many places in the parser declared
them. every_section.yaml reaches every such place: the count must equal the declaration sites
in src/config/*.cpp (a new `child(...)` or `MapReader` makes this fail until the file and the
reference cover it). Then:

- every key the parser accepts has a row in the reference, and every row names a key the
  parser accepts (rows live under a heading naming their mapping, e.g. ### `services.<name>`);
- every row gives a type, a default and a meaning;
- every YAML example in the reference loads without an error.
"""
import glob
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.join(harness.SOURCE_DIR, "docs", "configuration.md")
HEADING = re.compile(r"^#{2,4} +`([^`]+)`\s*$")
TOP_LEVEL = re.compile(r"^#{2,4} +Top level\s*$")
ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|(.*)\|\s*$")
SITE = re.compile(r"(?:\.|->)child\(|\bMapReader\s+\w+\(")


def parser_keys(path):
    done = subprocess.run([harness.FLOTILLA, "check", "--keys", "-c", path], capture_output=True,
                          text=True, timeout=30)
    return done


def declaration_sites():
    count = 0
    for source in glob.glob(os.path.join(harness.SOURCE_DIR, "src", "config", "*.cpp")):
        if os.path.basename(source) == "node_reader.cpp":
            continue  # MapReader itself
        with open(source) as f:
            count += len(SITE.findall(f.read()))
    return count


def documented():
    """({full key: [cells]}, [yaml examples])"""
    keys, examples = {}, []
    mapping = None
    in_yaml, block = False, []
    with open(REFERENCE) as f:
        for line in f:
            line = line.rstrip("\n")
            if in_yaml:
                if line.startswith("```"):
                    examples.append("\n".join(block) + "\n")
                    in_yaml, block = False, []
                else:
                    block.append(line)
                continue
            if line.startswith("```yaml"):
                in_yaml = True
                continue
            if TOP_LEVEL.match(line):
                mapping = ""
                continue
            m = HEADING.match(line)
            if m:
                mapping = m.group(1)
                continue
            m = ROW.match(line)
            if m and mapping is not None:
                key = m.group(1)
                full = f"{mapping}.{key}" if mapping else key
                keys[full] = [c.strip() for c in m.group(2).split("|")]
    return keys, examples


class ReferenceTest(unittest.TestCase):
    def test_reference_matches_the_parser(self):
        done = parser_keys(os.path.join(HERE, "every_section.yaml"))
        self.assertEqual(done.returncode, 0, done.stderr)
        lines = done.stdout.splitlines()
        accepted = {line for line in lines if line and not line.startswith("#")}
        m = re.search(r"^# (\d+) mappings declared at (\d+) places", done.stdout, re.M)
        self.assertIsNotNone(m, done.stdout)
        sites = declaration_sites()
        self.assertGreater(sites, 40)
        self.assertEqual(int(m.group(2)), sites,
                         "every_section.yaml does not reach every place the parser declares keys")
        self.assertGreater(len(accepted), 150)

        keys, _ = documented()
        missing = sorted(accepted - keys.keys())
        unknown = sorted(keys.keys() - accepted)
        self.assertEqual(missing, [], "accepted by the parser but not in docs/configuration.md")
        self.assertEqual(unknown, [], "in docs/configuration.md but not accepted by the parser")
        for key, cells in keys.items():
            self.assertEqual(len(cells), 3, f"{key}: expected | type | default | meaning |")
            self.assertTrue(all(cells), f"{key}: an empty cell: {cells}")

    def test_examples_load(self):
        _, examples = documented()
        self.assertGreater(len(examples), 5)
        for i, example in enumerate(examples):
            with self.subTest(example=i), tempfile.TemporaryDirectory() as d:
                path = os.path.join(d, "flotilla.yaml")
                with open(path, "w") as f:
                    f.write(example)
                done = parser_keys(path)
                self.assertEqual(done.returncode, 0, f"{done.stderr}\n{example}")

    def test_a_missing_row_is_caught(self):
        # The comparison can fail: the parser's list has keys no reference could guess.
        done = parser_keys(os.path.join(HERE, "every_section.yaml"))
        accepted = {line for line in done.stdout.splitlines() if line and line[0] != "#"}
        self.assertIn("services.<name>.restart.max_delay", accepted)
        self.assertIn("listen[].tls.certificates[].ocsp", accepted)
        self.assertNotIn("services.<name>.replicaz", accepted)


if __name__ == "__main__":
    unittest.main(verbosity=2)
