"""The grid of a sweep: which settings take which values, and the runs their product makes.

A grid maps a setting of :class:`~codegen.training.loop.Settings` (``lr``, ``optimizer``,
``batch_size``, ``epochs``, ``momentum``, ``beta1``, ``beta2``, ``eps``, ``weight_decay``,
``seed``) or ``hidden`` (the hidden layer sizes of a layered spec) to the values it takes;
every combination is one run. ``folds=K`` (a count, as ``seeds=N``) is K-fold
cross-validation: a ``fold`` setting swept over 1 … K, each run training on the other K − 1
folds and measured on its own (the folds are dealt in :mod:`codegen.training.sweep`). Grids come from the command line (``--grid lr=0.1,0.5
seeds=3``, read in :mod:`codegen.cli.sweep`) or from Python, so they are checked here, before
any work starts: known settings, at least one value each, no value twice, every value one
``chainrule train`` accepts, and at most :data:`MAX_RUNS` runs (counted before the product is
made).
"""

from __future__ import annotations

import itertools
import math
import numbers
from dataclasses import dataclass, replace
from typing import Any, Mapping, Sequence

from codegen.training.loop import Settings
from derive.errors import ChainruleError, shown

#: The most runs one sweep makes (the product of the grid's value counts); checked before the
#: product is made, so a grid of a billion runs costs nothing.
MAX_RUNS = 10_000

#: The settings a grid may sweep (``seeds=N`` on the command line is shorthand for ``seed``;
#: ``folds=K`` sweeps ``fold``, which is no setting of a training but which rows it holds out).
SETTINGS = ("lr", "optimizer", "batch_size", "epochs", "momentum", "beta1", "beta2", "eps",
            "weight_decay", "seed")
KEYS = ("hidden",) + SETTINGS

#: How a swept hidden-size value is written: one size for every hidden layer, or one per
#: hidden layer joined by "x" (``16x8``).
HIDDEN_SEPARATOR = "x"


@dataclass(frozen=True)
class Run:
    """One run of a sweep: its number, the values its swept settings take, how it trains."""

    number: int
    #: the swept settings' values, in the grid's order (``hidden`` as a tuple of sizes)
    swept: dict[str, Any]
    settings: Settings

    @property
    def hidden(self) -> tuple[int, ...] | None:
        """The hidden sizes this run asks for, or None (the spec's own)."""
        return self.swept.get("hidden")

    @property
    def fold(self) -> int | None:
        """The fold this run holds out (1 … K of ``folds=K``), or None (no folds)."""
        return self.swept.get("fold")


def hidden_text(sizes: Sequence[int]) -> str:
    """A hidden-size value as the command line and sweep.csv write it: ``16`` or ``16x8``."""
    return HIDDEN_SEPARATOR.join(str(s) for s in sizes)


def shown_value(key: str, value: Any) -> str:
    """A swept value as the report and sweep.csv show it (a text as it is)."""
    if key == "hidden" and not isinstance(value, str):
        return hidden_text(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def count_runs(lengths: Mapping[str, int]) -> int:
    """How many runs a grid with these value counts makes.

    Raises:
        ChainruleError: more than :data:`MAX_RUNS` (naming each key's count).
    """
    count = math.prod(lengths.values())
    if count > MAX_RUNS:
        product = " × ".join(f"{n:,} {key}" for key, n in lengths.items())
        raise ChainruleError(f"the grid makes {count:,} runs ({product}), more than the limit "
                             f"of {MAX_RUNS:,} (MAX_RUNS)",
                             hint="sweep fewer values, or split the sweep")
    return count


def grid_runs(grid: Mapping[str, Sequence[Any]], base: Settings | None = None) -> list[Run]:
    """The runs of ``grid``, each ``base`` with its combination of values, in product order
    (the last key varies fastest).

    Args:
        grid: setting → the values it takes (``hidden``: sizes as an int or a tuple of ints).
        base: the settings the grid leaves alone (default: :class:`Settings`' defaults).

    Raises:
        ChainruleError: an unknown setting, a setting without values or with a value twice, a
            value ``chainrule train`` refuses, or more than :data:`MAX_RUNS` runs.
    """
    base = base or Settings()
    if not isinstance(grid, Mapping) or not grid:
        raise ChainruleError("the grid is empty", hint="sweep at least one setting, e.g. "
                             "lr=0.01,0.1")
    if "seeds" in grid:  # seeds=N: N seeds from the base settings' seed on
        if "seed" in grid:
            raise ChainruleError("the grid gives seed and seeds (they set the same setting)",
                                 hint="give one of them")
        grid = {("seed" if k == "seeds" else k): (seeds(v, base.seed) if k == "seeds" else v)
                for k, v in grid.items()}
    if "fold" in grid:
        raise ChainruleError("the grid has an unknown setting fold",
                             hint="folds=K sweeps the K folds of K-fold cross-validation")
    if "folds" in grid:
        grid = {("fold" if k == "folds" else k): (folds(v) if k == "folds" else v)
                for k, v in grid.items()}
    values = {}
    for key, given in grid.items():
        if key not in KEYS and key != "fold":
            raise ChainruleError(f"the grid has an unknown setting {shown(key)}",
                                 hint=known_hint(key))
        if isinstance(given, (str, bytes)) or not isinstance(given, Sequence) or not given:
            raise ChainruleError(f"the grid's {key} has no values",
                                 hint=f"give a list of values, e.g. {key}=" + _EXAMPLES[key])
    count_runs({key: len(given) for key, given in grid.items()})
    for key, given in grid.items():
        values[key] = [_checked(key, value, base) for value in given]
        _no_repeats(key, values[key])
    runs = []
    for number, combination in enumerate(itertools.product(*values.values()), start=1):
        swept = dict(zip(values, combination))
        changed = {k: v for k, v in swept.items() if k not in ("hidden", "fold")}
        runs.append(Run(number, swept, replace(base, **changed)))
    return runs


def seeds(count: int, first: int = 0) -> list[int]:
    """The seeds of ``seeds=count``: ``first``, ``first + 1`` … (each at most the train
    command's largest seed).

    Raises:
        ChainruleError: a count that is not a whole number from 1 to :data:`MAX_RUNS`, or seeds
            past the largest.
    """
    from codegen.training.loop import MAX_SEED
    if not _whole(count) or not 1 <= count <= MAX_RUNS:
        raise ChainruleError(f"seeds must be a whole number from 1 to {MAX_RUNS:,} "
                             f"(got {shown(count)})")
    if first + count - 1 > MAX_SEED:
        raise ChainruleError(f"seeds={count} from seed {first} passes the largest seed, "
                             f"{MAX_SEED}", hint="ask for fewer seeds or start lower (--seed)")
    return list(range(first, first + count))


def folds(count: int) -> list[int]:
    """The folds of ``folds=count``: 1 … count.

    Raises:
        ChainruleError: a count that is not a whole number from 2 to :data:`MAX_RUNS` (one
            fold would hold out every row and train on none).
    """
    if not _whole(count) or not 2 <= count <= MAX_RUNS:
        raise ChainruleError(f"folds must be a whole number from 2 to {MAX_RUNS:,} "
                             f"(got {shown(count)})",
                             hint="folds=5 trains each run on 4 folds and measures it on the fifth")
    return list(range(1, count + 1))


_EXAMPLES = {"hidden": "16,32", "lr": "0.01,0.1", "optimizer": "sgd,adam",
             "batch_size": "1,16", "epochs": "100,200", "momentum": "0.5,0.9",
             "beta1": "0.8,0.9", "beta2": "0.99,0.999", "eps": "1e-8,1e-6",
             "weight_decay": "0,0.001", "seed": "0,1,2"}


def known_hint(key: object) -> str:
    """The hint for an unknown grid key: the closest known ones, and all of them."""
    from derive.spec.typed import closest
    near = closest(key, KEYS + ("seeds", "folds")) if isinstance(key, str) else None
    return (f"{near} " if near else "") + "expected one of " + ", ".join(KEYS + ("seeds", "folds"))


def _whole(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _checked(key: str, value: Any, base: Settings) -> Any:
    """``value`` of setting ``key`` as a run uses it, checked as ``chainrule train`` checks it."""
    if key == "hidden":
        return _hidden(value)
    if key == "fold":
        return value
    if key == "optimizer":
        from derive.vocabulary import OPTIMIZERS
        if value not in OPTIMIZERS:
            raise ChainruleError(f"the grid's optimizer {shown(value)} is not one chainrule "
                                 "knows", hint="expected " + ", ".join(OPTIMIZERS))
        return value
    try:
        replace(base, **{key: value}).check()
    except ChainruleError as err:
        raise ChainruleError(f"the grid's {key}: {err.message}") from None
    return value


def _hidden(value: Any) -> tuple[int, ...]:
    sizes = (value,) if _whole(value) else value
    if (not isinstance(sizes, (tuple, list)) or not sizes
            or not all(_whole(s) and s >= 1 for s in sizes)):
        raise ChainruleError(f"the grid's hidden {shown(value)} is not hidden layer sizes",
                             hint="a whole number of at least 1 for every hidden layer, or "
                                  "one per hidden layer (16x8)")
    return tuple(int(s) for s in sizes)


def _no_repeats(key: str, values: list) -> None:
    seen = set()
    for value in values:
        if value in seen:
            raise ChainruleError(f"the grid's {key} lists {shown_value(key, value)} twice",
                                 hint="each value once: a run is run once per seed")
        seen.add(value)
