"""A scikit-learn estimator around a generated trainer: ``fit``, ``predict``, ``score``.

``Trainer("examples/iris_softmax.toml", epochs=200)`` works with scikit-learn's tools
(``cross_val_score``, ``GridSearchCV``, pipelines): ``__init__`` only stores its arguments,
fitted state ends in ``_``. Classifier specs (binary or categorical cross-entropy) take class
labels or one-hot rows, as scikit-learn's classifiers and Keras do: whole-number labels 0 to
outputs − 1 are the outputs themselves (label k is output k, ``classes_`` all of them), other
labels (text, or numbers outside that range) are numbered in sorted order; ``predict`` returns
labels. ``score`` is accuracy for classifiers and R² otherwise.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator

from codegen.modules import build
from codegen.training.labels import class_rows
from codegen.training.loop import Settings, train
from derive.errors import DataError


class Trainer(BaseEstimator):
    """Trains the network of ``spec`` with its generated Numba module."""

    def __init__(self, spec="seed004_afteracademy", epochs=200, batch_size=16, optimizer="sgd",
                 lr=None, momentum=0.9, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0,
                 seed=0, dtype="float64"):
        self.spec = spec
        self.epochs = epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.lr = lr
        self.momentum = momentum
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weight_decay = weight_decay
        self.seed = seed
        self.dtype = dtype

    # ---- pickling (joblib and Dask send estimators to other processes) ---------------------

    def __getstate__(self) -> dict:
        """The state without the generated module (a module does not pickle): its spec and
        dtype say which it is."""
        state = dict(super().__getstate__())  # a copy: Python's own is the __dict__ itself
        state.pop("module_", None)
        return state

    def __setstate__(self, state: dict) -> None:
        """A fitted estimator gets its module back from its spec (built or reused where it is
        unpickled, as ``fit`` builds it)."""
        super().__setstate__(state)
        if "params_" in state:
            self.module_ = build(self.spec, dtype=self.dtype)

    # ---- fitting --------------------------------------------------------------------------

    def fit(self, X, y):
        """Train from the spec's starting parameters on rows X and targets or labels y."""
        self.module_ = build(self.spec, dtype=self.dtype)
        X = self._inputs(X)
        Y = self._targets(y, fitting=True)
        settings = Settings(epochs=self.epochs, batch_size=self.batch_size,
                            optimizer=self.optimizer, lr=self.lr, momentum=self.momentum,
                            beta1=self.beta1, beta2=self.beta2, eps=self.eps,
                            weight_decay=self.weight_decay, seed=self.seed)
        result = train(self.module_, X, Y, settings)
        self.params_ = result.params
        self.history_ = np.array(result.history)
        self.n_features_in_ = X.shape[1]
        return self

    def _inputs(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=self.module_.DTYPE)
        if X.ndim != 2 or X.shape[1] != len(self.module_.INPUT_NAMES):
            raise DataError(f"expected rows of {len(self.module_.INPUT_NAMES)} inputs "
                            f"({', '.join(self.module_.INPUT_NAMES)}), got shape {X.shape}")
        return np.ascontiguousarray(X)

    def _targets(self, y, fitting: bool = False) -> np.ndarray:
        """Target rows; class labels become one-hot rows (or 0/1 for a single output)."""
        y = np.asarray(y)
        width = len(self.module_.TARGET_NAMES)
        if y.ndim == 2 and y.shape[1] == width:
            if fitting and self.module_.IS_CLASSIFIER:  # one-hot rows (or a 0/1 column)
                self.classes_ = np.arange(max(width, 2))
            return np.ascontiguousarray(y, dtype=self.module_.DTYPE)
        if y.ndim == 2 and y.shape[1] == 1 and self.module_.IS_CLASSIFIER:
            y = y[:, 0]  # a column of labels, as scikit-learn takes one
        if y.ndim != 1 or (not self.module_.IS_CLASSIFIER and width != 1):
            raise DataError(f"expected targets of width {width} "
                            f"({', '.join(self.module_.TARGET_NAMES)}), got shape {y.shape}")
        if not self.module_.IS_CLASSIFIER:
            return y.astype(self.module_.DTYPE)[:, None]
        if fitting:
            self.classes_ = _classes(y, max(width, 2))
        index = np.searchsorted(self.classes_, y)
        return class_rows(index, self.module_, "y").astype(self.module_.DTYPE)

    # ---- using ----------------------------------------------------------------------------

    def predict_outputs(self, X) -> np.ndarray:
        """The network's outputs (OUTPUT_NAMES) for rows X."""
        return self.module_.predict(self.params_, self._inputs(X))

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (classifier specs)."""
        out = self.predict_outputs(X)
        if out.shape[1] == 1:
            return np.column_stack([1 - out[:, 0], out[:, 0]])
        seen = out[:, :len(self.classes_)]  # the outputs of the classes fit saw, in order
        return seen / np.maximum(seen.sum(axis=1, keepdims=True), np.finfo(seen.dtype).tiny)

    def predict(self, X) -> np.ndarray:
        """Class labels for classifier specs, the outputs otherwise."""
        out = self.predict_outputs(X)
        if not self.module_.IS_CLASSIFIER:
            return out[:, 0] if out.shape[1] == 1 else out
        index = ((out[:, 0] > 0.5).astype(int) if out.shape[1] == 1
                 else out[:, :len(self.classes_)].argmax(axis=1))
        return self.classes_[index]

    def score(self, X, y) -> float:
        """Accuracy for classifier specs, R² (uniform over outputs) otherwise."""
        if self.module_.IS_CLASSIFIER:
            y = np.asarray(y)
            labels = self.classes_[y.argmax(axis=1)] if y.ndim == 2 and y.shape[1] > 1 else y
            return float(np.mean(self.predict(X) == labels.ravel()))
        Y = self._targets(y)
        out = self.predict_outputs(X)
        residual = ((Y - out) ** 2).sum(axis=0)
        total = ((Y - Y.mean(axis=0)) ** 2).sum(axis=0)
        return float(np.mean(1 - residual / np.where(total == 0, 1, total)))


def _classes(y: np.ndarray, classes: int) -> np.ndarray:
    """The labels of ``classes`` outputs: 0 to classes − 1 when ``y`` holds whole numbers in
    that range (label k is output k), else the sorted labels ``y`` holds."""
    if y.dtype.kind in "biuf":
        values = y.astype(float)
        with np.errstate(invalid="ignore"):
            fraction = ~(np.isfinite(values) & (values == np.round(values)))
        if fraction.any():
            row = int(np.flatnonzero(fraction)[0])
            raise DataError(f"y[{row}] (row {row + 1}) is {values[row]:g}, not a class label",
                            hint="a classifier takes whole numbers, text labels or one-hot rows")
        if len(values) and values.min() >= 0 and values.max() < classes:
            return np.arange(classes, dtype=y.dtype)
    found = np.unique(y)
    if len(found) > classes:
        raise DataError(f"y holds {len(found)} classes, but the spec has {classes} outputs"
                        if classes > 2 else f"y holds {len(found)} classes, but the spec's "
                        "one output tells two apart")
    return found
