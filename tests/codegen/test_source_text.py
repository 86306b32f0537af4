"""Outside text reaching a generated module: spec names, titles, file paths and ``-o`` paths
full of line breaks, quotes and escapes reach it only as literals and one-line comments (no
code runs on import); spec names that mangle alike still give the derivation's cost and
gradient; identifiers are injective and never reserved."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import codegen
from codegen.emit import emit_module
from codegen.source_text import Identifiers, comment, literal, reserved_names
from derive.cli import main
from derive.errors import ChainruleError, SpecError
from derive.spec.model import Network
from derive.spec.source import Source
from tests.codegen.hostile_specs import HOSTILE_TEXTS, MARKER, PAYLOAD, assert_module_equals_derivation, assert_no_marker, assert_only_chainrule_statements, constants_of, import_module_file, python_module, small_network, spec_text, two_parameter_network


@pytest.mark.parametrize("where", ["name", "title"])
@pytest.mark.parametrize("kind", sorted(HOSTILE_TEXTS))
def test_hostile_name_or_title_through_the_cli(kind, where, tmp_path, monkeypatch):
    """The issue's reproducer: `chainrule codegen SPEC -o m.py`, then import m.py."""
    monkeypatch.chdir(tmp_path)
    text = HOSTILE_TEXTS[kind]
    spec = tmp_path / "spec.toml"
    spec.write_text(spec_text(**{where: text}), encoding="utf-8")
    out = tmp_path / "m.py"
    code = main(["codegen", str(spec), "-o", str(out)])
    if code == 2:      # refused by the spec reader: also safe, nothing written
        assert not out.exists()
        return
    assert code == 0
    source = out.read_text(encoding="utf-8")
    tree = assert_only_chainrule_statements(source)
    if where == "name":
        assert constants_of(tree)["SPEC_NAME"] == text
    module = import_module_file(out)
    assert_no_marker(tmp_path, Path("/tmp"))
    assert module.SPEC_NAME == Network.from_toml(spec).name
    assert all(ch.isprintable() or ch == "\n" for ch in source), "an unprintable character"


@pytest.mark.parametrize("kind", sorted(HOSTILE_TEXTS))
def test_hostile_text_in_every_field_through_the_api(kind, tmp_path, monkeypatch):
    """Past the spec reader: a Network with a hostile name, title and file is printed safely."""
    monkeypatch.chdir(tmp_path)
    text = HOSTILE_TEXTS[kind]
    network = small_network(name=text, title=text, source=Source(file=f"/x/{text}/s.toml"))
    out = tmp_path / "m.py"
    module_text = emit_module(network, command=f"chainrule codegen {text} -o {text}")
    tree = assert_only_chainrule_statements(module_text)
    assert constants_of(tree)["SPEC_NAME"] == text
    out.write_text(module_text, encoding="utf-8")
    import_module_file(out)
    assert_no_marker(tmp_path)


@pytest.mark.parametrize("kind", ["newline", "triple-quote", "line-separator", "backslash-u"])
def test_hostile_text_in_an_index_form_module(kind, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = HOSTILE_TEXTS[kind]
    network = dataclasses.replace(Network.layered([2, 3, 2], ["tanh", "softmax"], loss="cce",
                                                  init_seed=0), name=text, title=text)
    module_text = emit_module(network, form="index")
    assert constants_of(assert_only_chainrule_statements(module_text))["SPEC_NAME"] == text
    (tmp_path / "m.py").write_text(module_text, encoding="utf-8")
    import_module_file(tmp_path / "m.py")
    assert_no_marker(tmp_path)


def test_a_lone_surrogate_in_the_name_prints_and_imports(tmp_path):
    network = small_network(name="n\ud800x", title="\udfff")
    text = emit_module(network)
    assert constants_of(assert_only_chainrule_statements(text))["SPEC_NAME"] == "n\ud800x"
    (tmp_path / "m.py").write_text(text, encoding="utf-8")
    assert import_module_file(tmp_path / "m.py").SPEC_NAME == "n\ud800x"


@pytest.mark.parametrize("part", ["folder", "file"])
def test_hostile_spec_path(part, tmp_path, monkeypatch):
    """A newline in the spec's folder or file name reaches the header and the Regenerate
    line: still one comment line each."""
    monkeypatch.chdir(tmp_path)
    hostile = f"d\n{PAYLOAD}\n#"
    spec = tmp_path / hostile / "spec.toml" if part == "folder" else tmp_path / f"{hostile}.toml"
    spec.parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(spec_text(), encoding="utf-8")
    out = tmp_path / "m.py"
    assert main(["codegen", str(spec), "-o", str(out)]) == 0
    assert_only_chainrule_statements(out.read_text(encoding="utf-8"))
    import_module_file(out)
    assert_no_marker(tmp_path)


def test_hostile_output_path(tmp_path, monkeypatch):
    """A newline in the -o path (printed into the "Regenerate:" line)."""
    monkeypatch.chdir(tmp_path)
    out = tmp_path / f"o\n{PAYLOAD}\n#" / "m.py"
    spec = tmp_path / "spec.toml"
    spec.write_text(spec_text(), encoding="utf-8")
    assert main(["codegen", str(spec), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert_only_chainrule_statements(text)
    import_module_file(out)
    assert_no_marker(tmp_path, out.parent)


def test_the_regenerate_line_is_a_quoted_shell_command(tmp_path):
    """Copied into a shell, the "Regenerate:" line runs chainrule and nothing else."""
    import shlex
    spec = tmp_path / "$(touch PWNED); `touch PWNED` 'q'.toml"
    spec.write_text(spec_text(), encoding="utf-8")
    out = tmp_path / "m.py"
    assert main(["codegen", str(spec), "-o", str(out)]) == 0
    line = next(x for x in out.read_text().splitlines() if x.startswith("# Regenerate: "))
    argv = shlex.split(line[len("# Regenerate: "):])
    assert argv == ["chainrule", "codegen", str(spec), "-o", str(out)]


def test_train_does_not_run_a_hostile_name(tmp_path, monkeypatch):
    """`chainrule train SPEC --data synthetic` imports the module: nothing of the name runs."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CHAINRULE_CACHE_DIR", str(tmp_path / "cache"))
    spec = tmp_path / "spec.toml"
    spec.write_text(spec_text(name=HOSTILE_TEXTS["newline"], title=HOSTILE_TEXTS["triple-quote"]),
                    encoding="utf-8")
    code = main(["train", str(spec), "--data", "synthetic", "--epochs", "1", "--quiet",
                 "-o", str(tmp_path / "run")])
    assert code in (0, 2)
    assert_no_marker(tmp_path, Path("/tmp"))
    if code == 0:
        modules = list((tmp_path / "cache").glob("*.py"))
        assert len(modules) == 1
        assert_only_chainrule_statements(modules[0].read_text(encoding="utf-8"))


def test_docstring_and_comments_hold_no_raw_outside_text():
    text = emit_module(small_network(name="evil\nname", title="t\u2028x"))
    tree = ast.parse(text)
    assert "evil" not in ast.get_docstring(tree)     # the name is SPEC_NAME's, as a literal
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert any("evil\\nname" in line for line in header)
    assert any("t\\u2028x" in line for line in header)
    assert not any("evil" in line or "t\\u2028" in line for line in text.splitlines()[:2])


def test_the_encoding_cookie_lines_hold_no_outside_text(tmp_path):
    """Python reads `coding:` from a comment on line 1 or 2: no user text may sit there."""
    network = small_network(name="coding: latin-1 é", title="coding=latin-1",
                            source=Source(file="/tmp/coding: latin-1/x.toml"))
    text = emit_module(network, command="chainrule codegen '/tmp/coding: latin-1/x.toml'")
    assert all("coding" not in line for line in text.splitlines()[:2])
    (tmp_path / "m.py").write_text(text, encoding="utf-8")
    assert import_module_file(tmp_path / "m.py").SPEC_NAME == "coding: latin-1 é"


def test_latex_spellings_never_reach_the_module(tmp_path):
    latex = {"w": f'w"""\n{PAYLOAD}\n#', "b": "\\input{/etc/passwd}\n" + PAYLOAD}
    try:
        network = Network.from_toml_text(spec_text(latex=latex), file="s.toml")
    except SpecError:
        return     # refused by the spec reader's allow-list: fine
    text = emit_module(network)
    assert_only_chainrule_statements(text)
    assert "passwd" not in text and MARKER not in text


def test_literal_and_comment():
    for text in [*HOSTILE_TEXTS.values(), "", "'", '"', "\\", "\ud800", "\U0001f600"]:
        printed = literal(text)
        assert ast.literal_eval(printed) == text and "\n" not in printed
        assert len(ast.parse(printed).body) == 1
        line = comment(text)
        assert len(f"# {line}".splitlines()) == 1 and line.isprintable()
        tree = ast.parse(f"# {line}\nx = 1\n")
        assert len(tree.body) == 1
    for breaker in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00\x1b":
        assert breaker not in comment(f"a{breaker}b")


def test_non_finite_numbers_print_as_names_of_math(tmp_path):
    network = small_network(parameters={"w": float("inf"), "b": float("nan")},
                            learning_rate=float("-inf"))
    text = emit_module(network)
    assert_only_chainrule_statements(text)
    (tmp_path / "m.py").write_text(text)
    module = import_module_file(tmp_path / "m.py")
    assert np.isinf(module.INITIAL_PARAMS[0]) and np.isnan(module.INITIAL_PARAMS[1])
    assert module.DEFAULT_HYPER[0] == -np.inf


PAIRS = [("lambda", "lambda_"), ("np", "np_"), ("X", "X_"), ("params", "params_"),
         ("grad", "grad_"), ("def", "def_"), ("lambda_", "lambda"), ("DTYPE", "FROZEN"),
         ("math", "math_"), ("cost", "cost_"), ("step", "train"), ("shuffled", "gradient")]


@pytest.mark.parametrize("a, b", PAIRS)
def test_colliding_pairs_give_the_derivations_gradient(a, b):
    network = two_parameter_network(a, b)
    assert_module_equals_derivation(python_module(emit_module(network)), network)


def test_lambda_and_lambda_compiled_with_numba(tmp_path):
    """The issue's reproducer, through Numba: the two parameters stay two."""
    network = two_parameter_network("lambda", "lambda_")
    module = codegen.build(network, out=tmp_path / "collide.py")
    assert_module_equals_derivation(module, network)
    text = Path(module.__file__).read_text()
    loads = [line.strip() for line in text.splitlines() if "= params[" in line]
    assert len(set(loads)) == len(set(line.split(" = ")[0] for line in loads))


#: names that collide with Python, Numba, the module or each other once mangled
POOL = ["lambda", "lambda_", "lambda__", "np", "np_", "X", "X_", "Y", "Y_", "params",
        "params_", "grad", "grad_", "def", "def_", "math", "math_", "DTYPE", "FROZEN", "cost",
        "cost_", "step", "shuffled", "train", "train_epoch", "forward", "predict", "gradient",
        "i", "j", "k", "n", "g", "t", "w", "s", "v", "z", "r", "out", "lr", "lr_",
        "weight_decay", "hyper", "state", "order", "total", "src", "rows", "chunk", "Z2", "A2",
        "DZ2", "DA2", "match", "case", "type", "print", "max", "min", "float", "len",
        "range", "numba", "njit", "prange", "True", "None", "class", "if", "nan", "inf",
        "SPEC_NAME", "momentum", "beta1", "eps", "batch", "scale", "epoch", "history", "seed"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(POOL), min_size=7, max_size=7, unique=True))
def test_colliding_name_sets_give_the_derivations_gradient(names):
    """Any seven names from the pool as two parameters, an input, a target, two nodes and
    the cost: the module computes the derivation's cost and gradient."""
    p, q, x, y, h, o, c = names
    network = Network.from_equations(
        name="pool", equations={h: f"sigmoid({p}*{x} + {q})", o: f"{q}*{h}**2 - {p}*{x}",
                                c: f"({o} - {y})**2 + {h}"},
        inputs={x: 0.7}, targets={y: 0.2}, parameters={p: 0.4, q: -1.1}, cost=c)
    assert_module_equals_derivation(python_module(emit_module(network)), network)


def test_identifiers_are_injective_and_never_reserved():
    reserved = reserved_names({"params", "grad", "X"})
    wanted = [(n, n) for n in POOL] + [("again", "lambda")]
    table = Identifiers(wanted, reserved).table
    assert len(set(table.values())) == len(table)
    assert not set(table.values()) & reserved
    assert table["lambda_"] == "lambda_" and table["lambda"] not in ("lambda", "lambda_")
    # a node named like another node's δ (the spec reader refuses delta_ names; the table
    # does not rely on it)
    both = Identifiers([("node delta_x", "delta_x"), ("δ of x", "delta_x")], reserved).table
    assert both == {"node delta_x": "delta_x", "δ of x": "delta_x_"}
    with pytest.raises(ChainruleError, match="not a usable name"):
        Identifiers([("bad", "a b")], reserved)
    with pytest.raises(ChainruleError, match="not a usable name"):
        Identifiers([("mine", "_t0")], reserved)
