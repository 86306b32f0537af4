"""Hostile text for the codegen tests, and what a generated module may hold.

Spec names and titles that break out of a comment, a string or a docstring as printed before;
a small spec that carries them; the check that a module's top level holds nothing chainrule
does not print; a module text imported as Python, and its gradient against the derivation's.
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

from derive.scalar.chain import derive
from derive.scalar.values import compute
from derive.spec.model import Network


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


#: every function a generated module may define
FUNCTIONS = {"_sigmoid", "_softplus", "_relu", "_leaky_relu", "_step", "_sign", "_row_nodes",
             "_row_outputs", "_row_cost", "_row_gradient", "_batch_gradient", "_row_sgd",
             "_epoch_sgd", "_sgd_batch", "_step_batch", "_sgd_chunk", "_gemm",
             "_gathered", "step_sgd", "step_momentum", "step_nesterov", "step_rmsprop", "step_adam",
             "forward", "predict", "cost", "gradient", "step", "shuffled", "train_epoch",
             "train", "_forward", "_chunk_cost", "_chunk_gradient", "_consecutive",
             "_companion"}


CONSTANTS = {"SPEC_NAME", "SPEC_HASH", "CHAINRULE_VERSION", "PARAM_NAMES", "INPUT_NAMES",
             "TARGET_NAMES", "OUTPUT_NAMES", "NODE_NAMES", "LOSS", "IS_CLASSIFIER", "DTYPE",
             "INITIAL_PARAMS", "FROZEN", "OPTIMIZERS", "HYPER_NAMES", "DEFAULT_HYPER",
             "_COMPANION_SHA256", "_BLAS_KIND", "_XXGEMM"}
#: a big module reads its parameters' names and starting values from its companion file
COMPANION_READ = "PARAM_NAMES, INITIAL_PARAMS = _companion()"

#: the calls a constant may make: data constructors only (a big module's frozen flags are
#: np.zeros or np.isin of their indices; the matrix form's BLAS gemm is declared by its
#: symbol: types.ExternalFunction)
CALLS = {"np.array", "np.zeros", "np.isin", "np.arange", "types.ExternalFunction", "types.intc"}
BLAS_TYPES = {"types.char", "types.intp", "types.voidptr"}


#: what the right side of a constant may be made of (literals, np.array(...), np.float64)
VALUE_NODES = (ast.Constant, ast.Tuple, ast.List, ast.Call, ast.Attribute, ast.Name, ast.Load,
               ast.keyword, ast.UnaryOp, ast.USub)


def _is_astype(node: ast.AST) -> bool:
    """``<an allowed call>.astype``: a conversion of the array a data constructor made."""
    return isinstance(node, ast.Attribute) and node.attr == "astype" \
        and isinstance(node.value, ast.Call)


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
            imports += [(f"{node.module}.{a.name}", a.asname) for a in node.names]
        elif isinstance(node, ast.Assign) and ast.unparse(node) == COMPANION_READ:
            continue
        elif isinstance(node, ast.Assign):
            (target,) = node.targets
            assert isinstance(target, ast.Name) and target.id in CONSTANTS, ast.dump(target)
            for part in ast.walk(node.value):
                assert isinstance(part, VALUE_NODES), ast.dump(part)
                if isinstance(part, ast.Call):
                    assert ast.unparse(part.func) in CALLS or _is_astype(part.func), \
                        ast.unparse(part)
                if isinstance(part, ast.Attribute) and not _is_astype(part):
                    assert ast.unparse(part) in {"np.array", "np.float64", "np.float32",
                                                 "np.bool_", "math.inf", "math.nan"} | CALLS | BLAS_TYPES
                if isinstance(part, ast.Name):
                    assert part.id in {"np", "math", "DTYPE", "types", "_BLAS_KIND",
                                       "_XXGEMM"}, part.id
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
    imports = [i for i in imports if i != ("numba.types", None)]   # the BLAS declaration's
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


def python_module(text: str) -> types.ModuleType:
    """A generated module run as plain Python, njit a no-op: the printed arithmetic, fast."""
    fake = types.ModuleType("numba")
    fake.njit = lambda *args, **kwargs: (lambda f: f)
    real = sys.modules.get("numba")
    import numba.types
    fake.types = numba.types   # the matrix form's BLAS declaration (its gemm runs only jitted)
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
