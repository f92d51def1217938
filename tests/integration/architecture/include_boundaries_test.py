"""Module boundaries: every `#include "x/..."` under src/ (subfolders included) must be allowed by
the "Module dependencies" table in docs/architecture.md, and every directory under src/ must have
a row there. A failure names FILE:LINE and the include. The checker is also run on a synthetic
tree with a forbidden include and a module without a row, to prove it can fail.
"""
import os
import re
import tempfile
import unittest

SOURCE_DIR = os.environ.get(
    "SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..")))

SECTION = "## Module dependencies"
SOURCE_SUFFIXES = (".cpp", ".hpp", ".h", ".cc", ".ipp", ".inc")
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
MODULE_CELL = re.compile(r"`([a-z0-9_]+)`")


def parse_table(markdown):
    """{module: set of modules it may include, or None for everything} from the section's table."""
    start = markdown.find(SECTION)
    if start < 0:
        raise ValueError(f"docs/architecture.md has no '{SECTION}' section")
    allowed = {}
    in_table = False
    for line in markdown[start:].splitlines()[1:]:
        if line.startswith("## "):
            break
        if not line.startswith("|"):
            if in_table:
                break
            continue
        in_table = True
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or set(cells[0]) <= set("-: ") or cells[0] == "module":
            continue
        name = MODULE_CELL.fullmatch(cells[0])
        if not name:
            raise ValueError(f"module dependencies: bad module cell {cells[0]!r}")
        may = cells[1]
        if may == "everything":
            allowed[name.group(1)] = None
        elif may == "nothing":
            allowed[name.group(1)] = set()
        else:
            targets = MODULE_CELL.findall(may)
            if not targets:
                raise ValueError(f"module dependencies: bad row for {cells[0]}: {may!r}")
            allowed[name.group(1)] = set(targets)
    if not allowed:
        raise ValueError(f"'{SECTION}' has no table rows")
    return allowed


def check(root):
    """Every problem in the tree at `root` (docs/architecture.md + src/), as readable lines."""
    with open(os.path.join(root, "docs", "architecture.md"), encoding="utf-8") as f:
        allowed = parse_table(f.read())
    src = os.path.join(root, "src")
    modules = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)))
    problems = [f"src/{m}/: no row in the '{SECTION}' table of docs/architecture.md"
                for m in modules if m not in allowed]
    for dirpath, _, files in os.walk(src):
        rel_dir = os.path.relpath(dirpath, src)
        owner = None if rel_dir == "." else rel_dir.split(os.sep)[0]
        for name in sorted(files):
            if not name.endswith(SOURCE_SUFFIXES):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            with open(path, encoding="utf-8", errors="replace") as f:
                for number, line in enumerate(f, 1):
                    match = INCLUDE.match(line)
                    if not match:
                        continue
                    target = match.group(1).split("/")[0] if "/" in match.group(1) else None
                    if target is None or target == owner:
                        continue  # same module, or a header next to this file
                    where = f"{rel}:{number}: #include \"{match.group(1)}\""
                    if target not in modules and target not in allowed:
                        problems.append(f"{where}: '{target}' is not a module under src/")
                    elif owner is None:
                        problems.append(f"{where}: files directly under src/ include no module")
                    elif owner in allowed and allowed[owner] is not None \
                            and target not in allowed[owner]:
                        may = ", ".join(sorted(allowed[owner])) or "nothing"
                        problems.append(f"{where}: {owner} may include {may}, not {target}")
    return problems


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


class IncludeBoundariesTest(unittest.TestCase):
    def test_the_tree_keeps_its_module_boundaries(self):
        problems = check(SOURCE_DIR)
        self.assertEqual(problems, [], "\n" + "\n".join(problems))

    def test_the_table_lists_the_modules_being_added(self):
        with open(os.path.join(SOURCE_DIR, "docs", "architecture.md"), encoding="utf-8") as f:
            allowed = parse_table(f.read())
        self.assertEqual(allowed["tls"], {"config", "net"})
        self.assertEqual(allowed["promql"], set())
        self.assertIsNone(allowed["app"])
        self.assertTrue({"http", "net", "tls"} <= allowed["client"])
        # The cache's RFC logic and stores never reach into the gateway; the gateway uses them.
        self.assertEqual(allowed["cache"], {"http"})
        self.assertIn("cache", allowed["gateway"])

    def test_the_checker_names_a_forbidden_include_and_a_module_without_a_row(self):
        with tempfile.TemporaryDirectory() as root:
            write(root, "docs/architecture.md",
                  "# x\n\n## Module dependencies\n\n| module | may include |\n|---|---|\n"
                  "| `low` | nothing |\n| `high` | `low` |\n| `top` | everything |\n\n## Next\n")
            write(root, "src/low/a.hpp", '#pragma once\n#include <vector>\n#include "low/b.hpp"\n')
            write(root, "src/low/deep/c.cpp",
                  '// comment\n#include "deep_local.hpp"\n  #  include "high/h.hpp"\n')
            write(root, "src/high/h.hpp", '#include "low/a.hpp"\n')
            write(root, "src/top/t.cpp", '#include "high/h.hpp"\n#include "low/a.hpp"\n')
            write(root, "src/extra/e.cpp", '#include "low/a.hpp"\n#include "nowhere/x.hpp"\n')
            problems = check(root)
            self.assertIn('src/low/deep/c.cpp:3: #include "high/h.hpp": low may include '
                          'nothing, not high', problems)
            self.assertIn("src/extra/: no row in the '## Module dependencies' table of "
                          "docs/architecture.md", problems)
            self.assertIn('src/extra/e.cpp:2: #include "nowhere/x.hpp": \'nowhere\' is not a '
                          'module under src/', problems)
            self.assertEqual(len(problems), 3, "\n".join(problems))

            write(root, "src/high/h.hpp", '#include "low/a.hpp"\n#include "top/t.hpp"\n')
            self.assertIn('src/high/h.hpp:2: #include "top/t.hpp": high may include low, not top',
                          check(root))

    def test_a_missing_section_is_an_error(self):
        with self.assertRaises(ValueError):
            parse_table("# architecture\n\nno table here\n")


if __name__ == "__main__":
    unittest.main(verbosity=2)
