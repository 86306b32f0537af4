"""The Trainer estimator: scikit-learn's cross-validation, regression, refused values."""

from __future__ import annotations

import numpy as np
import pytest

import codegen
from codegen.training.data import load
from codegen.training.estimator import Trainer
from derive.errors import DataError


def test_trainer_with_cross_val_score():
    from sklearn.datasets import load_iris
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    X, y = load_iris(return_X_y=True)
    model = make_pipeline(StandardScaler(), Trainer("iris_softmax", epochs=200))
    scores = cross_val_score(model, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0))
    assert scores.mean() >= 0.93, scores


def test_trainer_regression_score_and_predict():
    m = codegen.build("seed004_afteracademy")
    data = load("synthetic", m, samples=500)
    model = Trainer("seed004_afteracademy", epochs=200, optimizer="adam", lr=0.01)
    model.fit(data.X, data.Y)
    assert model.predict(data.X).shape == (500, 2)
    assert model.score(data.X, data.Y) > 0.9
    assert model.history_[-1] < model.history_[0]


def test_the_estimator_refuses_mismatched_or_missing_values():
    model = Trainer("xor", epochs=1)
    with pytest.raises(DataError, match="X has 4 rows but Y has 3"):
        model.fit(np.zeros((4, 2)), np.array([0, 1, 0]))
    with pytest.raises(DataError, match=r"X\[0, 1\] is nan"):
        model.fit(np.array([[0, np.nan], [1, 1]]), np.array([0, 1]))


def test_trainer_takes_integer_labels_and_predicts_labels():
    """As a scikit-learn classifier: fit(X, y) with y the digit classes, predict → classes."""
    from sklearn.datasets import load_digits
    from sklearn.preprocessing import StandardScaler
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = Trainer("digits_64_32_10", epochs=30, batch_size=32).fit(X[:1500], y[:1500])
    np.testing.assert_array_equal(model.classes_, np.arange(10))
    predicted = model.predict(X[1500:])
    assert predicted.dtype.kind == "i" and set(predicted) <= set(range(10))
    assert model.score(X[1500:], y[1500:]) >= 0.85
    assert model.predict_proba(X[:3]).shape == (3, 10)


def test_trainer_with_fewer_labels_than_outputs_predicts_only_those():
    X = np.array([[1.0, 0, 0, 0], [0, 1.0, 0, 0]] * 10)
    y = np.array(["setosa", "virginica"] * 10)
    model = Trainer("iris_softmax", epochs=20).fit(X, y)
    assert set(model.predict(X)) <= {"setosa", "virginica"}
    proba = model.predict_proba(X)
    assert proba.shape == (20, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_trainer_refuses_labels_with_fractions():
    with pytest.raises(DataError, match=r"y\[1\] \(row 2\) is 1.5, not a class label"):
        Trainer("iris_softmax", epochs=1).fit(np.zeros((3, 4)), [0, 1.5, 2])
    with pytest.raises(DataError, match="4 classes, but the spec has 3 outputs"):
        Trainer("iris_softmax", epochs=1).fit(np.zeros((4, 4)), ["a", "b", "c", "d"])
