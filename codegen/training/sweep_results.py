"""What a sweep's rows say: sweep.csv, the plot of a metric against each swept setting, and
the best settings (the metric's mean over the seeds and folds of each combination of the
others).

Files are written through a temporary file and renamed (an interrupted sweep never leaves
half a file); the plot comes last, and a plot that cannot be drawn costs only itself.
"""

from __future__ import annotations

import csv
import io
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from derive.files import make_folder, write_atomic

#: The metrics a sweep can be judged by, and whether more is better.
METRICS = {"test_cost": False, "train_cost": False, "test_accuracy": True,
           "train_accuracy": True}
#: swept keys a best setting is averaged over, not chosen among (and the plot has no panel of)
AVERAGED = ("seed", "fold")
#: sweep.csv's columns after the settings, in this order (a column only when a row has it).
RESULT_COLUMNS = ("train_cost", "test_cost", "train_accuracy", "test_accuracy",
                  "epochs_trained", "seconds_training", "seconds", "error")


def columns(rows: Sequence[dict[str, Any]]) -> list[str]:
    """sweep.csv's header: the run, its settings as the rows hold them, then the results."""
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(k for k in row if k not in RESULT_COLUMNS))
    present = {k for row in rows for k in row}
    return list(seen) + [c for c in RESULT_COLUMNS if c in present]


def sweep_csv(rows: Sequence[dict[str, Any]]) -> str:
    """sweep.csv: one line per run, in run order; empty fields where a run has no value."""
    buffer = io.StringIO()
    header = columns(rows)
    writer = csv.DictWriter(buffer, header, restval="", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _field(v) for k, v in row.items()})
    return buffer.getvalue()


def _field(value: Any) -> Any:
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else value


@dataclass
class Best:
    """The best combination of swept settings: its values, its mean metric, over how many
    runs (seeds, folds)."""

    settings: dict[str, Any]
    value: float
    runs: int


def best(rows: Sequence[dict[str, Any]], swept: Sequence[str], metric: str) -> Best | None:
    """The combination of swept settings (the seed and the fold aside) whose runs have the
    best mean ``metric``; None when no run finished with a finite value of it."""
    higher = METRICS[metric]
    groups: dict[tuple, list[float]] = {}
    keys = [k for k in swept if k not in AVERAGED]
    for row in rows:
        value = row.get(metric)
        if isinstance(value, float) and math.isfinite(value) and not row.get("error"):
            groups.setdefault(tuple(row.get(k) for k in keys), []).append(value)
    if not groups:
        return None
    means = {key: sum(values) / len(values) for key, values in groups.items()}
    chosen = (max if higher else min)(means, key=means.get)
    return Best(dict(zip(keys, chosen)), means[chosen], len(groups[chosen]))


def write_results(folder: Path, rows: Sequence[dict[str, Any]], swept: Sequence[str],
                  metric: str, title: str = "",
                  warn: Callable[[str], None] | None = None) -> list[Path]:
    """Write sweep.csv and sweep.png into ``folder``; returns the paths written.

    Args:
        folder: the output folder (created if need be).
        rows: the runs' rows.
        swept: the grid's settings, in its order (the plot has a panel for each but the seed
            and the fold, or one against the first of them when they are all the grid sweeps).
        metric: what the plot shows (one of :data:`METRICS`).
        title: the plot's title (the spec's name).
        warn: told, in one line, why the plot could not be drawn, if it could not.
    """
    make_folder(folder)
    write_atomic(folder / "sweep.csv", sweep_csv(rows))
    written = [folder / "sweep.csv"]
    try:
        picture = plot(rows, swept, metric, title)
    except Exception as err:  # a font, a backend, anything: the rows are saved already
        if warn:
            first = str(err).splitlines()[0][:200] if str(err) else ""
            warn(f"could not draw sweep.png ({type(err).__name__}: {first})")
        return written
    write_atomic(folder / "sweep.png", picture)
    return written + [folder / "sweep.png"]


def plot(rows: Sequence[dict[str, Any]], swept: Sequence[str], metric: str,
         title: str = "") -> bytes:
    """A PNG: for each swept setting a panel of ``metric`` against its values (every run a
    dot, the mean of each value a line), the failed runs left out."""
    # the Figure API on the Agg canvas, as the learning curve: no pyplot, no display
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels = [k for k in swept if k not in AVERAGED] or list(swept[:1]) or ["seed"]
    good = [r for r in rows if not r.get("error") and isinstance(r.get(metric), float)
            and math.isfinite(r[metric])]
    with rc_context({"text.usetex": False}), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a glyph missing from the font is not worth a line
        fig = Figure(figsize=(1.0 + 3.2 * len(panels), 3.8), dpi=100)
        FigureCanvasAgg(fig)
        axes = fig.subplots(1, len(panels), squeeze=False, sharey=True)[0]
        for ax, key in zip(axes, panels):
            _panel(ax, good, rows, key, metric)
        axes[0].set_ylabel(metric.replace("_", " "))
        values = [r[metric] for r in good]
        if values and min(values) > 0 and max(values) / min(values) > 100:
            axes[0].set_yscale("log")
        shown = " ".join(str(title).split())[:60]
        fig.suptitle(f"{shown} — {len(good)} of {len(rows)} runs", parse_math=False)
        fig.subplots_adjust(left=0.9 / fig.get_figwidth(), right=0.97, bottom=0.18, top=0.85,
                            wspace=0.08)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _panel(ax, good: list[dict], rows: Sequence[dict], key: str, metric: str) -> None:
    """One panel: the values of ``key`` in the order the rows first show them, as categories
    (learning rates, optimizers and sizes alike: a sweep's values are few)."""
    order = list(dict.fromkeys(str(r.get(key)) for r in rows))
    where = {value: i for i, value in enumerate(order)}
    xs = [where[str(r.get(key))] for r in good]
    ax.plot(xs, [r[metric] for r in good], "o", color="tab:blue", alpha=0.6, markersize=4)
    means = []
    for value in order:
        found = [r[metric] for r in good if str(r.get(key)) == value]
        means.append(sum(found) / len(found) if found else math.nan)
    ax.plot(range(len(order)), means, "-", color="tab:orange", label="mean")
    ax.set_xticks(range(len(order)), [v[:12] for v in order], rotation=30 if len(order) > 6
                  else 0, fontsize="small")
    ax.set_xlabel(key, parse_math=False)
    ax.set_xlim(-0.5, len(order) - 0.5)
