"""The rows of a sweep, sent once to every worker: one split for all the runs, or, for
``folds=K`` (K-fold cross-validation), all the rows and the fold of each, every run training
on the other folds and measured on its own (standardised, where the data asks, by its own
training rows)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from codegen.training.dataset import Dataset, prepare
from derive.errors import ChainruleError, printable


@dataclass(frozen=True)
class Rows:
    """The rows every run trains on and is judged on (the same split for all); with folds,
    all the rows and the fold of each, each run holding out its own fold."""

    X: np.ndarray
    Y: np.ndarray
    test_X: np.ndarray
    test_Y: np.ndarray
    #: the held-out rows are the training rows (XOR's four rows; --test-fraction 0)
    same_rows: bool
    #: the fold (1 … K) of every row of X, Y (``folds=K``), or None: X, Y train, test_X judges
    folds: np.ndarray | None = None
    #: standardise each fold's inputs by its training rows (bundled feature sets)
    standardize: bool = False
    dtype: str = "float64"

    def split(self, fold: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(X, Y, test_X, test_Y) of a run: the one split, or all rows but ``fold``'s and
        ``fold``'s rows."""
        if self.folds is None or fold is None:
            return self.X, self.Y, self.test_X, self.test_Y
        held = self.folds == fold
        train_set, test_set = prepare(Dataset("", self.X[~held], self.Y[~held], self.standardize),
                                      Dataset("", self.X[held], self.Y[held]))
        train_set, test_set = train_set.astype(self.dtype), test_set.astype(self.dtype)
        return train_set.X, train_set.Y, test_set.X, test_set.Y


def fold_numbers(Y: np.ndarray, count: int, seed: int) -> np.ndarray:
    """The fold (1 … ``count``) of every row: rows shuffled with ``seed`` and dealt in turn,
    class by class for one-hot ``Y`` (each fold holds the classes in proportion); the same
    rows, count and seed give the same folds.

    Raises:
        ChainruleError: fewer rows than folds.
    """
    rows = Y.shape[0]
    if count > rows:
        raise ChainruleError(f"folds={count} needs at least {count} rows, and the data has "
                             f"{rows:,}", hint=f"ask for at most folds={rows}")
    rng = np.random.default_rng(seed)
    if Y.shape[1] > 1 and set(np.unique(Y)) <= {0.0, 1.0}:
        order = np.concatenate([rng.permutation(np.flatnonzero(Y[:, label] == 1.0))
                                for label in range(Y.shape[1])]
                               + [rng.permutation(np.flatnonzero(Y.sum(axis=1) != 1.0))])
    else:
        order = rng.permutation(rows)
    folds = np.empty(rows, dtype=np.int64)
    folds[order] = np.arange(rows) % count + 1
    return folds


def sweep_rows(data: Dataset, seed: int, dtype, source: str, *, test_fraction: float | None = None,
               folds: int | None = None) -> Rows:
    """The rows of a sweep: ``data`` split once with ``seed`` (``test_fraction``, 0.2 where
    not given; the data's own test rows where it has them), or with ``folds`` all its rows
    and the fold of each.

    Raises:
        ChainruleError: folds for data with test rows of its own, or more folds than rows.
    """
    if folds is None:
        fraction = 0.2 if test_fraction is None else test_fraction
        train_set, test_set = prepare(*data.split(fraction, seed))
        train_set, test_set = train_set.astype(dtype), test_set.astype(dtype)
        return Rows(train_set.X, train_set.Y, test_set.X, test_set.Y,
                    same_rows=data.reuse_for_test or (fraction == 0 and data.test is None))
    if data.test is not None:
        raise ChainruleError(f"folds={folds}: the data {printable(source)} has held-out rows of its "
                             "own (x_test, y_test), and folds hold out rows too",
                             hint="cross-validate data without a test split, or leave out folds")
    empty = np.empty((0, data.X.shape[1]))
    return Rows(data.X, data.Y, empty, np.empty((0, data.Y.shape[1])), same_rows=False,
                folds=fold_numbers(data.Y, folds, seed), standardize=data.standardize,
                dtype=np.dtype(dtype).name)
