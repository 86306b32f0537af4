"""Spec reading (issue 8, sections 4 and 5): a value of the wrong type at every key of both
spec forms, TOML nested deep, long cycles, files that are not specs, sizes past the limits,
learning rates, seeds and layer numbers out of range, odd SPEC arguments; the same mistakes
through the Python API."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.hostile.corpus import ApiCase, Case
from tests.networks import TINY_SPEC

FREE = TINY_SPEC.replace('name = "tiny"\n', 'name = "tiny"\ntitle = "a tiny network"\n') + 'freeze = []\n\n[latex]\nz = "z"\n'

LAYERED = '''\
name = "layered"
title = "a 2-3-1 network"

[layers]
sizes = [2, 3, 1]
activation = "identity"
bias = "shared"
loss = "squared_error"

[notation]
preset = "seed000"
weight = "w"
bias = "b"
preactivation = "Z"
activation = "a"
input = "x"
target = "y"
cost = "C"
first_layer = 1
weight_layer = "source"
weight_index = "jk"
bias_layer = "source"

[values]
inputs = [0.5, -0.2]
targets = [0.3]
weights = [[[0.1, 0.4], [-0.3, 0.2], [0.25, -0.15]], [[0.5, -0.6, 0.3]]]
biases = [0.1, -0.05]
init_seed = 0

[training]
learning_rate = 0.1
freeze = []
'''


def with_key(text: str, table: str, key: str, value: str) -> str:
    """``text`` with ``table.key = value`` (a top-level key when ``table`` is empty); a
    top-level key that names a table of ``text`` replaces that table."""
    if not table:
        text = re.sub(rf"^\[{key}\]\n(?:[^\[\n].*\n|\n)*", "", text, flags=re.MULTILINE)
        text = re.sub(rf"^{key} = .*\n", "", text, flags=re.MULTILINE)
        return f"{key} = {value}\n" + text
    section = re.search(rf"^\[{table}\]\n(?:[^\[\n].*\n|\n)*", text, flags=re.MULTILINE)
    body = section.group()
    if re.search(rf"^{key} = ", body, flags=re.MULTILINE):
        changed = re.sub(rf"^{key} = .*$", lambda _: f"{key} = {value}", body, count=1,
                         flags=re.MULTILINE)
    else:
        changed = body.rstrip("\n") + f"\n{key} = {value}\n\n"
    return text.replace(body, changed)


def spec_case(id_: str, text: str, words: tuple[str, ...], **kw) -> Case:
    return Case(id_, ["derive", "{dir}/s.toml", "--format", "json"], files={"s.toml": text},
                words=words, **kw)


# ---------------------------------------------------------------- wrong types, every key

#: (table, key, a value of the wrong type) of a free-form spec
FREE_WRONG = [
    ("", "name", "3"), ("", "title", "[1]"), ("", "inputs", "3"), ("", "targets", '"y"'),
    ("", "parameters", "true"), ("", "equations", '["E"]'), ("", "training", "1.5"),
    ("", "latex", "2"),
    ("inputs", "x", "[1]"), ("inputs", "x", "1979-05-27"), ("targets", "y", '"1"'),
    ("parameters", "w", "{a = 1}"), ("equations", "z", "3"), ("equations", "z", '["w*x"]'),
    ("training", "cost", '["E"]'), ("training", "cost", "{a = 1}"),
    ("training", "learning_rate", '"0.1"'), ("training", "learning_rate", "[0.1]"),
    ("training", "freeze", '[["w"]]'), ("training", "freeze", '"w"'),
    ("training", "freeze", "[{a = 1}]"), ("latex", "z", "1"),
    ("training", "optimizer", "1"), ("training", "batch_size", '"32"'),
    ("training", "epochs", "[10]"),
]

#: the same for a layered spec
LAYERED_WRONG = [
    ("", "name", "[1]"), ("", "title", "{a = 1}"), ("", "layers", "3"),
    ("", "notation", '"seed000"'), ("", "values", "[1]"), ("", "training", "true"),
    ("layers", "sizes", '"2, 3, 1"'), ("layers", "sizes", "[2, 3.5, 1]"),
    ("layers", "sizes", "[[2], 3, 1]"), ("layers", "sizes", "[2, true]"),
    ("layers", "activation", "3"), ("layers", "activation", '[["identity"]]'),
    ("layers", "bias", "{a = 1}"), ("layers", "bias", "[1, 2]"),
    ("layers", "loss", '["mse"]'), ("layers", "loss", "{a = 1}"), ("layers", "loss", "1"),
    ("notation", "preset", '["x"]'), ("notation", "preset", "{a = 1}"),
    ("notation", "weight", "3"), ("notation", "weight", '["w"]'),
    ("notation", "first_layer", '"1"'), ("notation", "first_layer", "[1]"),
    ("notation", "weight_layer", "1"), ("notation", "weight_index", "[1]"),
    ("notation", "bias_layer", "true"), ("notation", "bias", "2000-01-01"),
    ("notation", "preactivation", "[]"), ("notation", "activation", "{}"),
    ("notation", "input", "1.5"), ("notation", "target", '["y"]'), ("notation", "cost", "0"),
    ("values", "inputs", '"0.5"'), ("values", "inputs", '[0.5, "x"]'),
    ("values", "targets", "{a = 1}"), ("values", "weights", '"w"'),
    ("values", "weights", '[[[0.1, 0.4], [-0.3, 0.2], [0.25, -0.15]], [[0.5, -0.6, "x"]]]'),
    ("values", "weights", "[[[0.1, 0.4], [-0.3, 0.2]], [[0.5, -0.6, 0.3]]]"),
    ("values", "weights", "[[{a = 1}, [-0.3, 0.2], [0.25, -0.15]], [[0.5, -0.6, 0.3]]]"),
    ("values", "biases", "[[0.1], -0.05]"), ("values", "biases", '"b"'),
    ("values", "init_seed", "[1]"), ("values", "init_seed", "{a = 1}"),
    ("values", "init_seed", '"1"'), ("values", "init_seed", "1.5"),
    ("values", "init_seed", "true"),
    ("training", "learning_rate", "[0.1]"), ("training", "freeze", '[["b1"]]'),
    ("training", "optimizer", '["sgd"]'), ("training", "optimizer", "{a = 1}"),
    ("training", "batch_size", "32.0"), ("training", "batch_size", "true"),
    ("training", "epochs", '"10"'), ("training", "epochs", "1e1"),
]


def _wrong_type_cases(form: str, text: str, wrong) -> list[Case]:
    cases = []
    for i, (table, key, value) in enumerate(wrong):
        where = f"{table}.{key}" if table else key
        cases.append(spec_case(f"spec-{form}-type-{where}-{i}", with_key(text, table, key, value),
                               words=(where, "expected")))
    return cases


# ---------------------------------------------------------------- values out of range

RANGE = [
    # (id, form text, table, key, value, words)
    *[(f"spec-free-lr-{v}", FREE, "training", "learning_rate", v, ("learning_rate", "positive"))
      for v in ("0", "-1", "0.0", "-0.5", "nan", "inf", "-inf")],
    *[(f"spec-layered-lr-{v}", LAYERED, "training", "learning_rate", v,
       ("learning_rate", "positive")) for v in ("0", "-1", "nan", "inf")],
    *[(f"spec-seed-{v}", LAYERED, "values", "init_seed", v, ("init_seed", "whole number"))
      for v in ("-1", "9223372036854775807000", "1e3")],
    *[(f"spec-first-layer-{v}", LAYERED, "notation", "first_layer", v,
       ("first_layer", "0 to 9")) for v in ("10", "-1", "true", "1.5", "1000000000000")],
    ("spec-letter-digit", LAYERED, "notation", "weight", '"w1"', ("notation.weight", "letters")),
    ("spec-letter-long", LAYERED, "notation", "weight", '"' + "w" * 17 + '"',
     ("notation.weight", "16")),
    ("spec-letter-empty", LAYERED, "notation", "cost", '""', ("notation.cost", "letters")),
    ("spec-letter-newline", LAYERED, "notation", "input", r'"x\ny"', ("notation.input",)),
    ("spec-preset-unknown", LAYERED, "notation", "preset", '"bishop"', ("unknown notation preset",)),
    ("spec-name-long", FREE, "parameters", "p" * 65, "1.0", ("not a usable name", "64")),
    ("spec-inputs-twice", FREE, "", "inputs", '["x", "x"]', ("listed twice",)),
    ("spec-title-long", FREE, "", "title", '"' + "t" * 1001 + '"', ("title", "1,000 characters")),
    ("spec-name-long-layered", LAYERED, "", "name", '"' + "n" * 5000 + '"', ("name", "1,000")),
    ("spec-integer-5000-digits", FREE, "parameters", "w", "1" * 5000, ("4,300 digits",)),
    ("spec-integer-huge-float", FREE, "parameters", "w", "1" + "0" * 400 + ".0",
     ("parameters.w", "finite")),
    ("spec-activation-both", LAYERED, "layers", "activations", '"sigmoid"', ("both",)),
    *[(f"spec-batch-size-{v}", LAYERED, "training", "batch_size", v,
       ("training.batch_size", "from 1 to 2147483647")) for v in ("0", "-32", str(2 ** 31))],
    *[(f"spec-epochs-{v}", FREE, "training", "epochs", v, ("training.epochs", "from 1 to 1000000"))
      for v in ("0", "1000001", "9" * 30)],
    ("spec-optimizer-unknown", LAYERED, "training", "optimizer", '"adamw"',
     ("unknown optimizer 'adamw'", "did you mean 'adam'")),
    ("spec-optimizer-keras-object", LAYERED, "training", "optimizer", '"SGD(lr=0.01)"',
     ("training.optimizer", "unknown optimizer")),
    ("spec-loss-keras-typo", LAYERED, "layers", "loss", '"categorical_crossentropyy"',
     ("unknown loss", "categorical_cross")),
]


def _range_cases() -> list[Case]:
    return [spec_case(i, with_key(text, table, key, value), words=words)
            for i, text, table, key, value, words in RANGE]


# ---------------------------------------------------------------- nesting, chains, cycles

def _cycle(n: int) -> str:
    lines = ["[inputs]", "x = 0.5", "[parameters]", "w = 0.3", "[equations]",
             f'n0 = "w*x + n{n - 1}"', *[f'n{i} = "n{i - 1}"' for i in range(1, n)],
             "[training]", 'cost = "n0"']
    return "\n".join(lines) + "\n"


NESTING = [
    spec_case("spec-toml-arrays-5000", 'name = "n"\nx = ' + "[" * 5000 + "]" * 5000 + "\n",
              words=("s.toml:2:", "nested more than 32")),
    spec_case("spec-toml-tables-3000", 'name = "n"\nx = ' + "{a = " * 3000 + "1" + "}" * 3000 + "\n",
              words=("s.toml:2:", "nested more than 32")),
    spec_case("spec-toml-weights-deep", with_key(LAYERED, "values", "weights",
                                                 "[" * 40 + "]" * 40),
              words=("nested more than 32",)),
    spec_case("spec-toml-arrays-unclosed", "x = " + "[" * 100000, words=("nested more than 32",)),
    spec_case("spec-cycle-3000", _cycle(3000), words=("cycle", "3000 nodes", "equations.n0")),
]


# ---------------------------------------------------------------- files that are not specs

def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _zero_link(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _big(path: Path) -> None:
    path.write_bytes(b"# padding\n" * 500_000)


FILES = [
    Case("spec-file-fifo", ["derive", "{dir}/pipe.toml"], files={"pipe.toml": _fifo},
         words=("not a regular file",), isolated=True, timeout=20),
    Case("spec-file-dev-zero", ["derive", "/dev/zero"], words=("not a regular file",),
         isolated=True, timeout=20),
    Case("spec-file-link-to-dev-zero", ["derive", "{dir}/zero.toml"],
         files={"zero.toml": _zero_link}, words=("not a regular file",), isolated=True,
         timeout=20),
    Case("spec-file-folder", ["derive", "{dir}"], words=("is a folder",)),
    Case("spec-file-dotdot", ["derive", ".."], words=("is a folder",)),
    Case("spec-file-empty-name", ["derive", ""], words=("path is empty",)),
    Case("spec-file-nul", ["derive", "a\0b.toml"], words=("NUL",)),
    Case("spec-file-long-name", ["derive", "a" * 300 + ".toml"], words=("too long",)),
    Case("spec-file-long-word", ["derive", "a" * 300], words=("too long",)),
    Case("spec-example-long-name", ["derive", "a" * 90], words=("no built-in example",)),
    Case("spec-file-5mb", ["derive", "{dir}/big.toml"], files={"big.toml": _big},
         words=("larger than the limit of 4 MiB",)),
    Case("spec-file-latin1", ["derive", "{dir}/s.toml"],
         files={"s.toml": 'name = "caf\xe9"\n'.encode("latin-1")},
         words=("s.toml:1:", "not UTF-8")),
    Case("spec-file-utf16", ["derive", "{dir}/s.toml"],
         files={"s.toml": FREE.encode("utf-16")}, words=("not UTF-8",)),
    Case("spec-file-binary", ["derive", "{dir}/s.toml"],
         files={"s.toml": bytes(range(256)) * 10}, words=("not",)),
    Case("spec-file-bom", ["derive", "{dir}/s.toml", "--format", "json"],
         files={"s.toml": "\ufeff" + FREE}, exit=0),
]


# ---------------------------------------------------------------- sizes past the limits

def _layered_sizes(sizes: str) -> str:
    return f"[layers]\nsizes = {sizes}\n"


def _wide_sum(n: int):
    def write(path: Path) -> None:
        params = "".join(f"p{i} = 0.1\n" for i in range(n))
        terms = " + ".join(f"p{i}*x" for i in range(n))
        path.write_text(f'[inputs]\nx = 1.0\n[parameters]\n{params}[equations]\nE = "{terms}"\n')
    return write


def _size_case(id_: str, text, words: tuple[str, ...], timeout: float = 20,
               extra: tuple[str, ...] = ()) -> Case:
    return Case(id_, ["derive", "{dir}/s.toml", "--format", "json", *extra],
                files={"s.toml": text}, words=words, isolated=True, timeout=timeout)


SIZES = [
    _size_case("spec-size-100000-10", _layered_sizes("[100000, 10]"),
               ("layers.sizes", "limit of 250,000")),
    _size_case("spec-size-1000000-1", _layered_sizes("[1000000, 1]"),
               ("layers.sizes", "limit of 250,000")),
    _size_case("spec-size-2-65536-1", _layered_sizes("[2, 65536, 1]"),
               ("layers.sizes", "262,145 parameters")),
    _size_case("spec-size-10e18", _layered_sizes("[1000000000000000000, 1]"),
               ("layers.sizes", "limit of 250,000")),
    _size_case("spec-size-1000-layers", _layered_sizes("[" + ", ".join(["2"] * 1001) + "]"),
               ("layers.sizes", "1,000 layers", "limit of 100")),
    _size_case("spec-size-784-128-10-scalar",
               _layered_sizes("[784, 128, 10]") + "[values]\ninit_seed = 1\n"
               f"inputs = {[0.5] * 784}\ntargets = {[0.0] * 9 + [1.0]}\n",
               ("scalar level", "25,000", "layer level"), timeout=40,
               extra=("--level", "scalar")),  # by default it is written up per layer
    _size_case("spec-size-sum-of-100000", _wide_sum(100_000),
               ("100,002 names", "scalar level", "25,000")),
]


# ---------------------------------------------------------------- the Python API

def _api(id_: str, call, *words: str) -> ApiCase:
    return ApiCase(id_, call, words=words, error="SpecError")


def _network():
    from derive import Network
    return Network


EQUATIONS = {"z": "w*x", "E": "(z - y)**2"}
GOOD = dict(equations=EQUATIONS, inputs={"x": 1.0}, parameters={"w": 0.5}, targets={"y": 1.0})


def _from_equations(**changes):
    return lambda folder: _network().from_equations(**{**GOOD, **changes})


def _layered(*args, **kw):
    return lambda folder: _network().layered(*args, **kw)


def _notation(**fields):
    from derive.spec.notation import Notation
    return Notation(**fields)


API = [
    _api("spec-api-from-toml-none", lambda f: _network().from_toml(None), "path", "nothing"),
    _api("spec-api-from-toml-int", lambda f: _network().from_toml(3), "path", "3"),
    _api("spec-api-from-toml-bytes", lambda f: _network().from_toml(b"x.toml"), "path", "bytes"),
    _api("spec-api-from-toml-folder", lambda f: _network().from_toml(f), "is a folder"),
    _api("spec-api-from-toml-nul", lambda f: _network().from_toml("a\0b"), "NUL"),
    _api("spec-api-from-toml-text-none", lambda f: _network().from_toml_text(None), "str"),
    _api("spec-api-from-toml-text-bytes", lambda f: _network().from_toml_text(b"x = 1"), "str"),
    _api("spec-api-from-toml-text-huge",
         lambda f: _network().from_toml_text("#" * (5 * 2**20)), "4 MiB"),
    _api("spec-api-from-mapping-none", lambda f: _network().from_mapping(None), "expected"),
    _api("spec-api-from-mapping-int-key", lambda f: _network().from_mapping({1: 2}), "keys"),
    _api("spec-api-equations-int-key", _from_equations(equations={1: "w*x", "E": "w"}),
         "equations", "keys"),
    _api("spec-api-equations-int-value", _from_equations(equations={"z": 3, "E": "z"}),
         "equations.z", "string"),
    _api("spec-api-equations-none", _from_equations(equations=None), "equations", "nothing"),
    _api("spec-api-equations-list", _from_equations(equations=[("z", "w*x")]), "equations"),
    _api("spec-api-equations-string", _from_equations(equations="z = w*x"), "equations"),
    _api("spec-api-inputs-none", _from_equations(inputs=None), "unknown name 'x'"),
    _api("spec-api-inputs-string", _from_equations(inputs="x"), "inputs", "expected"),
    _api("spec-api-inputs-int-key", _from_equations(inputs={1: 1.0}), "inputs", "keys"),
    _api("spec-api-inputs-text-value", _from_equations(inputs={"x": "1"}), "inputs.x", "number"),
    _api("spec-api-inputs-nan", _from_equations(inputs={"x": float("nan")}), "inputs.x", "finite"),
    _api("spec-api-inputs-list-of-ints", _from_equations(inputs=[1, 2]), "inputs", "names"),
    _api("spec-api-parameters-list-value", _from_equations(parameters={"w": [1]}),
         "parameters.w", "number"),
    _api("spec-api-parameters-huge-int", _from_equations(parameters={"w": 10 ** 400}),
         "parameters.w", "finite"),
    _api("spec-api-targets-int", _from_equations(targets=3), "targets"),
    _api("spec-api-cost-int", _from_equations(cost=3), "training.cost", "name of a node"),
    _api("spec-api-name-int", _from_equations(name=3), "name", "string"),
    _api("spec-api-name-none", _from_equations(name=None), "name", "string"),
    _api("spec-api-title-list", _from_equations(title=["t"]), "title", "string"),
    _api("spec-api-lr-0", _from_equations(learning_rate=0), "learning_rate", "positive"),
    _api("spec-api-lr-negative", _from_equations(learning_rate=-1), "learning_rate", "positive"),
    _api("spec-api-lr-text", _from_equations(learning_rate="0.1"), "learning_rate"),
    _api("spec-api-lr-inf", _from_equations(learning_rate=float("inf")), "learning_rate"),
    _api("spec-api-lr-bool", _from_equations(learning_rate=True), "learning_rate"),
    _api("spec-api-freeze-string", _from_equations(freeze="w"), "training.freeze"),
    _api("spec-api-freeze-nested", _from_equations(freeze=[["w"]]), "training.freeze"),
    _api("spec-api-latex-list", _from_equations(latex=["a"]), "latex", "table"),
    _api("spec-api-latex-int-key", _from_equations(latex={1: "a"}), "latex", "keys"),
    _api("spec-api-too-many-names",
         _from_equations(parameters={f"p{i}": 0.1 for i in range(30_000)}), "scalar level"),
    _api("spec-api-equations-too-long",
         _from_equations(equations={"z": "w*x" + " + x" * 2_000_000, "E": "z"}), "characters"),
    _api("spec-api-layered-sizes-none", _layered(None), "layers.sizes"),
    _api("spec-api-layered-sizes-string", _layered("231"), "layers.sizes"),
    _api("spec-api-layered-sizes-bool", _layered([2, True]), "layers.sizes"),
    _api("spec-api-layered-sizes-float", _layered([2.0, 1]), "layers.sizes"),
    _api("spec-api-layered-sizes-zero", _layered([2, 0, 1]), "layers.sizes"),
    _api("spec-api-layered-sizes-huge", _layered([10 ** 18, 1]), "limit of 250,000"),
    _api("spec-api-layered-activation-int", _layered([2, 1], 3), "layers.activations"),
    _api("spec-api-layered-bias-int", _layered([2, 1], bias=3), "layers.bias"),
    _api("spec-api-layered-loss-list", _layered([2, 1], loss=["mse"]), "layers.loss"),
    _api("spec-api-layered-notation-int", _layered([2, 1], notation=3), "notation"),
    _api("spec-api-layered-notation-dict", _layered([2, 1], notation={"weight": "v"}), "notation"),
    _api("spec-api-layered-notation-weight-int",
         lambda f: _network().layered([2, 1], notation=_notation(weight=3)), "notation.weight"),
    _api("spec-api-layered-notation-first-layer-text",
         lambda f: _network().layered([2, 1], notation=_notation(first_layer="1")),
         "notation.first_layer"),
    _api("spec-api-layered-inputs-text", _layered([2, 1], inputs="ab"), "values.inputs"),
    _api("spec-api-layered-weights-dict", _layered([2, 1], weights=[{0: [1, 2]}]),
         "values.weights"),
    _api("spec-api-layered-weights-deep", _layered([2, 1], weights=[[[[[[[1]]]]]]]),
         "values.weights"),
    _api("spec-api-layered-seed-list", _layered([2, 1], init_seed=[1]), "values.init_seed"),
    _api("spec-api-layered-seed-float", _layered([2, 1], init_seed=1.5), "values.init_seed"),
    _api("spec-api-layered-seed-negative", _layered([2, 1], init_seed=-1), "values.init_seed"),
    _api("spec-api-layered-name-int", _layered([2, 1], name=3), "name"),
    _api("spec-api-layered-lr-0", _layered([2, 1], learning_rate=0), "learning_rate", "positive"),
    _api("spec-api-layered-freeze-string", _layered([2, 1], freeze="w2_11"), "training.freeze"),
    _api("spec-api-with-values-text",
         lambda f: _network().layered([2, 1]).with_values(inputs={"x1": "a"}), "inputs.x1"),
    _api("spec-api-with-values-nan",
         lambda f: _network().layered([2, 1]).with_values(inputs={"x1": float("nan")}),
         "inputs.x1"),
    _api("spec-api-with-values-int",
         lambda f: _network().layered([2, 1]).with_values(inputs=3), "inputs"),
    _api("spec-api-with-values-table",
         lambda f: _network().layered([2, 1]).with_values(outputs={"x1": 1}), "unknown table"),
]


CASES = [*_wrong_type_cases("free", FREE, FREE_WRONG),
         *_wrong_type_cases("layered", LAYERED, LAYERED_WRONG),
         *_range_cases(), *NESTING, *FILES, *SIZES, *API]


def _layered_spec(layers: str, notation: str = "") -> str:
    return f"[layers]\n{layers}\n[values]\ninit_seed = 1\n" + (f"[notation]\n{notation}\n" if notation else "")


CASES += [
    # ---- an output layer its loss does not fit, a softmax over one neuron, letters shared
    Case("spec-loss-cce-needs-softmax", ["derive", "{dir}/s.toml", "--format", "json"],
         {"s.toml": _layered_spec('sizes = [2, 2]\nactivations = ["relu"]\nloss = "cce"')},
         words=("layers.loss", "needs a softmax output layer, not relu")),
    Case("spec-loss-bce-needs-sigmoid", ["derive", "{dir}/s.toml"],
         {"s.toml": _layered_spec('sizes = [2, 1]\nactivations = ["tanh"]\nloss = "bce"')},
         words=("layers.loss", "needs a sigmoid output layer, not tanh")),
    Case("spec-softmax-of-one", ["codegen", "{dir}/s.toml"],
         {"s.toml": _layered_spec('sizes = [2, 1]\nactivations = ["softmax"]\nloss = "cce"')},
         words=("layers.sizes", "softmax over one neuron")),
    Case("spec-notation-same-letter", ["derive", "{dir}/s.toml"],
         {"s.toml": _layered_spec("sizes = [2, 2]", 'input = "y"')},
         words=("notation.input", "'y' is also the target letter")),
    Case("spec-notation-weight-is-activation", ["derive", "{dir}/s.toml"],
         {"s.toml": _layered_spec("sizes = [2, 2]", 'weight = "a"')},
         words=("notation.weight", "'a' is also the activation letter")),
]
