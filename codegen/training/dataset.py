"""A data set of rows: inputs and targets as 2-D arrays, checked against the spec, split, scaled.

Rows are 2-D float arrays in the module's INPUT_NAMES / TARGET_NAMES order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from derive.errors import DataError


@dataclass
class Dataset:
    """Rows of inputs and targets, with what a report needs to know about them."""

    name: str
    X: np.ndarray
    Y: np.ndarray
    #: standardise inputs with the training rows' mean and deviation (bundled feature sets)
    standardize: bool = False
    #: the same rows serve for training and testing (XOR has only four)
    reuse_for_test: bool = False
    #: the data's own held-out rows (Keras's x_test, y_test), used instead of a split
    test: "Dataset | None" = None
    #: the file the rows come from (for messages), or None (a bundled or synthetic set)
    file: str | None = None

    def __len__(self) -> int:
        return self.X.shape[0]

    def split(self, test_fraction: float, seed: int) -> tuple["Dataset", "Dataset"]:
        """(train, test): the data's own held-out rows if it has them, else a split shuffled
        with ``seed`` (classes kept in proportion for one-hot Y)."""
        if self.test is not None:
            return replace(self, test=None), self.test
        if self.reuse_for_test or test_fraction <= 0:
            return self, self
        rng = np.random.default_rng(seed)
        if self.Y.shape[1] > 1 and set(np.unique(self.Y)) <= {0.0, 1.0}:
            test = []
            for label in range(self.Y.shape[1]):  # stratified: each class split alike
                rows = np.flatnonzero(self.Y[:, label] == 1.0)
                rng.shuffle(rows)
                test.extend(rows[:round(len(rows) * test_fraction)])
            test = np.array(sorted(test), dtype=np.int64)
        else:
            order = rng.permutation(len(self))
            test = np.sort(order[:max(1, round(len(self) * test_fraction))])
        train = np.setdiff1d(np.arange(len(self)), test)
        if not len(train):
            raise DataError(f"no rows to train on: the test fraction {test_fraction:g} holds out "
                            f"all {counted(len(self), 'row')} of the data", file=self.file,
                            hint="give more rows of data, or a smaller --test-fraction")
        return self._rows(train), self._rows(test)

    def _rows(self, rows: np.ndarray) -> "Dataset":
        return replace(self, X=self.X[rows], Y=self.Y[rows])

    def scaled(self, mean: np.ndarray, std: np.ndarray) -> "Dataset":
        """The inputs standardised with given statistics."""
        return replace(self, X=(self.X - mean) / std)

    def astype(self, dtype) -> "Dataset":
        return replace(self, X=np.ascontiguousarray(self.X, dtype=dtype),
                       Y=np.ascontiguousarray(self.Y, dtype=dtype))


def prepare(train: Dataset, test: Dataset) -> tuple[Dataset, Dataset]:
    """Standardise both splits with the training split's statistics, where the data asks."""
    if not train.standardize:
        return train, test
    mean, std = train.X.mean(axis=0), train.X.std(axis=0)
    std[std == 0] = 1.0
    return train.scaled(mean, std), test.scaled(mean, std)


def checked_dataset(name: str, X: np.ndarray, Y: np.ndarray, module,
                    file: str | None = None, **options) -> Dataset:
    """A dataset, after checking its rows, widths and values against the spec."""
    inputs, targets = len(module.INPUT_NAMES), len(module.TARGET_NAMES)
    if X.shape[0] != Y.shape[0]:
        raise DataError(f"X has {counted(X.shape[0], 'row')} but Y has "
                        f"{counted(Y.shape[0], 'row')}", file=file,
                        hint="each row of X needs its row of Y")
    if X.shape[0] == 0:
        raise DataError("no data rows", file=file)
    if X.shape[1] != inputs or Y.shape[1] != targets:
        raise DataError(f"{'the data' if file else name} has {counted(X.shape[1], 'input')} and "
                        f"{counted(Y.shape[1], 'target')} per row, but the spec has "
                        f"{counted(inputs, 'input')} and {counted(targets, 'target')}",
                        file=file, hint=f"use a spec with {counted(X.shape[1], 'input')} and "
                                        f"{counted(Y.shape[1], 'target')}")
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    for label, array in (("X", X), ("Y", Y)):
        if not np.isfinite(array).all():
            row, column = np.argwhere(~np.isfinite(array))[0]
            raise DataError(f"{label}[{row}, {column}] is {array[row, column]}, not a finite "
                            "number", file=file)
    return Dataset(name, X, Y, file=file, **options)


def counted(n: int, word: str) -> str:
    """``n`` and ``word`` for a message: "1 row", "1,000 rows"."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"
