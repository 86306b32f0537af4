"""chainrule installed with `pip install .` (not editable) into a fresh venv, run from another
folder on a user's spec: its module goes to the per-user cache and is reused from there;
nothing is written into the installed package (site-packages/generated).

The venv sees this interpreter's packages through a ``.pth`` line, so nothing is downloaded;
the test is skipped only when a venv cannot be made here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

#: one install for the file (pytest-xdist runs a group in one process)
pytestmark = pytest.mark.xdist_group("install")

ROOT = Path(__file__).resolve().parent.parent
SPEC = """name = "mine"
[inputs]
x = 0.5
[targets]
y = 0.25
[parameters]
w = 0.3
b = -0.1
[equations]
h = "sigmoid(w*x + b)"
E = "(h - y)**2"
[training]
cost = "E"
"""


#: the environment of every command: none of the variables that would pick the checkout's
#: sources or another cache
ENV = {k: v for k, v in os.environ.items()
       if k not in ("CHAINRULE_CACHE_DIR", "XDG_CACHE_HOME", "NUMBA_CACHE_DIR", "PYTHONPATH",
                    "PYTHONHOME")}


def _venv(folder: Path) -> Path:
    """A fresh venv in ``folder`` that sees this interpreter's packages; its python."""
    try:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages",
                        str(folder)], check=True, capture_output=True, timeout=120, env=ENV)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as err:
        pytest.skip(f"cannot make a venv here: {err}")
    python = folder / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; "
                              "print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True, env=ENV).stdout.strip()
    Path(purelib, "chainrule_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def _source(folder: Path) -> Path:
    """A copy of the checkout's package sources (so the build leaves nothing in the tree)."""
    for name in ("derive", "codegen", "generated", "examples"):
        shutil.copytree(ROOT / name, folder / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, folder / name)
    return folder


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The python of a fresh venv with chainrule installed by a plain `pip install`."""
    tmp_path = tmp_path_factory.mktemp("install")
    python = _venv(tmp_path / "venv")
    source = _source(tmp_path / "src")
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps",
                              "--no-build-isolation", "--no-index", str(source)],
                             capture_output=True, text=True, timeout=300, cwd=tmp_path, env=ENV)
    if install.returncode != 0 and "No module named pip" in install.stderr:
        pytest.skip("no pip for the venv")
    assert install.returncode == 0, install.stderr[-3000:]
    return python


def test_pip_install_then_a_users_spec_uses_the_cache(installed, tmp_path):
    python = installed
    site = Path(subprocess.run([str(python), "-c", "import derive, pathlib; "
                                "print(pathlib.Path(derive.__file__).parent.parent)"],
                               capture_output=True, text=True, check=True, cwd=tmp_path,
                               env=ENV).stdout.strip())
    assert site.is_relative_to(python.parent.parent), "the installed copy is not the one imported"
    package = _files(site / "generated")

    work, home = tmp_path / "work", tmp_path / "home"
    work.mkdir()
    home.mkdir()
    (work / "mynet.toml").write_text(SPEC)
    env = {**ENV, "HOME": str(home)}
    chainrule = str(python.parent / "chainrule")

    def run(*argv: str, **extra: str) -> subprocess.CompletedProcess:
        done = subprocess.run([chainrule, *argv], cwd=work, env={**env, **extra},
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "Traceback" not in done.stderr
        return done

    run("codegen", "mynet.toml")
    cache = home / ".cache" / "chainrule"
    (module,) = cache.glob("mynet_*.py")
    written = module.stat().st_mtime_ns
    trained = run("train", "mynet.toml", "--data", "synthetic", "--epochs", "2", "-o", "run")
    assert "deriving" not in trained.stderr                  # the cached module was current
    assert module.stat().st_mtime_ns == written
    assert any((cache / "__pycache__").glob(f"{module.stem}.train_epoch-*.nbi"))
    assert json.loads((work / "run" / "metrics.json").read_text())["epochs"] == 2
    assert _files(site / "generated") == package, "chainrule wrote into the installed package"
    assert sorted(p.name for p in work.iterdir()) == ["mynet.toml", "run"]

    other = tmp_path / "other-cache"
    run("codegen", "mynet.toml", CHAINRULE_CACHE_DIR=str(other))
    assert [p.name.startswith("mynet_") for p in other.glob("*.py")] == [True]


def test_pip_install_has_the_examples_and_their_current_modules(installed, tmp_path):
    """A plain install carries the example specs (inside derive) and their committed modules,
    and an example's module is current there: nothing is derived or written again."""
    python = installed
    work = tmp_path / "work"
    work.mkdir()
    env = {**ENV, "HOME": str(tmp_path / "home")}
    chainrule = str(python.parent / "chainrule")
    site = Path(subprocess.run([str(python), "-c", "import generated, pathlib; "
                                "print(pathlib.Path(generated.__file__).parent)"],
                               capture_output=True, text=True, check=True, cwd=work,
                               env=env).stdout.strip())
    modules = {p.name: p.read_bytes() for p in site.glob("*.py")}
    # seed 003's 784-64-10 module reads its companion file, which the install carries too
    big = subprocess.run([str(python), "-c", "import generated.seed003_keras_mnist as m; "
                          "print(len(m.PARAM_NAMES), m.INITIAL_PARAMS.shape[0])"],
                         capture_output=True, text=True, cwd=work, env=env)
    assert big.returncode == 0 and big.stdout.split() == ["50890", "50890"], big.stderr[-2000:]

    listed = subprocess.run([chainrule, "examples"], cwd=work, env=env, capture_output=True,
                            text=True, timeout=120)
    assert listed.returncode == 0 and "xor" in listed.stdout and "seed004_afteracademy" in listed.stdout
    done = subprocess.run([chainrule, "train", "xor", "--data", "xor", "--epochs", "2", "-o", "run"],
                          cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "deriving" not in done.stderr                     # the installed module was current
    assert {p.name: p.read_bytes() for p in site.glob("*.py")} == modules
    derived = subprocess.run([chainrule, "derive", "seed004_afteracademy", "--format", "json"],
                             cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert derived.returncode == 0, derived.stderr[-3000:]
    assert "cost_after" in json.loads(derived.stdout)
