"""Building, caching and loading modules: an up-to-date module is reused; module file names
never overwrite ``generated/__init__.py`` or shadow an importable module; a user's modules go
to the per-user cache, not ``generated/``; a module that does not compile is never kept."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import codegen
from codegen.emit import COMPANION_ABOVE, emit_files
from codegen.modules import GENERATED_DIR, module_name, module_path
from codegen.origin import companion_path
from derive.cli import main
from derive.errors import ChainruleError
from derive.spec.examples import example_path
from derive.spec.model import Network
from derive.spec.source import Source
from tests.codegen.building import CORPUS
from tests.codegen.hostile_specs import small_network, spec_text
from tests.networks import committed_examples


def test_build_reuses_an_up_to_date_module(tmp_path):
    out = tmp_path / "seed004_module.py"
    codegen.build(CORPUS["seed004"], out=out)
    first = out.stat().st_mtime_ns
    codegen.build(CORPUS["seed004"], out=out)
    assert out.stat().st_mtime_ns == first
    changed = CORPUS["seed004"].with_values(parameters={"w1": 0.3})
    codegen.build(changed, out=out)
    assert "0.3, 0.28" in out.read_text()


def test_generated_holds_exactly_the_examples_modules():
    tracked = subprocess.run(["git", "ls-files", "generated"], cwd=GENERATED_DIR.parent,
                             capture_output=True, text=True)
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    files = tracked.stdout.split()
    committed = {Path(p).stem for p in files if p.endswith(".py")}
    assert committed == {"__init__", *committed_examples()}
    companions = {Path(p).name for p in files if not p.endswith(".py")}
    assert companions == {companion_path(GENERATED_DIR / f"{name}.py").name
                          for name in committed_examples()
                          if len(Network.from_toml(example_path(name)).parameters)
                          > COMPANION_ABOVE}


STEMS = ["__init__", "__main__", "np", "numba", "math", "sympy", "numpy", "derive", "codegen",
         "generated", "tests", "os", "def", "match", "réseau", "a.b-c", "-", "9lives", "_x",
         "x" * 250, "ｆｕｌｌ", "con"]


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """A fresh per-user cache for the test."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("CHAINRULE_CACHE_DIR", str(folder))
    return folder


def _importable(name: str) -> bool:
    if name in sys.stdlib_module_names or name in sys.builtin_module_names:
        return True
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


@pytest.mark.parametrize("stem", STEMS)
def test_module_file_names_are_safe(stem, tmp_path, cache):
    spec = tmp_path / f"{stem}.toml"
    spec.write_text(spec_text(), encoding="utf-8")
    init = (GENERATED_DIR / "__init__.py").read_bytes()
    before = sorted(p.name for p in GENERATED_DIR.iterdir())
    network = Network.from_toml(spec)
    name = module_name(network)
    assert name.isidentifier() and name.isascii() and len(name) <= 100
    assert not _importable(name) and not name.startswith("_")
    path = module_path(spec)
    assert path.parent == cache and path.stem.isidentifier() and not _importable(path.stem)
    module = codegen.build(spec)
    assert Path(module.__file__).parent == cache
    assert (GENERATED_DIR / "__init__.py").read_bytes() == init
    assert sorted(p.name for p in GENERATED_DIR.iterdir()) == before


def test_an_empty_stem_and_an_empty_name(tmp_path, cache):
    spec = tmp_path / ".toml"
    spec.write_text(spec_text(), encoding="utf-8")
    assert module_name(Network.from_toml(spec)).isidentifier()
    network = small_network(name="", source=Source())
    assert module_name(network).isidentifier()
    assert module_path(network).parent == cache


@pytest.mark.parametrize("name", ["__init__.py", "numba.py", "np.py", "os.py", "codegen.py",
                                  "derive.py", "generated.py", "m.txt", "m"])
def test_output_files_that_would_shadow_a_module_are_refused(name, tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text(spec_text(), encoding="utf-8")
    assert main(["codegen", str(spec), "-o", str(tmp_path / name)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "error" in err and name in err
    assert not (tmp_path / name).exists()


def test_output_folder_takes_the_default_name(tmp_path, capsys):
    spec = tmp_path / "my_net.toml"
    spec.write_text(spec_text(), encoding="utf-8")
    (tmp_path / "out").mkdir()
    assert main(["codegen", str(spec), "-o", str(tmp_path / "out")]) == 0
    assert main(["codegen", str(spec), "-o", str(tmp_path / "new") + "/"]) == 0
    assert (tmp_path / "out" / "my_net.py").is_file() and (tmp_path / "new" / "my_net.py").is_file()


def test_output_that_is_not_a_regular_file_is_refused(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text(spec_text(), encoding="utf-8")
    assert main(["codegen", str(spec), "-o", "/dev/null"]) == 2
    assert "regular file" in capsys.readouterr().err
    assert Path("/dev/null").is_char_device()


def test_a_long_output_name(tmp_path, capsys, monkeypatch):
    """The longest name -o takes (200 bytes) is written and compiles with Numba's cache files
    beside it (their names are about 40 characters longer); a longer one is refused."""
    import numba

    from codegen.modules import MAX_MODULE_FILE_NAME, compile_module
    monkeypatch.setattr(numba.config, "CACHE_DIR", "")   # beside it even under NUMBA_CACHE_DIR
    spec = tmp_path / "spec.toml"
    spec.write_text(spec_text(), encoding="utf-8")
    out = tmp_path / ("m" * (MAX_MODULE_FILE_NAME - 3) + ".py")
    assert main(["codegen", str(spec), "-o", str(out)]) == 0
    compile_module(codegen.build(spec, out=out))
    assert any((tmp_path / "__pycache__").glob("m*.train_epoch-*.nbi"))
    for name in ("m" * (MAX_MODULE_FILE_NAME - 2) + ".py", "m" * 300 + ".py"):
        assert main(["codegen", str(spec), "-o", str(tmp_path / name)]) == 2
        assert "too long" in capsys.readouterr().err
        assert not (tmp_path / name[:255]).exists()


def test_a_users_module_goes_to_the_cache(tmp_path, cache, capsys):
    spec = tmp_path / "mine.toml"
    spec.write_text(spec_text(), encoding="utf-8")
    assert main(["codegen", str(spec)]) == 0
    written = list(cache.glob("*.py"))
    assert [p.stem.startswith("mine") for p in written] == [True]
    assert str(written[0]) in capsys.readouterr().err
    assert not (GENERATED_DIR / "mine.py").exists()
    assert module_path(spec) == written[0]
    assert codegen.build(spec).__file__ == str(written[0])


def test_the_examples_stay_in_generated():
    for name in ("seed004_afteracademy", "xor", "iris_softmax"):
        assert module_path(name) == GENERATED_DIR / f"{name}.py"


def test_cache_folder_defaults(tmp_path, monkeypatch):
    from codegen.modules import cache_dir
    monkeypatch.setenv("CHAINRULE_CACHE_DIR", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    monkeypatch.delenv("CHAINRULE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "chainrule"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")   # the XDG spec: ignore relative
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "chainrule"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_dir() == tmp_path / "home" / ".cache" / "chainrule"


def test_two_specs_of_one_stem_get_two_modules(tmp_path, cache):
    first, second = tmp_path / "a" / "net.toml", tmp_path / "b" / "net.toml"
    for spec in (first, second):
        spec.parent.mkdir()
        spec.write_text(spec_text(), encoding="utf-8")
    assert module_path(first) != module_path(second)
    assert module_path(first).parent == module_path(second).parent == cache


def _broken(marker: str):
    """An emitter whose module is ``marker``-broken: a syntax error or a Numba type error."""
    real = emit_files

    def emit(*args, **kwargs):
        text, companion = real(*args, **kwargs)
        if marker == "syntax":
            return text + "\ndef broken(:\n", companion
        return text.replace("    return history\n", '    return history + "not a number"\n'), \
            companion
    return emit


def test_a_module_that_does_not_compile_is_never_current(tmp_path, cache, monkeypatch):
    spec = tmp_path / "net.toml"
    spec.write_text(spec_text(), encoding="utf-8")
    monkeypatch.setattr("codegen.emit.emit_files", _broken("syntax"))
    with pytest.raises(ChainruleError, match="does not compile"):
        codegen.build(spec)
    assert not module_path(spec).exists() and not list(cache.glob("*"))
    monkeypatch.undo()
    monkeypatch.setenv("CHAINRULE_CACHE_DIR", str(cache))
    assert codegen.build(spec).SPEC_NAME == "net"


def test_a_module_numba_cannot_compile_is_not_kept(tmp_path, cache, monkeypatch, capsys):
    spec = tmp_path / "net.toml"
    spec.write_text(spec_text(), encoding="utf-8")
    monkeypatch.setattr("codegen.emit.emit_files", _broken("numba"))
    assert main(["train", str(spec), "--data", "synthetic", "--epochs", "1", "--quiet",
                 "-o", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "compile" in err and len(err.strip().splitlines()) == 1
    assert not module_path(spec).exists()
