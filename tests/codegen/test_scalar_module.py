"""The scalar-form module's arithmetic: every gradient against the derivation's numbers,
central differences and PyTorch autograd; jitted functions against their ``.py_func``; the
fused per-sample SGD against a gradient and a step."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import codegen
from derive.scalar.chain import derive
from derive.scalar.values import compute
from derive.spec.examples import example_path
from derive.spec.model import Network
from tests.codegen.building import CACHE, CORPUS, build, params_of, random_rows, spec_rows
from tests.oracles import finite_difference_gradients, torch_gradients


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_gradient_equals_derivation_differences_and_torch(name):
    network = CORPUS[name]
    m = build(name)
    X, Y = spec_rows(network)
    cost, grad = m.gradient(params_of(m, network), X, Y)
    d = derive(network)
    truth = compute(d)
    assert cost == pytest.approx(truth.cost, rel=1e-12)
    assert m.cost(params_of(m, network), X, Y) == pytest.approx(truth.cost, rel=1e-12)
    oracles = [(truth.gradients, 1e-10, 1e-15), (torch_gradients(d), 1e-10, 1e-15),
               (finite_difference_gradients(d), 1e-6, 1e-9)]
    for oracle, rtol, atol in oracles:
        expected = np.array([oracle[p] for p in m.PARAM_NAMES])
        np.testing.assert_allclose(grad, expected, rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", ["seed004", "softmax-cce", "free-form-mix"])
def test_batch_gradient_is_the_mean_of_row_gradients(name):
    network = CORPUS[name]
    m = build(name)
    X, Y = random_rows(m, 7, seed=0)
    params = params_of(m, network)
    cost, grad = m.gradient(params, X, Y)
    rows = [m.gradient(params, X[i:i + 1], Y[i:i + 1]) for i in range(7)]
    assert cost == pytest.approx(np.mean([c for c, _ in rows]), rel=1e-12)
    np.testing.assert_allclose(grad, np.mean([g for _, g in rows], axis=0), rtol=1e-12)
    # and each row agrees with the derivation at that row's values
    d = derive(network.with_values(inputs=dict(zip(m.INPUT_NAMES, X[3])),
                                   targets=dict(zip(m.TARGET_NAMES, Y[3]))))
    truth = compute(d).gradients
    np.testing.assert_allclose(rows[3][1], [truth[p] for p in m.PARAM_NAMES], rtol=1e-10,
                               atol=1e-14)


@pytest.mark.parametrize("name, form", [("seed004", "auto"), ("softmax-cce", "auto"),
                                        ("relu-bce", "auto"), ("free-form-mix", "auto"),
                                        ("softmax-cce", "index"), ("relu-bce", "index")])
def test_jitted_functions_equal_their_python(name, form):
    """Scalar form: the same IEEE operations, so equal to the bit. Index form: its sums over
    neurons may be reassociated by Numba (fastmath reassoc), so equal to rounding."""
    network = CORPUS[name]
    m = build(name, form=form)
    X, Y = random_rows(m, 5, seed=1)
    p = params_of(m, network)
    if form == "index":
        np.testing.assert_allclose(m.forward(p, X), m.forward.py_func(p, X), rtol=1e-13,
                                   atol=1e-15)
        np.testing.assert_allclose(m.predict(p, X), m.predict.py_func(p, X), rtol=1e-13,
                                   atol=1e-15)
        assert m.cost(p, X, Y) == pytest.approx(m.cost.py_func(p, X, Y), rel=1e-14)
    else:
        np.testing.assert_array_equal(m.forward(p, X), m.forward.py_func(p, X))
        np.testing.assert_array_equal(m.predict(p, X), m.predict.py_func(p, X))
        assert m.cost(p, X, Y) == m.cost.py_func(p, X, Y)
    c1, g1 = m.gradient(p, X, Y)
    c2, g2 = m.gradient.py_func(p, X, Y)
    assert c1 == pytest.approx(c2, rel=1e-14)
    np.testing.assert_allclose(g1, g2, rtol=1e-13)
    for optimizer in range(len(m.OPTIMIZERS)):
        jit_params, py_params = p.copy(), p.copy()
        jit_state, py_state = np.zeros((2, p.size)), np.zeros((2, p.size))
        m.train_epoch(jit_params, jit_state, 0, X, Y, 2, optimizer, m.DEFAULT_HYPER, 3)
        m.train_epoch.py_func(py_params, py_state, 0, X, Y, 2, optimizer, m.DEFAULT_HYPER, 3)
        np.testing.assert_allclose(jit_params, py_params, rtol=1e-12)


def test_forward_and_predict_name_their_columns():
    network = CORPUS["seed004"]
    m = build("seed004")
    X, _ = spec_rows(network)
    values = compute(derive(network)).values
    nodes = m.forward(params_of(m, network), X)[0]
    assert list(m.NODE_NAMES) == ["h1", "h2", "H1", "H2", "o1", "o2", "O1", "O2"]
    np.testing.assert_allclose(nodes, [values[n] for n in m.NODE_NAMES], rtol=1e-14)
    assert m.OUTPUT_NAMES == ("O1", "O2")
    np.testing.assert_allclose(m.predict(params_of(m, network), X)[0],
                               [values["O1"], values["O2"]], rtol=1e-14)


@pytest.mark.parametrize("name", ["seed004", "nielsen-frozen", "softmax-cce"])
def test_fused_per_sample_sgd_equals_gradient_then_step(name):
    """Batch size 1 with SGD takes the fused row update; it must be the same arithmetic."""
    m = build(name)
    X, Y = random_rows(m, 6, seed=4)
    hyper = m.DEFAULT_HYPER.copy()
    hyper[5] = 0.01                                      # with weight decay
    fused = m.INITIAL_PARAMS.copy()
    epoch_cost, t = m.train_epoch(fused, np.zeros((2, fused.size)), 0, X, Y, 1, 0, hyper, 9)
    order = m.shuffled(6, 9)                             # the epoch's shuffle, replayed
    stepped, costs = m.INITIAL_PARAMS.copy(), []
    for i in order:
        cost, grad = m.gradient(stepped, X[i:i + 1], Y[i:i + 1])
        m.step_sgd(stepped, grad, np.zeros((2, fused.size)), 1, hyper)
        costs.append(cost)
    np.testing.assert_allclose(fused, stepped, rtol=1e-14, atol=1e-16)
    assert epoch_cost == pytest.approx(np.mean(costs), rel=1e-14) and t == 6


def _product_network() -> Network:
    """A spec whose gradients read other parameters (∂L/∂w1 holds w2 and w2's holds w1): a
    per-sample update must not see a parameter already updated for the same row."""
    return Network.from_equations(
        name="parameter-product",
        equations={"h": "tanh(w1*w2*x + b)", "L": "(w2*h - y)**2 + w1*b"},
        inputs={"x": 0.6}, targets={"y": 0.3}, parameters={"w1": 0.7, "w2": -0.4, "b": 0.2},
        cost="L", learning_rate=0.1)


def _module(name: str):
    """A corpus network's module, or the xor example's, or the parameter-product spec's."""
    if name == "xor":
        return codegen.build(Network.from_toml(example_path("xor")), out=CACHE / "xor.py")
    if name == "parameter-product":
        return codegen.build(_product_network(), out=CACHE / "parameter_product.py")
    return build(name)


@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
@pytest.mark.parametrize("name", ["xor", "seed004", "nielsen-frozen", "free-form-mix",
                                  "parameter-product"])
def test_per_sample_sgd_epochs_equal_row_by_row_gradient_and_step(name, weight_decay):
    """Batch size 1 with SGD over several epochs (the parameters kept in locals across the
    rows) against the module's own gradient of each row, then step_sgd; frozen parameters
    never move."""
    m = _module(name)
    X, Y = random_rows(m, 25, seed=6)
    hyper = m.DEFAULT_HYPER.copy()
    hyper[5] = weight_decay
    trained = m.INITIAL_PARAMS.copy()
    history = m.train(trained, X, Y, 3, 1, 0, hyper, 11)
    reference, state = m.INITIAL_PARAMS.copy(), np.zeros((2, trained.size))
    for epoch in range(3):
        costs = []
        for i in m.shuffled(25, 11 + epoch):
            cost, grad = m.gradient(reference, X[i:i + 1], Y[i:i + 1])
            m.step_sgd(reference, grad, state, 1, hyper)
            costs.append(cost)
        assert history[epoch] == pytest.approx(np.mean(costs), rel=1e-12)
    np.testing.assert_allclose(trained, reference, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(trained[m.FROZEN], m.INITIAL_PARAMS[m.FROZEN])
    assert (trained[~m.FROZEN] != m.INITIAL_PARAMS[~m.FROZEN]).all()


def _subscripts_of_params(nodes) -> list[ast.Subscript]:
    return [n for node in nodes for n in ast.walk(node)
            if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name)
            and n.value.id == "params"]


@pytest.mark.parametrize("name", ["seed004", "nielsen-frozen"])
def test_per_sample_sgd_keeps_the_parameters_in_locals_across_rows(name):
    """The scalar form's epoch of per-sample SGD reads each parameter from params once before
    its loop over the rows and writes each one that is not frozen once after it."""
    m = build(name)
    tree = ast.parse(Path(m.__file__).read_text(encoding="utf-8"))
    function = next(node for node in tree.body
                    if isinstance(node, ast.FunctionDef) and node.name == "_epoch_sgd")
    loops = [k for k, node in enumerate(function.body) if isinstance(node, ast.For)]
    assert len(loops) == 1
    before, loop, after = (function.body[:loops[0]], function.body[loops[0]],
                           function.body[loops[0] + 1:])
    assert _subscripts_of_params([loop]) == []
    reads = _subscripts_of_params(before)
    assert sorted(ast.literal_eval(r.slice) for r in reads) == list(range(len(m.PARAM_NAMES)))
    writes = [n for n in _subscripts_of_params(after) if isinstance(n.ctx, ast.Store)]
    assert sorted(ast.literal_eval(w.slice) for w in writes) == \
        [k for k in range(len(m.PARAM_NAMES)) if not m.FROZEN[k]]
