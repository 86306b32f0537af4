"""The house rules of the source tree (issue 9), checked on every run of the suite.

The tree shows the flow: one folder per stage, each importing only the stages below it
(import-linter contracts in ``pyproject.toml``), no circles, no module reaching into another's
private names, files small enough to read, a ruff rule set that passes, and a README drawing
that is true of the tree.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("derive", "codegen")

#: A module longer than this says why in its docstring, in a paragraph starting "Why one file:".
MAX_LINES = 400
WHY_ONE_FILE = "Why one file:"


def _sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py")
                  if "example_specs" not in p.parts)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _tool(name: str) -> str:
    """The console script ``name`` of this Python's environment."""
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def test_import_contracts_are_kept():
    """lint-imports: the layers of the flow and no circles between siblings."""
    run = subprocess.run([_tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def test_ruff_passes():
    """ruff with the small rule set of pyproject.toml, over the source, tests and benchmarks."""
    run = subprocess.run([_tool("ruff"), "check", "--no-cache", "--output-format", "concise",
                          "."], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _private_imports(path: Path) -> list[str]:
    """The places in ``path`` that take another module's private name: ``from X import _name``,
    and ``alias._name`` where ``alias`` is a project module bound by an import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found, modules = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.split(".")[0] in PACKAGES:
            found += [f"{path.relative_to(ROOT)}:{node.lineno}: {node.module}.{alias.name}"
                      for alias in node.names if _is_private(alias.name)]
            modules |= {alias.asname or alias.name for alias in node.names
                        if _is_module(f"{node.module}.{alias.name}")}
        elif isinstance(node, ast.Import):
            modules |= {alias.asname for alias in node.names
                        if alias.asname and alias.name.split(".")[0] in PACKAGES}
    found += [f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.id}.{node.attr}"
              for node in ast.walk(tree)
              if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and node.value.id in modules and _is_private(node.attr)]
    return found


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_module_imports_a_private_name_of_another():
    found = [line for path in _sources() for line in _private_imports(path)]
    assert not found, "\n".join(found)


def _missing_modules(path: Path) -> list[str]:
    """The imports in ``path`` (at the top or inside a function) of a project module that
    does not exist: lint-imports passes over those, and a lazy one fails only when it runs."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = ([node.module] if isinstance(node, ast.ImportFrom) and node.level == 0
                 and node.module else [a.name for a in node.names]
                 if isinstance(node, ast.Import) else [])
        found += [f"{path.relative_to(ROOT)}:{node.lineno}: {name}" for name in names
                  if name.split(".")[0] in PACKAGES and not _is_module(name)]
    return found


def test_every_imported_project_module_exists():
    files = _sources() + sorted((ROOT / "tests").rglob("*.py")) + sorted(
        (ROOT / "bench").rglob("*.py"))
    found = [line for path in files for line in _missing_modules(path)]
    assert not found, "\n".join(found)


def test_private_import_check_sees_one():
    """The check above finds what it looks for (a check that cannot fail asserts nothing)."""
    # a file of its own inside the checkout (the checks name paths relative to it), so that
    # two runs of the suite at once never share it
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="layout_probe_", suffix=".py", dir=ROOT / ".pytest_cache")
    os.close(fd)
    probe = Path(name)
    probe.write_text("from derive.files import _umask\nfrom derive.errors import shown\n"
                     "from derive.spec import expr as ex\nex._private(ex.parse)\n")
    try:
        assert _private_imports(probe) == [
            f"{probe.relative_to(ROOT)}:1: derive.files._umask",
            f"{probe.relative_to(ROOT)}:4: ex._private"]
        probe.write_text("def f():\n    from codegen.optimizers import HYPER\n")
        assert _missing_modules(probe) == [f"{probe.relative_to(ROOT)}:2: codegen.optimizers"]
    finally:
        probe.unlink()


def test_files_are_short_or_say_why():
    long = []
    for path in _sources():
        lines = path.read_text(encoding="utf-8").count("\n")
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if lines > MAX_LINES and WHY_ONE_FILE not in doc:
            long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert not long, (f"over {MAX_LINES} lines without a '{WHY_ONE_FILE}' paragraph in the "
                      "docstring:\n" + "\n".join(long))


def _packages() -> list[Path]:
    return sorted(p.parent for package in PACKAGES for p in (ROOT / package).rglob("__init__.py"))


def _drawing() -> str:
    """The code block of the README's "How the code is laid out" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## How the code is laid out", 1)
    assert len(section) == 2, "README.md has no 'How the code is laid out' section"
    block = re.search(r"```\n(.*?)```", section[1], re.S)
    assert block, "the section has no drawing"
    return block.group(1)


def test_readme_drawing_is_true_of_the_tree():
    """Every path the drawing names exists, and every package of the source is in it."""
    drawing = _drawing()
    named = set(re.findall(r"\b((?:derive|codegen|generated|tests|bench|examples)/[\w/.]*)",
                           drawing))
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert not missing, f"the drawing names what the tree does not have: {missing}"
    shown = {p.rstrip("/") for p in named}
    shown |= {str(Path(p).parent) for p in named if p.endswith(".py")}  # derive/errors.py
    unshown = [str(p.relative_to(ROOT)) for p in _packages()
               if str(p.relative_to(ROOT)) not in shown]
    assert not unshown, f"packages missing from the drawing: {unshown}"


def _blocks(drawing: str) -> dict[str, str]:
    """Each folder the drawing names (``derive/spec/``), with the text drawn for it: its line
    and the lines under it, up to the next folder."""
    blocks, current = {}, None
    for line in drawing.splitlines():
        folder = re.match(r"[\s└├─│]*((?:derive|codegen)/(?:\w+/)*)(?=\s|$)", line)
        if folder:
            current = folder.group(1).rstrip("/")
            blocks[current] = line[folder.end():]
        elif current and line.startswith(" "):
            blocks[current] += " " + line
        else:
            current = None
    return blocks


def test_readme_drawing_names_every_module():
    """A module the drawing leaves out is a room a newcomer will not find: every module of a
    folder is named in that folder's part of the drawing (the ground floor's as name.py)."""
    drawing, blocks = _drawing(), _blocks(_drawing())
    missing = []
    for package in _packages():
        folder = str(package.relative_to(ROOT))
        for module in sorted(package.glob("*.py")):
            if module.stem in ("__init__", "__main__"):
                continue
            if folder == "derive":
                named = re.search(rf"\b{module.stem}\.py\b", drawing)
            else:
                named = re.search(rf"\b{module.stem}\b", blocks.get(folder, ""))
            if not named:
                missing.append(str(module.relative_to(ROOT)))
    assert not missing, f"modules missing from the README drawing: {missing}"


def test_every_package_is_installed():
    """pyproject.toml names every package (its list is explicit), so a plain install has them."""
    import tomllib
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    unlisted = [_module_name(p / "__init__.py") for p in _packages()
                if _module_name(p / "__init__.py") not in listed]
    assert not unlisted, f"packages missing from pyproject.toml: {unlisted}"


@pytest.mark.parametrize("stage", [p for p in (ROOT / "derive").iterdir()
                                   if (p / "__init__.py").exists() and p.name != "example_specs"]
                         + [ROOT / "codegen"], ids=lambda p: p.name)
def test_tests_mirror_the_stage_folders(stage):
    """``derive/<stage>/`` is tested in ``tests/<stage>/``, ``codegen/`` in ``tests/codegen/``."""
    assert (ROOT / "tests" / stage.name / "__init__.py").exists()
