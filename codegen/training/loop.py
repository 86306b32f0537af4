"""The training loop around a generated module: epochs, progress, Ctrl-C, divergence, metrics.

Each epoch is one call of the module's jitted ``train_epoch`` (shuffling, mini-batches and
optimizer steps all inside Numba); after it Python measures the training (and held-out) cost
and accuracy (every epoch of the first 1,000, then every k-th), tells ``on_epoch`` (the
display of :mod:`codegen.training.progress`) and checks for a non-finite cost. Ctrl-C during
the loop is held back until the epoch is done and recorded, then ends the run with what was
trained so far: the parameters and the history always describe the same epochs.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from derive.errors import ChainruleError, DataError
from derive.interrupts import Interrupts
# the most epochs (--epochs) and the largest batch (--batch-size), a spec's limits as well
from derive.spec.limits import MAX_BATCH_SIZE, MAX_EPOCHS


#: The largest seed (--seed): shuffling multiplies ``seed + epoch + 1`` by a 32-bit constant
#: in int64 arithmetic, which must not overflow.
MAX_SEED = 2 ** 31 - 1
#: The most epochs a run measures (history.csv's rows): measuring the cost and accuracy on
#: all the training and held-out rows costs several epochs' time on small networks, so a
#: longer run measures every k-th epoch (the first and the last always).
MAX_HISTORY_ROWS = 1_000


class Diverged(ChainruleError):
    """The cost became NaN or infinite during training."""


@dataclass
class Settings:
    """How to train: epochs, batch size, optimizer and its hyperparameters, seed."""

    epochs: int = 200
    batch_size: int = 16
    optimizer: str = "sgd"
    lr: float | None = None          # None: the spec's learning rate
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 0.0
    seed: int = 0

    def hyper(self, module) -> np.ndarray:
        """The module's ``hyper`` array (its HYPER_NAMES order)."""
        lr = module.DEFAULT_HYPER[0] if self.lr is None else self.lr
        values = {"lr": lr, "momentum": self.momentum, "beta1": self.beta1,
                  "beta2": self.beta2, "eps": self.eps, "weight_decay": self.weight_decay}
        return np.array([values[name] for name in module.HYPER_NAMES], dtype=module.DTYPE)

    def check(self, module=None) -> None:
        """A clear error for settings that cannot train (and, given the module, for settings
        it cannot use); called before any work starts."""
        problems = [
            (not _whole(self.epochs, 1, MAX_EPOCHS),
             f"epochs must be a whole number from 1 to {MAX_EPOCHS} (got {self.epochs!r})"),
            (not _whole(self.batch_size, 1, MAX_BATCH_SIZE),
             f"the batch size must be a whole number from 1 to {MAX_BATCH_SIZE} "
             f"(got {self.batch_size!r})"),
            (not _whole(self.seed, 0, MAX_SEED),
             f"the seed must be a whole number from 0 to {MAX_SEED} (got {self.seed!r})"),
            (self.lr is not None and not _positive(self.lr),
             f"the learning rate must be positive (got {_shown(self.lr)})"),
            (not _within(self.momentum),
             f"momentum must be in [0, 1) (got {_shown(self.momentum)})"),
            (not _within(self.beta1), f"beta1 must be in [0, 1) (got {_shown(self.beta1)})"),
            (not _within(self.beta2), f"beta2 must be in [0, 1) (got {_shown(self.beta2)})"),
            (not _positive(self.eps), f"eps must be positive (got {_shown(self.eps)})"),
            (not (_real(self.weight_decay) and 0 <= self.weight_decay < math.inf),
             f"weight decay must be at least 0 and finite (got {_shown(self.weight_decay)})"),
        ]
        if module is not None:
            if self.optimizer not in module.OPTIMIZERS:
                raise ChainruleError(f"unknown optimizer {str(self.optimizer)[:40]!r}",
                                     hint="expected one of " + ", ".join(module.OPTIMIZERS))
            lr = float(self.hyper(module)[0])
            problems.append((not _positive(lr), f"the learning rate must be positive (got {lr:g})"))
        for bad, message in problems:
            if bad:
                raise ChainruleError(message)


def _real(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _whole(value, low: int, high: int) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) \
        and low <= value <= high


def _positive(value) -> bool:
    return _real(value) and 0 < value < math.inf


def _within(value) -> bool:
    return _real(value) and 0 <= value < 1


def _shown(value) -> str:
    return f"{value:g}" if _real(value) else repr(value)[:40]


@dataclass
class Epoch:
    """What an epoch left: the costs and accuracies measured after it (None: not measured)."""

    epoch: int
    train_cost: float
    train_accuracy: float | None = None
    test_cost: float | None = None
    test_accuracy: float | None = None


@dataclass
class Result:
    """What a run produced: parameters, the epochs trained and what they left, how it ended."""

    params: np.ndarray
    #: the epochs measured, in order; the last is always the last epoch trained
    records: list[Epoch] = field(default_factory=list)
    epochs: int = 0
    interrupted: bool = False
    seconds: float = 0.0
    samples: int = 0

    @property
    def history(self) -> list[float]:
        """The training cost after each epoch measured."""
        return [e.train_cost for e in self.records]

    @property
    def accuracy(self) -> list[float]:
        """The training accuracy after each epoch measured (classifiers; empty otherwise)."""
        return [e.train_accuracy for e in self.records if e.train_accuracy is not None]

    @property
    def rose(self) -> bool:
        """Whether the cost ended higher than after the first epoch (too large a step?)."""
        return len(self.history) > 1 and self.history[-1] > self.history[0]


def measured_epochs(epochs: int) -> int:
    """Every how many epochs a run of ``epochs`` measures its costs: each epoch up to
    :data:`MAX_HISTORY_ROWS` epochs, then so that about that many are (and the first and
    the last always)."""
    return max(1, math.ceil(epochs / MAX_HISTORY_ROWS))


def accuracy(module, params: np.ndarray, X: np.ndarray, Y: np.ndarray) -> float:
    """The fraction of rows whose predicted class is the target's (argmax, or > 0.5)."""
    return _accuracy(module.predict(params, X), _labels(Y))


def _labels(Y: np.ndarray) -> np.ndarray:
    """The class of each target row: its argmax, or whether its one target is > 0.5."""
    return Y[:, 0] > 0.5 if Y.shape[1] == 1 else Y.argmax(axis=1)


def _accuracy(out: np.ndarray, labels: np.ndarray) -> float:
    predicted = out[:, 0] > 0.5 if out.shape[1] == 1 else out.argmax(axis=1)
    return float(np.mean(predicted == labels))


def scorer(module, train: tuple[np.ndarray, np.ndarray],
           test: tuple[np.ndarray, np.ndarray] | None = None) -> Callable[..., Epoch]:
    """A function of the parameters giving the cost (and accuracy, for classifiers) on the
    training rows and the held-out rows; the targets' classes are found once, not per call."""
    sets = [(X, Y, _labels(Y) if module.IS_CLASSIFIER else None)
            for X, Y in ([train] + ([test] if test is not None else []))]

    def score(params: np.ndarray, epoch: int = 0) -> Epoch:
        found = []
        for X, Y, labels in sets:
            found.append(float(module.cost(params, X, Y)))
            found.append(_accuracy(module.predict(params, X), labels)
                         if labels is not None else None)
        train_cost, train_accuracy, test_cost, test_accuracy = found + [None] * (4 - len(found))
        return Epoch(epoch, train_cost, train_accuracy, test_cost, test_accuracy)
    return score


def train(module, X: np.ndarray, Y: np.ndarray, settings: Settings,
          params: np.ndarray | None = None,
          on_epoch: Callable[[int, float, float | None], None] | None = None,
          test: tuple[np.ndarray, np.ndarray] | None = None) -> Result:
    """Train ``module``'s network on rows X, Y.

    Args:
        module: a generated module (see :func:`codegen.build`).
        X, Y: training rows (samples × inputs, samples × targets).
        settings: epochs, batch size, optimizer, hyperparameters, seed.
        params: the starting parameters (default: the spec's INITIAL_PARAMS); not modified.
        on_epoch: called after each epoch with (epoch, training cost, accuracy or None), the
            cost and accuracy as last measured (see :func:`measured_epochs`).
        test: held-out rows (X, Y) whose cost and accuracy are measured as well.

    Returns:
        The :class:`Result`; after Ctrl-C (or a KeyboardInterrupt from ``on_epoch``) it holds
        the epochs finished so far, the parameters they left, and those measured.

    Raises:
        ChainruleError: settings the module cannot use.
        DataError: rows that do not fit the module (shapes, counts, non-finite values).
        Diverged: the cost became NaN or infinite (naming the epoch).
    """
    with Interrupts():  # until the first epoch, Ctrl-C stops at once: nothing is trained yet
        settings.check(module)
        X, Y = rows(module, X, Y, "training")
        if test is not None:
            test = rows(module, *test, "held-out")
        params = _start(module, params)
        state = np.zeros((2, params.size), dtype=module.DTYPE)
        hyper = settings.hyper(module)
        optimizer = module.OPTIMIZERS.index(settings.optimizer)
        result = Result(params)
        _compile(module, params, state, X, Y, settings, optimizer, hyper)
        score = scorer(module, (X, Y), test)
    with Interrupts(hold=True) as interrupts:  # Ctrl-C ends the loop after the epoch
        try:
            _epochs(module, params, state, X, Y, settings, optimizer, hyper, score, result,
                    on_epoch, interrupts)
        except KeyboardInterrupt:  # from on_epoch, or SIGINT outside the main thread's handler
            result.interrupted = True
        result.interrupted = result.interrupted or interrupts.seen
        if result.epochs and (not result.records or result.records[-1].epoch < result.epochs):
            result.records.append(score(params, result.epochs))  # what is saved is measured
    return result


def _epochs(module, params, state, X, Y, settings: Settings, optimizer: int, hyper, score,
            result: Result, on_epoch, interrupts) -> None:
    """The loop: train an epoch, count it, measure it when it is due, tell ``on_epoch``; stop
    after the epoch in which a Ctrl-C came."""
    every, t, last = measured_epochs(settings.epochs), 0, None
    for epoch in range(1, settings.epochs + 1):
        started = time.perf_counter()
        cost, t = module.train_epoch(params, state, t, X, Y, settings.batch_size, optimizer,
                                     hyper, settings.seed + epoch)
        result.seconds += time.perf_counter() - started
        due = epoch == 1 or epoch % every == 0 or epoch == settings.epochs
        measured = score(params, epoch) if due else None
        costs = [cost] + ([measured.train_cost] if measured else [])
        bad = [c for c in costs if not math.isfinite(c)]
        if bad:
            raise Diverged(f"the cost became {bad[0]} in epoch {epoch}",
                           hint=f"try a smaller learning rate than {hyper[0]:g} (--lr)")
        if measured:
            result.records.append(measured)
            last = measured
        result.epochs, result.samples = epoch, result.samples + X.shape[0]
        if on_epoch:
            on_epoch(epoch, last.train_cost, last.train_accuracy)
        if interrupts.seen:
            break


def rows(module, X, Y, what: str = "training") -> tuple[np.ndarray, np.ndarray]:
    """X and Y as the module's contiguous 2-D arrays, checked: as many rows of each, the
    spec's widths, finite values (a clear error instead of a Numba error or a silent
    mismatch)."""
    try:
        X = np.ascontiguousarray(X, dtype=module.DTYPE)
        Y = np.ascontiguousarray(Y, dtype=module.DTYPE)
    except (TypeError, ValueError) as err:
        raise DataError(f"the {what} rows are not arrays of numbers ({str(err)[:80]})") from None
    inputs, targets = len(module.INPUT_NAMES), len(module.TARGET_NAMES)
    if X.ndim != 2 or X.shape[1] != inputs:
        raise DataError(f"the {what} inputs X have shape {X.shape}; expected rows × {inputs} "
                        f"({', '.join(module.INPUT_NAMES)})")
    if Y.ndim != 2 or Y.shape[1] != targets:
        raise DataError(f"the {what} targets Y have shape {Y.shape}; expected rows × {targets} "
                        f"({', '.join(module.TARGET_NAMES)})")
    if X.shape[0] != Y.shape[0]:
        raise DataError(f"the {what} rows: X has {X.shape[0]:,} rows but Y has {Y.shape[0]:,}",
                        hint="each row of X needs its row of Y")
    if X.shape[0] == 0:
        raise ChainruleError("no rows to train on", hint="give more rows of data")
    for name, array in (("X", X), ("Y", Y)):
        if not np.isfinite(array).all():
            row, column = (int(i) for i in np.argwhere(~np.isfinite(array))[0])
            raise DataError(f"the {what} rows: {name}[{row}, {column}] is {array[row, column]}, "
                            "not a finite number", hint="training needs finite values")
    return X, Y


def _start(module, params) -> np.ndarray:
    """A copy of the starting parameters (the spec's by default), checked like the rows."""
    if params is None:
        return module.INITIAL_PARAMS.astype(module.DTYPE)
    try:
        params = np.array(params, dtype=module.DTYPE)
    except (TypeError, ValueError) as err:
        raise DataError(f"the starting parameters are not numbers ({str(err)[:80]})") from None
    if params.shape != (len(module.PARAM_NAMES),) or not np.isfinite(params).all():
        raise DataError(f"expected {len(module.PARAM_NAMES)} finite starting parameters "
                        f"(PARAM_NAMES order), got an array of shape {params.shape}")
    return params


def _compile(module, params, state, X, Y, settings: Settings, optimizer: int, hyper) -> None:
    """Compile (or load from Numba's cache) what the loop calls, on copies of a few rows,
    so that the timed loop measures training only."""
    few = min(X.shape[0], settings.batch_size)
    module.train_epoch(params.copy(), state.copy(), 0, X[:few], Y[:few], settings.batch_size,
                       optimizer, hyper, 0)
    scorer(module, (X[:few], Y[:few]))(params)

