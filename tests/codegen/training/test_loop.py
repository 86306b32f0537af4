"""The training loop from Python: it follows the module step by step, and refuses rows,
settings and starting parameters that do not fit."""

from __future__ import annotations

import numpy as np
import pytest

import codegen
from codegen.training.data import load
from codegen.training.loop import Settings, train
from derive.errors import ChainruleError, DataError


def test_train_function_follows_the_module_step_by_step():
    m = codegen.build("seed004_afteracademy")
    data = load("synthetic", m, samples=64)
    settings = Settings(epochs=3, batch_size=8, optimizer="momentum", lr=0.3, seed=5)
    result = train(m, data.X, data.Y, settings)
    params, state, t = m.INITIAL_PARAMS.copy(), np.zeros((2, len(m.PARAM_NAMES))), 0
    for epoch in range(1, 4):
        _, t = m.train_epoch(params, state, t, data.X, data.Y, 8, 1, settings.hyper(m), 5 + epoch)
    np.testing.assert_array_equal(result.params, params)
    assert result.epochs == 3 and t == 3 * 8


@pytest.mark.parametrize("X, Y, words", [
    (np.zeros((3, 2)), np.zeros((4, 1)), "X has 3 rows but Y has 4"),
    (np.zeros((4, 2)), np.zeros((3, 1)), "X has 4 rows but Y has 3"),
    (np.zeros((4, 2, 2)), np.zeros((4, 1)), "shape (4, 2, 2)"),
    (np.zeros(4), np.zeros((4, 1)), "shape (4,)"),
    (np.zeros((4, 3)), np.zeros((4, 1)), "expected rows × 2 (x1, x2)"),
    (np.zeros((4, 2)), np.zeros((4, 2)), "expected rows × 1 (y)"),
    (np.array([[0, 1], [np.nan, 0]]), np.zeros((2, 1)), "X[1, 0] is nan"),
    (np.zeros((2, 2)), np.array([[0], [np.inf]]), "Y[1, 0] is inf"),
    ([["a", "b"]], [[0]], "not arrays of numbers"),
])
def test_train_refuses_rows_that_do_not_fit(xor, X, Y, words):
    with pytest.raises(DataError) as caught:
        train(xor, X, Y, Settings(epochs=1))
    assert words in str(caught.value)


def test_train_refuses_held_out_rows_that_do_not_fit(xor):
    with pytest.raises(DataError, match="held-out rows: X has 2 rows but Y has 3"):
        train(xor, np.zeros((4, 2)), np.zeros((4, 1)), Settings(epochs=1),
              test=(np.zeros((2, 2)), np.zeros((3, 1))))


@pytest.mark.parametrize("settings, words", [
    (Settings(seed=-1), "the seed must be a whole number from 0 to 2147483647"),
    (Settings(seed=2 ** 63), "the seed must be"),
    (Settings(batch_size=0), "the batch size must be"),
    (Settings(batch_size=2 ** 64), "the batch size must be"),
    (Settings(batch_size=2.5), "the batch size must be"),
    (Settings(epochs=10 ** 12), "epochs must be a whole number from 1 to 1000000"),
    (Settings(momentum=float("nan")), "momentum must be in [0, 1) (got nan)"),
    (Settings(lr="0.1"), "the learning rate must be positive (got '0.1')"),
    (Settings(weight_decay=float("inf")), "weight decay must be at least 0 and finite"),
    (Settings(optimizer="lbfgs"), "unknown optimizer 'lbfgs'"),
])
def test_settings_that_cannot_train_are_clear_errors(xor, settings, words):
    with pytest.raises(ChainruleError) as caught:
        train(xor, np.zeros((4, 2)), np.zeros((4, 1)), settings)
    assert words in str(caught.value)


@pytest.mark.parametrize("params", [np.zeros(3), np.full(17, np.nan), [["a"]]])
def test_train_refuses_starting_parameters_that_do_not_fit(xor, params):
    with pytest.raises(DataError, match="starting parameters"):
        train(xor, np.zeros((4, 2)), np.zeros((4, 1)), Settings(epochs=1), params=params)


def test_train_leaves_the_starting_parameters_alone(xor):
    start = np.array(xor.INITIAL_PARAMS)
    result = train(xor, np.zeros((4, 2)), np.ones((4, 1)), Settings(epochs=2), params=start)
    np.testing.assert_array_equal(start, xor.INITIAL_PARAMS)
    assert not np.array_equal(result.params, start)
