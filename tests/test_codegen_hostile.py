"""Generated modules under hostile input: no code runs on import, no two symbols share a name.

Spec names, titles, file paths and ``-o`` paths full of line breaks, quotes and escapes must
reach a module only as literals and one-line comments (its top level parsed with ``ast`` holds
nothing chainrule does not print); spec names that mangle alike must still give the
derivation's cost and gradient; module file names never overwrite ``generated/__init__.py`` or
shadow an importable module; a user's modules go to the per-user cache, not ``generated/``.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import json
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import codegen
from codegen.emit import emit_module
from codegen.modules import GENERATED_DIR, module_name, module_path
from codegen.origin import spec_hash
from codegen.source_text import Identifiers, comment, literal, reserved_names
from derive.scalar.chain import derive
from derive.cli import main
from derive.errors import ChainruleError, SpecError
from derive.spec.network import Network, Notation, Source
from derive.scalar.values import compute

MARKER = "PWNED"
#: Python that leaves a marker file in the working directory when it runs
PAYLOAD = f'import os; open("{MARKER}", "w").write("x")'

#: names and titles that break out of a comment, a string or a docstring as printed before
HOSTILE_TEXTS = {
    "newline": f"n\n{PAYLOAD}\n#",
    "carriage-return": f"n\r{PAYLOAD}\r#",
    "crlf": f"n\r\n{PAYLOAD}\r\n#",
    "triple-quote": f'n"""; {PAYLOAD}; """',
    "triple-single-quote": f"n'''; {PAYLOAD}; '''",
    "quote-newline": f"n'\n{PAYLOAD}\n'",
    "backslash-u": "n\\u00zz \\N{nope} \\x4 \\",
    "trailing-backslash": "n\\",
    "nul": "n\x00m",
    "vertical-tab": f"n\x0b{PAYLOAD}\x0b#",
    "form-feed": f"n\x0c{PAYLOAD}\x0c#",
    "file-separator": f"n\x1c{PAYLOAD}\x1d{PAYLOAD}\x1e#",
    "next-line": f"n\x85{PAYLOAD}\x85#",
    "line-separator": f"n\u2028{PAYLOAD}\u2029#",
    "bidi-override": "n\u202e# \u2066x\u2069",
    "coding-cookie": "-*- coding: latin-1 -*- é ß",
    "escape-sequence": "n\x1b[2J\x1b]0;title\x07",
}


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=True)


def spec_text(name: str = "net", title: str = "", latex: dict[str, str] | None = None) -> str:
    """A small free-form spec with the given name, title and LaTeX spellings."""
    spellings = "".join(f"{k} = {toml_string(v)}\n" for k, v in (latex or {}).items())
    return (f"name = {toml_string(name)}\ntitle = {toml_string(title)}\n"
            "[inputs]\nx = 0.5\n[targets]\ny = 0.25\n[parameters]\nw = 0.3\nb = -0.1\n"
            '[equations]\nh = "sigmoid(w*x + b)"\nE = "(h - y)**2"\n'
            '[training]\ncost = "E"\n' + (f"[latex]\n{spellings}" if spellings else ""))


def small_network(**changes) -> Network:
    network = Network.from_toml_text(spec_text(), file="net.toml")
    return dataclasses.replace(network, **changes)


# --------------------------------------------------------------------------- what a module holds

#: every function a generated module may define
FUNCTIONS = {"_sigmoid", "_softplus", "_relu", "_leaky_relu", "_step", "_sign", "_row_nodes",
             "_row_outputs", "_row_cost", "_row_gradient", "_batch_gradient", "_row_sgd",
             "step_sgd", "step_momentum", "step_nesterov", "step_rmsprop", "step_adam",
             "forward", "predict", "cost", "gradient", "step", "shuffled", "train_epoch",
             "train"}
CONSTANTS = {"SPEC_NAME", "SPEC_HASH", "CHAINRULE_VERSION", "PARAM_NAMES", "INPUT_NAMES",
             "TARGET_NAMES", "OUTPUT_NAMES", "NODE_NAMES", "LOSS", "IS_CLASSIFIER", "DTYPE",
             "INITIAL_PARAMS", "FROZEN", "OPTIMIZERS", "HYPER_NAMES", "DEFAULT_HYPER"}
#: what the right side of a constant may be made of (literals, np.array(...), np.float64)
VALUE_NODES = (ast.Constant, ast.Tuple, ast.List, ast.Call, ast.Attribute, ast.Name, ast.Load,
               ast.keyword, ast.UnaryOp, ast.USub)


def assert_only_chainrule_statements(text: str) -> ast.Module:
    """The module's top level is a docstring, the three imports, the known constants and
    the known functions (decorated with njit, no defaults or annotations evaluated at
    import); nothing else runs when it is imported."""
    tree = ast.parse(text)
    first, *rest = tree.body
    assert isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
        and isinstance(first.value.value, str), "no docstring first"
    assert "\n" not in first.value.value
    imports = []
    for node in rest:
        if isinstance(node, ast.Import):
            imports += [(a.name, a.asname) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.module == "numba" and node.level == 0
            imports += [(f"numba.{a.name}", a.asname) for a in node.names]
        elif isinstance(node, ast.Assign):
            (target,) = node.targets
            assert isinstance(target, ast.Name) and target.id in CONSTANTS, ast.dump(target)
            for part in ast.walk(node.value):
                assert isinstance(part, VALUE_NODES), ast.dump(part)
                if isinstance(part, ast.Call):
                    assert ast.unparse(part.func) == "np.array", ast.unparse(part)
                if isinstance(part, ast.Attribute):
                    assert ast.unparse(part) in {"np.array", "np.float64", "np.float32",
                                                 "np.bool_", "math.inf", "math.nan"}
                if isinstance(part, ast.Name):
                    assert part.id in {"np", "math", "DTYPE"}, part.id
        elif isinstance(node, ast.FunctionDef):
            assert node.name in FUNCTIONS, node.name
            args = node.args
            assert not args.defaults and not args.kw_defaults and not node.returns
            assert all(a.annotation is None for a in args.args)
            for decorator in node.decorator_list:
                assert isinstance(decorator, ast.Call) and ast.unparse(decorator.func) == "njit"
                assert all(isinstance(k.value, (ast.Constant, ast.Set)) for k in decorator.keywords)
        else:
            raise AssertionError(f"a top-level statement chainrule does not print: "
                                 f"{ast.unparse(node)[:200]}")
    assert sorted(imports) == [("math", None), ("numba.njit", None), ("numpy", "np")]
    return tree


def constants_of(tree: ast.Module) -> dict:
    """The string and tuple constants of a module, read without running it."""
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            try:
                out[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    return out


def import_module_file(path: Path) -> types.ModuleType:
    """Import a module file as the issue's reproducer does (and as `chainrule train` does)."""
    spec = importlib.util.spec_from_file_location(f"hostile_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_no_marker(*folders: Path) -> None:
    for folder in folders:
        assert not (folder / MARKER).exists(), f"the module ran code: {folder / MARKER} exists"


# --------------------------------------------------------------------------- section 1

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


# --------------------------------------------------------------------------- committed modules

@pytest.mark.parametrize("path", sorted(GENERATED_DIR.glob("*.py")), ids=lambda p: p.name)
def test_committed_modules_hold_only_chainrule_statements(path):
    if path.name == "__init__.py":
        return
    assert_only_chainrule_statements(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- section 3

def python_module(text: str) -> types.ModuleType:
    """A generated module run as plain Python, njit a no-op: the printed arithmetic, fast."""
    fake = types.ModuleType("numba")
    fake.njit = lambda *args, **kwargs: (lambda f: f)
    real = sys.modules.get("numba")
    module = types.ModuleType("generated_in_python")
    sys.modules["numba"] = fake
    try:
        exec(compile(text, "<generated>", "exec"), module.__dict__)
    finally:
        sys.modules["numba"] = real
    return module


def assert_module_equals_derivation(module, network: Network, rel: float = 1e-12) -> None:
    X = np.array([[network.inputs[x] for x in module.INPUT_NAMES]])
    Y = np.array([[network.targets[y] for y in module.TARGET_NAMES]])
    params = np.array([network.parameters[p] for p in module.PARAM_NAMES])
    truth = compute(derive(network))
    cost, grad = module.gradient(params, X, Y)
    assert cost == pytest.approx(truth.cost, rel=rel)
    assert module.cost(params, X, Y) == pytest.approx(truth.cost, rel=rel)
    np.testing.assert_allclose(grad, [truth.gradients[p] for p in module.PARAM_NAMES],
                               rtol=1e-10, atol=1e-14)


def two_parameter_network(a: str, b: str) -> Network:
    """Parameters ``a`` and ``b`` with different gradients (a swap or a merge shows)."""
    return Network.from_equations(
        name="collide", equations={"h": f"sigmoid({a}*x + {b})", "o": f"tanh({b}*h - {a})",
                                   "E": "(o - y)**2"},
        inputs={"x": 0.7}, targets={"y": 0.2}, parameters={a: 0.4, b: -1.1}, cost="E")


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


#: notation letters that print as the index form's own arrays and locals
LETTERS = ["Z", "A", "DZ", "DA", "z", "src", "rows", "chunk", "total", "cost", "out", "grad",
           "params", "X", "Y", "i", "j", "k", "r", "np", "math", "DTYPE", "FROZEN", "lambda",
           "order", "start", "stop", "if", "w", "b", "a", "x", "y", "C"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({f: st.sampled_from(LETTERS) for f in
                              ("weight", "bias", "preactivation", "activation", "input",
                               "target", "cost")}),
       st.sampled_from([([2, 3, 2], ["sigmoid", "softmax"], "cce"),
                        ([2, 3, 1], ["tanh", "sigmoid"], "bce"),
                        ([1, 5, 2], ["relu", "identity"], "squared_error")]),
       st.sampled_from(["per-neuron", "shared"]))
def test_colliding_notation_in_the_index_form(letters, shape, bias):
    sizes, acts, loss = shape
    try:
        network = Network.layered(sizes, acts, bias=bias, loss=loss, notation=Notation(**letters),
                                  init_seed=3, inputs=[0.3] * sizes[0],
                                  targets=[0.0] * (sizes[-1] - 1) + [1.0])
    except SpecError:
        assume(False)   # letters that give two symbols one name: refused by the spec reader
    for form in ("index", "scalar"):
        module = python_module(emit_module(network, form=form))
        assert_module_equals_derivation(module, network, rel=1e-10)


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


# --------------------------------------------------------------------------- module files

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


def test_a_long_output_name(tmp_path, capsys):
    """The longest name -o takes (200 bytes) is written and compiles with Numba's cache files
    beside it (their names are about 40 characters longer); a longer one is refused."""
    from codegen.modules import MAX_MODULE_FILE_NAME, compile_module
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


# --------------------------------------------------------------------------- the per-user cache

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
    real = emit_module

    def emit(*args, **kwargs):
        text = real(*args, **kwargs)
        if marker == "syntax":
            return text + "\ndef broken(:\n"
        return text.replace("    return history\n", '    return history + "not a number"\n')
    return emit


def test_a_module_that_does_not_compile_is_never_current(tmp_path, cache, monkeypatch):
    spec = tmp_path / "net.toml"
    spec.write_text(spec_text(), encoding="utf-8")
    monkeypatch.setattr("codegen.emit.emit_module", _broken("syntax"))
    with pytest.raises(ChainruleError, match="does not compile"):
        codegen.build(spec)
    assert not module_path(spec).exists() and not list(cache.glob("*"))
    monkeypatch.undo()
    monkeypatch.setenv("CHAINRULE_CACHE_DIR", str(cache))
    assert codegen.build(spec).SPEC_NAME == "net"


def test_a_module_numba_cannot_compile_is_not_kept(tmp_path, cache, monkeypatch, capsys):
    spec = tmp_path / "net.toml"
    spec.write_text(spec_text(), encoding="utf-8")
    monkeypatch.setattr("codegen.emit.emit_module", _broken("numba"))
    assert main(["train", str(spec), "--data", "synthetic", "--epochs", "1", "--quiet",
                 "-o", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "compile" in err and len(err.strip().splitlines()) == 1
    assert not module_path(spec).exists()


# --------------------------------------------------------------------------- section 6: the hash

def test_the_hash_covers_everything_the_module_is_printed_from():
    base = Network.from_toml_text(spec_text(), file="net.toml")
    reordered = Network.from_toml_text(spec_text().replace("w = 0.3\nb = -0.1", "b = -0.1\nw = 0.3"),
                                       file="net.toml")
    assert emit_module(base) != emit_module(reordered)
    variants = [reordered, dataclasses.replace(base, name="other"),
                dataclasses.replace(base, title="other"),
                dataclasses.replace(base, learning_rate=0.2),
                dataclasses.replace(base, freeze=("w",)),
                dataclasses.replace(base, source=Source(file="elsewhere.toml")),
                base.with_values(parameters={"w": 0.31})]
    hashes = {spec_hash(n) for n in variants} | {spec_hash(base, "float32"),
                                                spec_hash(base, form="scalar")}
    assert spec_hash(base) not in hashes and len(hashes) == len(variants) + 2
    layered = Network.layered([2, 2, 1], "sigmoid", init_seed=0)
    assert spec_hash(layered) != spec_hash(Network.layered([2, 2, 1], "sigmoid", init_seed=0,
                                                           name="other"))
