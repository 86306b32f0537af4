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
