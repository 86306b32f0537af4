"""The plan's safe forms: a sigmoid or softmax output's log, softmax itself and the δ of a
log-loss stay finite where the textbook form overflows."""

from __future__ import annotations

import numpy as np
import pytest

import codegen
from tests.codegen.building import CORPUS, build, params_of


def test_sigmoid_bce_is_finite_at_large_z():
    m = codegen.build("seed001_single_neuron")
    params = np.array([1.0, 0.0, 0.0, 0.0])          # Z = x1
    for z, y in ((1000.0, 0.0), (-1000.0, 1.0), (1000.0, 1.0)):
        X, Y = np.array([[z, 0.0, 0.0]]), np.array([[y]])
        cost, grad = m.gradient(params, X, Y)
        a = 1.0 if z > 0 else 0.0
        # BCE of a saturated neuron: |z| when wrong, 0 when right; ∂L/∂w1 = (a − y)·x1
        assert cost == pytest.approx(abs(z) if a != y else 0.0, abs=1e-12)
        np.testing.assert_allclose(grad, [(a - y) * z, 0.0, 0.0, a - y], atol=1e-12)


def test_softmax_cce_is_finite_at_large_z():
    m = codegen.build("iris_softmax")
    params = np.zeros(len(m.PARAM_NAMES))
    bias = [m.PARAM_NAMES.index(f"b3_{j}") for j in (1, 2, 3)]
    params[bias] = [1000.0, -1000.0, 0.0]             # z = (1000, −1000, 0)
    X, Y = np.zeros((1, 4)), np.array([[0.0, 1.0, 0.0]])
    cost, grad = m.gradient(params, X, Y)
    assert cost == pytest.approx(2000.0)               # −log softmax₂ = 1000 − (−1000)
    np.testing.assert_allclose(grad[bias], [1.0, -1.0, 0.0], atol=1e-12)   # a − y
    assert np.isfinite(grad).all()
    np.testing.assert_allclose(m.predict(params, X)[0], [1.0, 0.0, 0.0], atol=1e-300)


def test_softplus_and_sigmoid_activations_are_finite_at_large_z():
    name = "leaky-softplus-sse"
    m = build(name)
    params = params_of(m, CORPUS[name]) * 1000.0
    X = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    Y = np.array([[0.5, 0.5], [0.5, 0.5]])
    cost, grad = m.gradient(params, X, Y)
    assert np.isfinite(cost) and np.isfinite(grad).all()
    assert np.isfinite(m.forward(params, X)).all()
