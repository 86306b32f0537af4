"""The index form: loops over neurons equal to the scalar form, blocks and chunks, wide
layers, the form chosen by size, colliding notation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

import codegen
from codegen.emit import emit_module
from derive.errors import SpecError
from derive.spec.model import Network
from derive.spec.notation import Notation
from tests.codegen.building import CACHE, CORPUS, build, build_at, params_of, random_rows
from tests.codegen.hostile_specs import assert_module_equals_derivation, python_module


LAYERED = [name for name, net in CORPUS.items() if net.layers is not None]


@pytest.mark.parametrize("name", LAYERED)
def test_index_form_equals_the_scalar_form(name):
    """Loops over neurons (index form) compute what the unrolled scalar form computes."""
    network = CORPUS[name]
    scalar = build(name)
    index = build(name, form="index")
    assert "index form" in Path(index.__file__).read_text()
    X, Y = random_rows(scalar, 9, seed=5)
    if scalar.IS_CLASSIFIER:
        Y = np.eye(Y.shape[1])[np.argmax(Y, axis=1)] if Y.shape[1] > 1 else (Y > 0.5) * 1.0
    p = params_of(scalar, network)
    np.testing.assert_allclose(index.forward(p, X), scalar.forward(p, X), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(index.predict(p, X), scalar.predict(p, X), rtol=1e-13, atol=1e-15)
    c1, g1 = index.gradient(p, X, Y)
    c2, g2 = scalar.gradient(p, X, Y)
    assert c1 == pytest.approx(c2, rel=1e-13)
    np.testing.assert_allclose(g1, g2, rtol=1e-11, atol=1e-15)
    for optimizer in range(len(scalar.OPTIMIZERS)):
        for batch in (1, 4):
            a, b = p.copy(), p.copy()
            index.train_epoch(a, np.zeros((2, p.size)), 0, X, Y, batch, optimizer,
                              scalar.DEFAULT_HYPER, 1)
            scalar.train_epoch(b, np.zeros((2, p.size)), 0, X, Y, batch, optimizer,
                               scalar.DEFAULT_HYPER, 1)
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("sizes, acts, loss, bias", [
    ([5, 6, 3], "sigmoid", "squared_error", "shared"),       # a block of 4 neurons and 2 more
    ([4, 9, 5], ["tanh", "softmax"], "cce", "per-neuron"),   # blocks of 4 and 1 more
])
def test_index_form_blocks_and_chunks_equal_the_scalar_form(sizes, acts, loss, bias):
    """Batch-major index form (blocks of neurons, chunks of rows) against the scalar form,
    over more rows than one chunk holds and batch sizes that split chunks unevenly."""
    network = Network.layered(sizes, acts, loss=loss, bias=bias, init_seed=4,
                              name="blocks-" + "-".join(map(str, sizes)))
    stem = CACHE / network.name.replace("-", "_")
    scalar = build_at(network, stem.with_name(stem.name + "_scalar.py"), form="scalar")
    index = build_at(network, stem.with_name(stem.name + "_index.py"), form="index")
    rng = np.random.default_rng(2)
    X = rng.normal(size=(77, sizes[0]))
    Y = (np.eye(sizes[-1])[rng.integers(0, sizes[-1], 77)] if loss == "cce"
         else rng.uniform(0.1, 0.9, size=(77, sizes[-1])))
    p = scalar.INITIAL_PARAMS.copy()
    c1, g1 = index.gradient(p, X, Y)
    c2, g2 = scalar.gradient(p, X, Y)
    assert c1 == pytest.approx(c2, rel=1e-13)
    np.testing.assert_allclose(g1, g2, rtol=1e-11, atol=1e-14)
    for batch in (1, 16, 50):
        a, b = p.copy(), p.copy()
        index.train_epoch(a, np.zeros((2, p.size)), 0, X, Y, batch, 0, scalar.DEFAULT_HYPER, 3)
        scalar.train_epoch(b, np.zeros((2, p.size)), 0, X, Y, batch, 0, scalar.DEFAULT_HYPER, 3)
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)


def test_wide_layers(tmp_path):
    """A layer with 1,500 inputs (a thousand-term sum per neuron): derived and generated
    without recursion limits or quadratic time, its gradient equal to numpy central
    differences of the generated cost."""
    network = Network.layered([1500, 3, 2], ["tanh", "softmax"], loss="cce", init_seed=0,
                              name="wide")
    m = codegen.build(network, out=tmp_path / "wide.py")
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(4, 1500)), np.eye(2)[[0, 1, 1, 0]]
    p = m.INITIAL_PARAMS.copy()
    _, grad = m.gradient(p, X, Y)
    for j in rng.choice(p.size, 12, replace=False):
        e = np.zeros_like(p)
        e[j] = 1e-6
        fd = (m.cost(p + e, X, Y) - m.cost(p - e, X, Y)) / 2e-6
        assert grad[j] == pytest.approx(fd, rel=1e-5, abs=1e-9), m.PARAM_NAMES[j]


@pytest.mark.parametrize("form, kind", [("index", "index form"), ("auto", "matrix form")])
def test_large_layered_networks_take_a_layered_form(tmp_path, form, kind):
    """A 64-16-10 net: 1,210 parameters, a short module (the matrix form by default, the
    index form on request), trained on the digits."""
    from codegen.training.data import load, prepare
    from codegen.training.loop import Settings, accuracy, train
    network = Network.layered([64, 16, 10], ["tanh", "softmax"], loss="cce", init_seed=0,
                              name="digits-64-16-10")
    m = codegen.build(network, out=tmp_path / "digits.py", form=form)
    text = Path(m.__file__).read_text()
    code = text.split("# ---- long constants")[0]   # the long starting values wrap after it
    assert kind in text and len(code.splitlines()) < 1000
    assert max(len(line) for line in text.splitlines()) <= 2000
    train_set, test_set = prepare(*load("digits", m).split(0.2, 0))
    result = train(m, train_set.X, train_set.Y, Settings(epochs=15, batch_size=16, lr=0.1))
    assert accuracy(m, result.params, test_set.X, test_set.Y) > 0.9


def test_index_form_needs_a_layered_spec():
    with pytest.raises(codegen.printer.CodegenError, match="layered"):
        emit_module(CORPUS["free-form-mix"], form="index")


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
