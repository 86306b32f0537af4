"""The per-layer write-up of a network too big to unroll (derive/writeups/big.py): a
784-64-10 relu/softmax spec written here, compiled by pdflatex in seconds to a few pages,
its numbers held to an independent NumPy forward and backward pass."""

from __future__ import annotations

import json
import random
import re
import time

import numpy as np
import pytest

from derive.spec.model import Network
from derive.writeups.pdf import compile_pdf
from derive.writeups.limits import BIG_WRITEUP_ABOVE
from tests.writeups.support import require_tex, run_cli

SIZES = [784, 64, 10]


@pytest.fixture(scope="module")
def big_spec(tmp_path_factory) -> str:
    """Seed 003's Keras shape: inputs in [0, 1], a one-hot target, seeded starting values."""
    rng = random.Random(3)
    inputs = [round(rng.random(), 4) for _ in range(SIZES[0])]
    targets = [0] * SIZES[-1]
    targets[3] = 1
    path = tmp_path_factory.mktemp("big") / "mnist.toml"
    path.write_text(f"""name = "mnist-784-64-10"
title = "784-64-10 relu/softmax (seed 003's Keras model)"
[layers]
sizes = {SIZES}
activations = ["relu", "softmax"]
loss = "categorical_cross_entropy"
[values]
inputs = {inputs}
targets = {targets}
init_seed = 3
[training]
learning_rate = 0.01
""", encoding="utf-8")
    return str(path)


def oracle(network: Network):
    """Forward, cost, gradients, SGD step and cost after, written out with NumPy."""
    L = network.layers
    x = np.array(list(network.inputs.values()))
    y = np.array(list(network.targets.values()))
    W = [np.vectorize(network.parameters.get)(np.array(n)) for n in L.weight_names]
    b = [np.array([network.parameters[n] for n in names]) for names in L.bias_names]

    def forward(W, b):
        h = np.maximum(W[0] @ x + b[0], 0)
        z = W[1] @ h + b[1]
        a = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
        return h, a, -(y * np.log(a)).sum()

    h, a, cost = forward(W, b)
    d2 = a - y * 1 + a * (y.sum() - 1)
    d1 = (W[1].T @ d2) * (W[0] @ x + b[0] > 0)
    grads = {}
    for Wn, bn, d, below in ((L.weight_names[0], L.bias_names[0], d1, x),
                             (L.weight_names[1], L.bias_names[1], d2, h)):
        grads.update({n: d[j] * below[k] for j, row in enumerate(Wn) for k, n in enumerate(row)})
        grads.update({n: d[j] for j, n in enumerate(bn)})
    eta = network.learning_rate
    W2 = [W[0] - eta * np.outer(d1, x), W[1] - eta * np.outer(d2, h)]
    b2 = [b[0] - eta * d1, b[1] - eta * d2]
    return cost, grads, forward(W2, b2)[2]


def test_the_threshold_is_where_the_write_up_goes_per_layer(capsys, big_spec):
    small = Network.layered([4, 8, 3], "sigmoid", inputs=[0.1] * 4, targets=[0, 1, 0])
    assert len(small.parameters) <= BIG_WRITEUP_ABOVE < 50_890
    code, out, _ = run_cli(capsys, "derive", big_spec, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["level"] == "layers" and data["parameters"] == 50_890
    assert "values" not in data and len(data["gradients"]) == 4   # a sample, not 50,890
    assert {e["group"] for e in data["general"]} >= {"output", "recurrence", "update"}


def test_its_numbers_are_the_oracles(capsys, big_spec):
    network = Network.from_toml(big_spec)
    cost, grads, cost_after = oracle(network)
    code, out, _ = run_cli(capsys, "derive", big_spec, "--format", "json",
                           "--params", "w2_5_300,b2_7,w3_4_2,b3_4")
    assert code == 0
    data = json.loads(out)
    assert data["cost"] == pytest.approx(cost, rel=1e-12)
    assert data["cost_after"] == pytest.approx(cost_after, rel=1e-10)
    assert set(data["gradients"]) == {"w2_5_300", "b2_7", "w3_4_2", "b3_4"}
    for name, value in data["gradients"].items():
        assert value == pytest.approx(grads[name], rel=1e-10, abs=1e-15), name
        assert data["updated"][name] == pytest.approx(
            network.parameters[name] - 0.01 * grads[name], rel=1e-12, abs=1e-15)


def test_it_compiles_to_a_few_pages_in_seconds(capsys, big_spec, tmp_path):
    require_tex()
    out = tmp_path / "mnist.tex"
    start = time.perf_counter()
    code, _, err = run_cli(capsys, "derive", big_spec, "-o", str(out), "--pdf")
    took = time.perf_counter() - start
    assert code == 0, err
    tex = out.read_text(encoding="utf-8")
    assert (tmp_path / "mnist.pdf").read_bytes().startswith(b"%PDF")
    assert took < 60
    assert len(tex) < 60_000 and tex.count(r"\begin{align*}") < 80
    compile_pdf(tex, tmp_path / "again.pdf", log_path=tmp_path / "again.log")
    pages = re.search(r"Output written on \S+ \((\d+) pages?", (tmp_path / "again.log")
                      .read_text(errors="replace"))
    assert pages and 2 <= int(pages.group(1)) <= 15, pages
    # the diagram is per layer: a box for each layer, an arrow per weight matrix
    assert tex.count(r"\node[") == len(SIZES) + 2 and tex.count(r"\draw[") == len(SIZES) + 1
    assert r"w^{2}: 64 \times 784" in tex
    for section in ("The network", "The general equations", "Forward pass", "Cost",
                    "Backward pass", "One gradient-descent step", "Cost after the step"):
        assert rf"\section*{{{section}}}" in tex
    # the default sample: the first weight and bias of each layer, output layer first
    parameters = re.findall(r"\\subsection\*\{Parameter \$(.*?)\$\}", tex)
    assert parameters == ["w^{3}_{1,1}", "b^{3}_{1}", "w^{2}_{1,1}", "b^{2}_{1}"]


def test_an_unknown_parameter_is_one_line(capsys, big_spec):
    code, _, err = run_cli(capsys, "derive", big_spec, "--params", "w9_1_1")
    assert code == 2 and "unknown parameter 'w9_1_1'" in err and err.count("\n") <= 2
