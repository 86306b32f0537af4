"""Class labels as Keras users have them (``y_train = [5, 0, 4, …]``) → a classifier's target rows.

A classifier spec (softmax with categorical cross-entropy, or sigmoid with binary
cross-entropy) trains on one target per output; data often gives one whole-number label per
row instead. Label ``k`` becomes the one-hot row whose output ``k`` is 1 (label ``k`` is output
``k``, as Keras's ``sparse_categorical_crossentropy`` and ``to_categorical`` read it); a
one-output classifier's labels are its 0/1 targets. A label that is not a whole number, or is
not one of the outputs' classes, is an error naming the array, the index and row, and the
classes allowed.
"""

from __future__ import annotations

import numpy as np

from derive.errors import DataError


def is_label_column(module, values: np.ndarray) -> bool:
    """Whether ``values`` (one value per row: 1-D, or a single column) are class labels for
    ``module``: its spec is a classifier with more than one output (with one output, the label
    is the target itself)."""
    one_column = values.ndim == 1 or (values.ndim == 2 and values.shape[1] == 1)
    return bool(module.IS_CLASSIFIER) and len(module.TARGET_NAMES) > 1 and one_column


def class_rows(labels: np.ndarray, module, name: str = "y",
               file: str | None = None) -> np.ndarray:
    """The target rows of ``labels``, one whole number per row, for a classifier ``module``.

    Args:
        labels: one label per row (1-D, or a single column), of any real dtype.
        module: the generated module (its TARGET_NAMES are the classes, in order).
        name: the array's name, for messages (``y_train``).
        file: the file it came from, for messages.

    Returns:
        One-hot rows (rows × outputs) for a classifier of several outputs; for a one-output
        classifier the labels as a column of 0 and 1.

    Raises:
        DataError: a label that is not a finite whole number, or not one of the classes
            (0 to outputs − 1; 0 or 1 for a one-output classifier): the first such label,
            with its index, row and the allowed range.
    """
    values = np.asarray(labels, dtype=float).reshape(len(labels), -1)[:, 0]
    classes = max(len(module.TARGET_NAMES), 2)
    allowed = "0 or 1" if classes == 2 else f"a whole number from 0 to {classes - 1}"
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(values) & (values == np.round(values))
        bad = ~whole | (values < 0) | (values >= classes)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        value = values[row]
        what = (f"{value:g}, not a class label" if not whole[row]
                else f"{value:g}, not one of the {classes} classes")
        outputs = (f"the spec's {len(module.TARGET_NAMES)} outputs" if classes > 2
                   else "the spec's one output")
        raise DataError(f"{name}[{row}] (row {row + 1}) is {what}: {outputs} take {allowed}",
                        file=file, hint="class k is output k; one-hot rows work as well")
    index = values.astype(np.int64)
    if len(module.TARGET_NAMES) == 1:
        return index.astype(float)[:, None]
    return np.eye(classes)[index]
