"""The training loop around a generated module: epochs, progress, Ctrl-C, divergence, metrics.

Each epoch is one call of the module's jitted ``train_epoch`` (shuffling, mini-batches and
optimizer steps all inside Numba); between epochs Python updates the progress bar, checks
for a non-finite cost and lets Ctrl-C stop the run with what was trained so far.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from derive.errors import ChainruleError


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

    def check(self, module) -> None:
        """A clear error for settings the module cannot use."""
        if self.optimizer not in module.OPTIMIZERS:
            raise ChainruleError(f"unknown optimizer {self.optimizer!r}",
                                 hint="expected one of " + ", ".join(module.OPTIMIZERS))
        if self.epochs < 1 or self.batch_size < 1:
            raise ChainruleError("epochs and batch size must be at least 1")
        lr = float(self.hyper(module)[0])
        problems = [
            (not lr > 0 or not math.isfinite(lr), f"the learning rate must be positive (got {lr:g})"),
            (not 0 <= self.momentum < 1, f"momentum must be in [0, 1) (got {self.momentum:g})"),
            (not 0 <= self.beta1 < 1, f"beta1 must be in [0, 1) (got {self.beta1:g})"),
            (not 0 <= self.beta2 < 1, f"beta2 must be in [0, 1) (got {self.beta2:g})"),
            (not self.eps > 0, f"eps must be positive (got {self.eps:g})"),
            (not self.weight_decay >= 0,
             f"weight decay must be at least 0 (got {self.weight_decay:g})"),
        ]
        for bad, message in problems:
            if bad:
                raise ChainruleError(message)


@dataclass
class Result:
    """What a run produced: parameters, per-epoch cost (and accuracy), how it ended."""

    params: np.ndarray
    history: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    interrupted: bool = False
    seconds: float = 0.0
    samples: int = 0

    @property
    def epochs(self) -> int:
        return len(self.history)

    @property
    def rose(self) -> bool:
        """Whether the cost ended higher than after the first epoch (too large a step?)."""
        return len(self.history) > 1 and self.history[-1] > self.history[0]


def accuracy(module, params: np.ndarray, X: np.ndarray, Y: np.ndarray) -> float:
    """The fraction of rows whose predicted class is the target's (argmax, or > 0.5)."""
    out = module.predict(params, X)
    if Y.shape[1] == 1:
        return float(np.mean((out[:, 0] > 0.5) == (Y[:, 0] > 0.5)))
    return float(np.mean(out.argmax(axis=1) == Y.argmax(axis=1)))


def train(module, X: np.ndarray, Y: np.ndarray, settings: Settings,
          params: np.ndarray | None = None,
          on_epoch: Callable[[int, float, float | None], None] | None = None) -> Result:
    """Train ``module``'s network on rows X, Y.

    Args:
        module: a generated module (see :func:`codegen.build`).
        X, Y: training rows (samples × inputs, samples × targets).
        settings: epochs, batch size, optimizer, hyperparameters, seed.
        params: the starting parameters (default: the spec's INITIAL_PARAMS); not modified.
        on_epoch: called after each epoch with (epoch, cost, accuracy or None).

    Returns:
        The :class:`Result`; after Ctrl-C it holds the epochs finished so far.

    Raises:
        Diverged: the cost became NaN or infinite (naming the epoch).
    """
    settings.check(module)
    if len(X) == 0:
        raise ChainruleError("no rows to train on", hint="give more rows of data")
    params = (module.INITIAL_PARAMS if params is None else params).astype(module.DTYPE).copy()
    X = np.ascontiguousarray(X, dtype=module.DTYPE)
    Y = np.ascontiguousarray(Y, dtype=module.DTYPE)
    state = np.zeros((2, params.size), dtype=module.DTYPE)
    hyper = settings.hyper(module)
    optimizer = module.OPTIMIZERS.index(settings.optimizer)
    result = Result(params)
    # compile (or load from Numba's cache) outside the timed loop, on copies of a few rows
    rows = min(X.shape[0], settings.batch_size)
    module.train_epoch(params.copy(), state.copy(), 0, X[:rows], Y[:rows], settings.batch_size,
                       optimizer, hyper, 0)
    started, t = time.perf_counter(), 0
    try:
        for epoch in range(1, settings.epochs + 1):
            cost, t = module.train_epoch(params, state, t, X, Y, settings.batch_size,
                                         optimizer, hyper, settings.seed + epoch)
            if not math.isfinite(cost):
                raise Diverged(f"the cost became {cost} in epoch {epoch}",
                               hint=f"try a smaller learning rate than {hyper[0]:g} (--lr)")
            result.history.append(float(cost))
            acc = accuracy(module, params, X, Y) if module.IS_CLASSIFIER else None
            if acc is not None:
                result.accuracy.append(acc)
            result.samples += X.shape[0]
            if on_epoch:
                on_epoch(epoch, float(cost), acc)
    except KeyboardInterrupt:
        result.interrupted = True
    result.seconds = time.perf_counter() - started
    return result


class Progress:
    """A progress bar per epoch on stderr (tqdm when installed), silent when not a terminal."""

    def __init__(self, epochs: int, quiet: bool = False):
        self.enabled = not quiet and sys.stderr.isatty()
        self.bar = None
        if self.enabled:
            try:
                from tqdm import tqdm
                self.bar = tqdm(total=epochs, unit="epoch", file=sys.stderr, leave=True,
                                dynamic_ncols=True)
            except ImportError:
                self.bar = None
        self.epochs = epochs

    def __call__(self, epoch: int, cost: float, acc: float | None) -> None:
        if not self.enabled:
            return
        shown = {"cost": f"{cost:.4g}"} | ({"acc": f"{acc:.3f}"} if acc is not None else {})
        if self.bar is not None:
            self.bar.set_postfix(shown, refresh=False)
            self.bar.update(1)
        else:
            text = " ".join(f"{k} {v}" for k, v in shown.items())
            print(f"\repoch {epoch}/{self.epochs}  {text}", end="", file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.enabled:
            print(file=sys.stderr)
