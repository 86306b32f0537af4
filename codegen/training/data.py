"""Training data for `chainrule train`: files, scikit-learn's bundled sets, XOR and a teacher.

A SOURCE is ``csv:PATH`` or ``npz:PATH`` (columns or arrays named after the spec's inputs and
targets), ``xor``, ``iris``, ``digits`` or ``synthetic`` (a fixed-seed teacher network of the
spec's own shape). Rows are 2-D float arrays in the module's INPUT_NAMES / TARGET_NAMES order.

Data files come from anywhere, so they are read defensively: only regular files, sizes checked
against the limit and the available memory (:mod:`codegen.training.data_limits`) before
anything is read or inflated, and every value checked to be a finite number
(:mod:`codegen.training.csv_reader`, :mod:`codegen.training.npz_reader`). An error names the
file, the line or row and the column. :class:`~codegen.training.dataset.Dataset` and
:func:`~codegen.training.dataset.prepare` are importable from here too, as ``load``'s
companions.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from codegen.training.csv_reader import read_csv
from codegen.training.data_limits import check_size
from codegen.training.dataset import Dataset, checked_dataset, prepare
from codegen.training.npz_reader import read_npz
from derive.errors import DataError, shown

__all__ = ["SOURCES", "MAX_SAMPLES", "Dataset", "load", "prepare"]

SOURCES = ("csv:PATH", "npz:PATH", "xor", "iris", "digits", "synthetic")

#: The most rows of synthetic data (--samples).
MAX_SAMPLES = 10_000_000


def load(source: str, module, samples: int = 2000, seed: int = 0) -> Dataset:
    """The data of ``source`` for the generated ``module`` (its INPUT_NAMES, TARGET_NAMES).

    Raises:
        DataError: an unknown source, a missing or special file, a file over the size limit
            or the available memory, a bad row or value (naming the file, line or row and
            column), or a dataset whose shape does not fit the spec (naming the sizes it needs).
    """
    kind, _, rest = source.partition(":")
    if kind in ("csv", "npz") and rest:
        return (read_csv if kind == "csv" else read_npz)(Path(rest), module)
    if source == "xor":
        X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        return checked_dataset("xor", X, np.array([[0.0], [1.0], [1.0], [0.0]]), module,
                               reuse_for_test=True)
    if source in ("iris", "digits"):
        return _bundled(source, module)
    if source == "synthetic":
        return _synthetic(module, samples, seed)
    raise DataError(f"unknown data source {shown(source)}",
                    hint="expected one of " + ", ".join(SOURCES))


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
    return checked_dataset(name, data.data, Y, module, standardize=True)


def _synthetic(module, samples: int, seed: int) -> Dataset:
    """Rows from a teacher: the same network with parameters drawn from a fixed seed."""
    if not module.OUTPUT_NAMES:
        raise DataError("the spec has no output node for a teacher to predict with",
                        hint='write the output as a node of its own (e.g. o = "w*x") and use '
                             "it in the cost")
    if not 1 <= samples <= MAX_SAMPLES:
        raise DataError(f"synthetic data has from 1 to {MAX_SAMPLES:,} rows, not {samples:,}")
    width = len(module.INPUT_NAMES) + len(module.TARGET_NAMES)
    check_size(samples * width * 8, f"synthetic data of {samples:,} rows",
               numbers=samples * width, advice="ask for fewer rows (--samples)")
    rng = np.random.default_rng(seed)
    teacher = rng.normal(0.0, 1.0, size=len(module.PARAM_NAMES))
    X = rng.normal(0.0, 1.0, size=(samples, len(module.INPUT_NAMES)))
    Y = module.predict(teacher.astype(module.DTYPE), X.astype(module.DTYPE)).astype(float)
    if Y.shape[1] != len(module.TARGET_NAMES):
        raise DataError("synthetic data needs as many outputs as targets",
                        hint=f"the spec has outputs {module.OUTPUT_NAMES} and targets "
                             f"{module.TARGET_NAMES}")
    if not np.isfinite(Y).all():
        raise DataError("the teacher network's outputs are not all finite numbers",
                        hint="its activations overflow at random parameters; train on a file")
    return Dataset("synthetic", X, Y)
