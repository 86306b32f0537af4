"""Training data for `chainrule train`: files, scikit-learn's bundled sets, XOR and a teacher.

A SOURCE is ``csv:PATH`` or ``npz:PATH`` (columns or arrays named after the spec's inputs and
targets), ``xor``, ``iris``, ``digits`` or ``synthetic`` (a fixed-seed teacher network of the
spec's own shape). Rows are 2-D float arrays in the module's INPUT_NAMES / TARGET_NAMES order.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from derive.errors import DataError

SOURCES = ("csv:PATH", "npz:PATH", "xor", "iris", "digits", "synthetic")


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

    def __len__(self) -> int:
        return self.X.shape[0]

    def split(self, test_fraction: float, seed: int) -> tuple["Dataset", "Dataset"]:
        """(train, test), shuffled with ``seed``; classes kept in proportion for one-hot Y."""
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


def load(source: str, module, samples: int = 2000, seed: int = 0) -> Dataset:
    """The data of ``source`` for the generated ``module`` (its INPUT_NAMES, TARGET_NAMES).

    Raises:
        DataError: an unknown source, a missing file or column, a bad row, or a dataset whose
            shape does not fit the spec (naming the sizes it needs).
    """
    kind, _, rest = source.partition(":")
    if kind in ("csv", "npz") and rest:
        return (_csv if kind == "csv" else _npz)(Path(rest), module)
    if source == "xor":
        X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        return _fit("xor", X, np.array([[0.0], [1.0], [1.0], [0.0]]), module,
                    reuse_for_test=True)
    if source in ("iris", "digits"):
        return _bundled(source, module)
    if source == "synthetic":
        return _synthetic(module, samples, seed)
    raise DataError(f"unknown data source {source!r}", hint="expected one of " + ", ".join(SOURCES))


def _fit(name: str, X: np.ndarray, Y: np.ndarray, module, **options) -> Dataset:
    """A dataset, after checking its widths against the spec's inputs and targets."""
    inputs, targets = len(module.INPUT_NAMES), len(module.TARGET_NAMES)
    if X.shape[1] != inputs or Y.shape[1] != targets:
        raise DataError(f"{name} has {_count(X.shape[1], 'input')} and "
                        f"{_count(Y.shape[1], 'target')} per row, but the spec has "
                        f"{_count(inputs, 'input')} and {_count(targets, 'target')}",
                        hint=f"use a spec with {_count(X.shape[1], 'input')} and "
                             f"{_count(Y.shape[1], 'target')}")
    return Dataset(name, np.asarray(X, dtype=float), np.asarray(Y, dtype=float), **options)


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _bundled(name: str, module) -> Dataset:
    from sklearn import datasets
    data = datasets.load_iris() if name == "iris" else datasets.load_digits()
    classes = int(data.target.max()) + 1
    if len(module.TARGET_NAMES) == 1 and classes == 2:
        Y = data.target[:, None].astype(float)
    else:
        Y = np.eye(classes)[data.target]
    if Y.shape[1] != len(module.TARGET_NAMES):
        raise DataError(f"{name} has {classes} classes, but the spec has "
                        f"{len(module.TARGET_NAMES)} targets",
                        hint=f"use a spec with {data.data.shape[1]} inputs and {classes} outputs "
                             f"(softmax with categorical cross-entropy), e.g. "
                             f"examples/iris_softmax.toml for iris")
    return _fit(name, data.data, Y, module, standardize=True)


def _synthetic(module, samples: int, seed: int) -> Dataset:
    """Rows from a teacher: the same network with parameters drawn from a fixed seed."""
    if not module.OUTPUT_NAMES:
        raise DataError("the spec has no output node for a teacher to predict with",
                        hint='write the output as a node of its own (e.g. o = "w*x") and use '
                             "it in the cost")
    rng = np.random.default_rng(seed)
    teacher = rng.normal(0.0, 1.0, size=len(module.PARAM_NAMES))
    X = rng.normal(0.0, 1.0, size=(samples, len(module.INPUT_NAMES)))
    Y = module.predict(teacher.astype(module.DTYPE), X.astype(module.DTYPE)).astype(float)
    if Y.shape[1] != len(module.TARGET_NAMES):
        raise DataError("synthetic data needs as many outputs as targets",
                        hint=f"the spec has outputs {module.OUTPUT_NAMES} and targets "
                             f"{module.TARGET_NAMES}")
    return Dataset("synthetic", X, Y)


def _csv(path: Path, module) -> Dataset:
    names = [*module.INPUT_NAMES, *module.TARGET_NAMES]
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as err:
        raise DataError(f"cannot read the data file: {err.strerror}", file=str(path)) from None
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise DataError("the file is empty", file=str(path), line=1,
                            hint="expected a header row naming " + ", ".join(names))
        header = [h.strip() for h in header]
        missing = [n for n in names if n not in header]
        if missing:
            raise DataError(f"no column {missing[0]!r}", file=str(path), line=1,
                            hint="the header must name the spec's inputs and targets: "
                                 + ", ".join(names))
        columns = [header.index(n) for n in names]
        rows = []
        for line, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            try:
                rows.append([float(row[c]) for c in columns])
            except (ValueError, IndexError):
                raise DataError("expected a number in every named column", file=str(path),
                                line=line, hint=f"got {row!r}") from None
    if not rows:
        raise DataError("no data rows", file=str(path), line=2)
    table = np.array(rows)
    k = len(module.INPUT_NAMES)
    return Dataset(path.name, table[:, :k], table[:, k:])


def _npz(path: Path, module) -> Dataset:
    try:
        arrays = np.load(path)
    except (OSError, ValueError) as err:
        raise DataError(f"cannot read the npz file: {err}", file=str(path)) from None
    with arrays:
        if "X" in arrays and "Y" in arrays:
            X, Y = np.atleast_2d(arrays["X"]), arrays["Y"]
            Y = Y[:, None] if Y.ndim == 1 else Y
            return _fit(path.name, X.astype(float), Y.astype(float), module)
        names = [*module.INPUT_NAMES, *module.TARGET_NAMES]
        missing = [n for n in names if n not in arrays]
        if missing:
            raise DataError(f"no array {missing[0]!r}", file=str(path),
                            hint="expected arrays X and Y, or one array per input and target: "
                                 + ", ".join(names))
        table = np.column_stack([np.asarray(arrays[n], dtype=float).ravel() for n in names])
    k = len(module.INPUT_NAMES)
    return Dataset(path.name, table[:, :k], table[:, k:])
