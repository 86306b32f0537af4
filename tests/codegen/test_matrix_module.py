"""The matrix form: batch-major kernels printed from the layer rules, equal to the scalar
form, to PyTorch autograd and to their own ``.py_func``; training equal to the index form;
a 784-64-10 module of sensible size; the form auto chooses."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import codegen
from codegen.emit import MATRIX_FORM_ABOVE, emit_files, module_form
from codegen.modules import is_current, load_module
from derive.scalar.chain import derive
from derive.spec.model import Network
from tests.codegen.building import CACHE, CORPUS, build, build_at, params_of, spec_rows
from tests.codegen.hostile_specs import assert_only_chainrule_statements
from tests.oracles import torch_gradients

LAYERED = [name for name, net in CORPUS.items() if net.layers is not None]

#: every activation, loss and bias mode, a deeper net and another notation
NETS = {
    "relu-softmax-cce": ([3, 4, 3], ["relu", "softmax"], "cce", "per-neuron", "nielsen"),
    "tanh-sigmoid-bce-shared": ([3, 5, 4, 1], ["tanh", "sigmoid", "sigmoid"], "bce", "shared",
                                "nielsen"),
    "leaky-identity-sse-none": ([2, 3, 2], ["leaky_relu", "identity"], "squared_error", "none",
                                "nielsen"),
    "softplus-softmax-sse": ([2, 3, 2], ["softplus", "softmax"], "squared_error", "per-neuron",
                             "nielsen"),
    "sigmoid-relu-mse-mixed": ([2, 3, 2], ["sigmoid", "relu"], "mean_squared_error",
                               ["shared", "per-neuron"], "nielsen"),
    "tanh-tanh-seed000": ([3, 4, 2], ["tanh", "tanh"], "squared_error", "per-neuron", "seed000"),
}


def network(name: str) -> Network:
    sizes, acts, loss, bias, notation = NETS[name]
    return Network.layered(sizes, acts, loss=loss, bias=bias, notation=notation, init_seed=3,
                           name="matrix-" + name)


def built(net: Network, form: str, dtype: str = "float64"):
    stem = net.name.replace("-", "_") + ("_f32" if dtype == "float32" else "")
    return build_at(net, CACHE / f"{stem}_{form}.py", dtype, form)


def rows(net: Network, n: int, seed: int):
    rng = np.random.default_rng(seed)
    size_in, size_out = net.layers.sizes[0], net.layers.sizes[-1]
    X = rng.normal(size=(n, size_in))
    if net.layers.loss == "categorical_cross_entropy":
        return X, np.eye(size_out)[rng.integers(0, size_out, n)]
    if net.layers.loss == "binary_cross_entropy":
        return X, rng.integers(0, 2, (n, size_out)) * 1.0
    return X, rng.uniform(0.1, 0.9, (n, size_out))


@pytest.mark.parametrize("name", sorted(NETS))
def test_matrix_form_equals_the_scalar_form(name):
    """Forward, cost and gradient over more rows than a chunk holds, and an epoch of every
    optimizer at batch sizes 1, 5 and 24 and of SGD with one batch of 300, against the unrolled scalar form."""
    net = network(name)
    scalar, matrix = built(net, "scalar"), built(net, "matrix")
    assert "matrix form" in Path(matrix.__file__).read_text()
    X, Y = rows(net, 300, seed=5)
    p = scalar.INITIAL_PARAMS.copy()
    np.testing.assert_allclose(matrix.forward(p, X), scalar.forward(p, X), rtol=1e-12,
                               atol=1e-14)
    np.testing.assert_allclose(matrix.predict(p, X), scalar.predict(p, X), rtol=1e-12,
                               atol=1e-14)
    assert matrix.cost(p, X, Y) == pytest.approx(scalar.cost(p, X, Y), rel=1e-12)
    c1, g1 = matrix.gradient(p, X, Y)
    c2, g2 = scalar.gradient(p, X, Y)
    assert c1 == pytest.approx(c2, rel=1e-12)
    np.testing.assert_allclose(g1, g2, rtol=1e-10, atol=1e-14)
    # every optimizer on 24 rows (RMSprop's first steps at lr 0.1 are chaotic over hundreds:
    # rounding grows), and SGD with one batch of 300 rows, two chunks
    runs = [(optimizer, batch, 24) for optimizer in range(len(scalar.OPTIMIZERS))
            for batch in (1, 5, 24)] + [(0, 300, 300)]
    for optimizer, batch, n in runs:
        a, b = p.copy(), p.copy()
        matrix.train_epoch(a, np.zeros((2, p.size)), 0, X[:n], Y[:n], batch, optimizer,
                           scalar.DEFAULT_HYPER, 2)
        scalar.train_epoch(b, np.zeros((2, p.size)), 0, X[:n], Y[:n], batch, optimizer,
                           scalar.DEFAULT_HYPER, 2)
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", LAYERED)
def test_matrix_form_equals_the_derivation_and_torch(name):
    """The corpus's layered nets at the spec's own row: the derivation's numbers and PyTorch
    autograd of the same graph (frozen parameters stay frozen in a step)."""
    net = CORPUS[name]
    m = build(name, form="matrix")
    X, Y = spec_rows(net)
    p = params_of(m, net)
    d = derive(net)
    cost, grad = m.gradient(p, X, Y)
    truth = torch_gradients(d)
    np.testing.assert_allclose(grad, [truth[q] for q in m.PARAM_NAMES], rtol=1e-10, atol=1e-14)
    stepped = p.copy()
    m.train_epoch(stepped, np.zeros((2, p.size)), 0, X, Y, 1, 0, m.DEFAULT_HYPER, 0)
    for k, q in enumerate(m.PARAM_NAMES):
        if q in net.freeze:
            assert stepped[k] == p[k]


@pytest.mark.parametrize("name", ["relu-softmax-cce", "tanh-sigmoid-bce-shared",
                                  "leaky-identity-sse-none", "sigmoid-relu-mse-mixed"])
def test_the_sgd_step_is_fused_into_the_backward_pass(name):
    """An SGD batch step updates each layer in place as its backward pass reaches it (W by
    one BLAS gemm, W ← (1 − lr·wd) W − (lr/N) Δᵀ A, printed from the SGD rule and the batch
    mean's gradient): the same parameters and cost as the gradient-then-step path, with
    weight decay, in order and shuffled, on Fortran-ordered data, and for a batch of more
    than a chunk's rows."""
    net = network(name)
    m = built(net, "matrix")
    text = Path(m.__file__).read_text()
    fused = text[text.index("def _sgd_chunk"):text.index("def _sgd_batch")]
    assert "_gemm(" in fused and not re.search(r"\bgrad\b", fused)
    X, Y = rows(net, 300, seed=4)
    hyper = m.DEFAULT_HYPER.copy()
    hyper[0], hyper[5] = 0.05, 0.01
    p = m.INITIAL_PARAMS.copy()
    shuffled = np.random.default_rng(0).permutation(300)
    cases = [(X, np.arange(300), 0, 17), (X, shuffled, 40, 72), (X, shuffled, 0, 300)]
    if name == "relu-softmax-cce":   # data in Fortran order (BLAS reads a C-ordered copy)
        cases.append((np.asfortranarray(X), np.arange(300), 8, 40))
    for data, order, start, stop in cases:
        a, b = p.copy(), p.copy()
        grad, state = np.zeros(p.size), np.zeros((2, p.size))
        cost_a = m._sgd_batch(a, data, Y, order, start, stop, grad, state, 1, hyper)
        cost_b = m._step_batch(0, b, data, Y, order, start, stop, grad, state, 1, hyper)
        assert cost_a == pytest.approx(cost_b, rel=1e-12)
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
        assert not np.array_equal(a, p)


def test_float32_sgd_steps_by_the_single_precision_gemm():
    net = network("relu-softmax-cce")
    m32, m64 = built(net, "matrix", "float32"), built(net, "matrix")
    assert "_BLAS_KIND = 115  # 's'" in Path(m32.__file__).read_text()
    X, Y = rows(net, 64, seed=6)
    a, b = m32.INITIAL_PARAMS.copy(), m64.INITIAL_PARAMS.copy()
    m32.train(a, X.astype(np.float32), Y.astype(np.float32), 2, 16, 0, m32.DEFAULT_HYPER, 1)
    m64.train(b, X, Y, 2, 16, 0, m64.DEFAULT_HYPER, 1)
    assert a.dtype == np.float32
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_frozen_parameters_take_the_step_that_skips_them():
    """A spec with frozen parameters gets no fused step (it would move them): mini-batch
    SGD leaves them where they are."""
    net = CORPUS["nielsen-frozen"]
    m = build("nielsen-frozen", form="matrix")
    assert "def _sgd_chunk" not in Path(m.__file__).read_text()
    X, Y = rows(net, 30, seed=2)
    p = params_of(m, net)
    stepped = p.copy()
    m.train(stepped, X, Y, 2, 8, 0, m.DEFAULT_HYPER, 0)
    for k, q in enumerate(m.PARAM_NAMES):
        assert (stepped[k] == p[k]) == (q in net.freeze)


@pytest.mark.parametrize("name", ["relu-softmax-cce", "tanh-sigmoid-bce-shared"])
def test_jitted_functions_equal_their_python(name):
    m = built(network(name), "matrix")
    X, Y = rows(network(name), 40, seed=1)
    p = m.INITIAL_PARAMS.copy()
    np.testing.assert_allclose(m.forward(p, X), m.forward.py_func(p, X), rtol=1e-12)
    assert m.cost(p, X, Y) == pytest.approx(m.cost.py_func(p, X, Y), rel=1e-12)
    (c1, g1), (c2, g2) = m.gradient(p, X, Y), m.gradient.py_func(p, X, Y)
    assert c1 == pytest.approx(c2, rel=1e-12)
    np.testing.assert_allclose(g1, g2, rtol=1e-10, atol=1e-14)


def test_float32_matrix_form():
    net = network("relu-softmax-cce")
    m32, m64 = built(net, "matrix", "float32"), built(net, "scalar")
    X, Y = rows(net, 50, seed=2)
    cost, grad = m32.gradient(m32.INITIAL_PARAMS, X.astype(np.float32), Y.astype(np.float32))
    assert grad.dtype == np.float32
    c64, g64 = m64.gradient(m64.INITIAL_PARAMS, X, Y)
    assert cost == pytest.approx(c64, rel=1e-5)
    np.testing.assert_allclose(grad, g64, rtol=1e-3, atol=1e-5)
    # float64 data into a float32 module: converted, the same numbers
    assert m32.gradient(m32.INITIAL_PARAMS, X, Y)[0] == pytest.approx(cost, rel=1e-6)


def test_training_matches_the_index_form():
    """A few epochs of mini-batch SGD on a wider net: the same parameters as the index form."""
    net = Network.layered([20, 9, 5], ["tanh", "softmax"], loss="cce", init_seed=1,
                          name="matrix-vs-index", learning_rate=0.1)
    matrix, index = built(net, "matrix"), built(net, "index")
    X, Y = rows(net, 400, seed=3)
    a, b = matrix.INITIAL_PARAMS.copy(), index.INITIAL_PARAMS.copy()
    ha = matrix.train(a, X, Y, 5, 32, 0, matrix.DEFAULT_HYPER, 7)
    hb = index.train(b, X, Y, 5, 32, 0, index.DEFAULT_HYPER, 7)
    np.testing.assert_allclose(ha, hb, rtol=1e-10)
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    assert ha[-1] < ha[0]


def test_a_784_64_10_module_stays_readable(tmp_path):
    """Seed 003's network: a module of tens of kilobytes with no long line, its 50,890 names
    and starting values in a companion file beside it (the same bytes for the same spec),
    read back exactly; a missing or altered companion is a clear ImportError and makes the
    module out of date, so that build writes both again."""
    net = Network.layered([784, 64, 10], ["relu", "softmax"], loss="cce", init_seed=0,
                          name="mlp-784-64-10")
    text, companion = emit_files(net)
    assert len(text.encode()) < 100_000 and len(companion) < 1_000_000
    assert max(len(line) for line in text.splitlines()) <= 2_000
    assert emit_files(net) == (text, companion)
    assert "np.dot(Xb, W2.T, Z2)" in text and "np.dot(D2.T, Xb, T" in text
    assert_only_chainrule_statements(text)  # reading the companion runs nothing else
    out = tmp_path / "mlp.py"
    m = codegen.build(net, out=out)
    assert (tmp_path / "mlp.chainrule.npz").read_bytes() == companion
    assert m.PARAM_NAMES == tuple(net.parameters) and len(m.PARAM_NAMES) == 50_890
    np.testing.assert_array_equal(m.INITIAL_PARAMS, list(net.parameters.values()))
    assert not m.FROZEN.any() and m.FROZEN.shape == (50_890,)
    altered = companion[:-9] + bytes([companion[-9] ^ 1]) + companion[-8:]
    for spoil in (lambda p: p.unlink(), lambda p: p.write_bytes(altered)):
        spoil(tmp_path / "mlp.chainrule.npz")
        with pytest.raises(ImportError, match="companion file"):
            load_module(out)
        assert not is_current(out, net, "float64")
        rebuilt = codegen.build(net, out=out)
        assert (tmp_path / "mlp.chainrule.npz").read_bytes() == companion
        assert rebuilt.PARAM_NAMES == m.PARAM_NAMES


def test_auto_takes_the_matrix_form_for_big_layered_specs():
    small, big = CORPUS["softmax-cce"], Network.layered([64, 16, 10], ["tanh", "softmax"],
                                                        loss="cce", name="digits")
    assert len(small.parameters) <= MATRIX_FORM_ABOVE < len(big.parameters)
    assert module_form(small) == "scalar" and module_form(big) == "matrix"
    assert module_form(big, "index") == "index"
    with pytest.raises(codegen.printer.CodegenError, match="layered"):
        module_form(CORPUS["free-form-mix"], "matrix")
