"""The scalar-form module's arithmetic: every gradient against the derivation's numbers,
central differences and PyTorch autograd; jitted functions against their ``.py_func``; the
fused per-sample SGD against a gradient and a step."""

from __future__ import annotations

import numpy as np
import pytest

from derive.scalar.chain import derive
from derive.scalar.values import compute
from tests.codegen.building import CORPUS, build, params_of, random_rows, spec_rows
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
