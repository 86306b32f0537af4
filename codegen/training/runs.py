"""A training run's directory: metrics.json, params.npz, history.csv, learning_curve.png.

Every file is written through a temporary file and renamed, so an interrupted run never
leaves half a file; the data files come first and the picture last, and a picture that
cannot be drawn costs only itself.
"""

from __future__ import annotations

import io
import json
import time
import warnings
from pathlib import Path
from typing import Callable

import numpy as np

from codegen.training.loop import Result
from derive.files import make_folder, write_atomic

RUNS_DIR = Path("runs")
#: The longest spec name a plot's title shows (the rest is cut, marked with "…").
_TITLE_LENGTH = 60
#: history.csv's columns after "epoch": the Epoch field each holds
_COLUMNS = ("train_cost", "test_cost", "train_accuracy", "test_accuracy")


def new_run_dir(stem: str, base: Path = RUNS_DIR) -> Path:
    """``runs/<stem>-<date>-<time>`` (with a counter if that exists already)."""
    name = f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    path, n = base / name, 1
    while path.exists():
        n += 1
        path = base / f"{name}-{n}"
    return path


def write_run(run_dir: Path, module, result: Result, metrics: dict,
              warn: Callable[[str], None] | None = None) -> list[Path]:
    """Write the run's files; returns the paths of those written.

    Args:
        run_dir: the run's folder (created if need be).
        module: the generated module trained (for its PARAM_NAMES).
        result: what the training left.
        metrics: metrics.json's content (its spec, optimizer and batch size title the plot).
        warn: told, in one line, why the learning curve could not be drawn, if it could not.
    """
    make_folder(run_dir)
    files = {
        "metrics.json": json.dumps(metrics, indent=2) + "\n",
        "params.npz": _npz({name: result.params[k] for k, name in enumerate(module.PARAM_NAMES)}),
        "history.csv": history_csv(result),
    }
    for name, content in files.items():
        write_atomic(run_dir / name, content)
    written = [run_dir / name for name in files]
    try:
        picture = _plot(result, metrics)
    except Exception as err:  # a font, a backend, anything: the data files are saved already
        if warn:
            warn(f"could not draw learning_curve.png ({type(err).__name__}: "
                 f"{str(err).splitlines()[0][:200] if str(err) else ''})")
        return written
    write_atomic(run_dir / "learning_curve.png", picture)
    return written + [run_dir / "learning_curve.png"]


def _npz(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def history_csv(result: Result) -> str:
    """history.csv: per epoch measured (each of the first 1,000, then every k-th: see
    :func:`codegen.training.loop.measured_epochs`), the training cost (and accuracy) after it, and
    the same on the held-out rows when there are any; a column only when it was measured."""
    records = result.records
    columns = [c for c in _COLUMNS if records and getattr(records[0], c) is not None]
    rows = [",".join(["epoch", *columns])]
    for record in records:
        rows.append(",".join([str(record.epoch), *(repr(getattr(record, c)) for c in columns)]))
    return "\n".join(rows) + "\n"


def _plot(result: Result, metrics: dict) -> bytes:
    """The learning curve: costs on the left axis, accuracies on the right, training solid
    and held-out dashed, the legend below the axes where it covers no curve."""
    # The Figure API with the Agg canvas: no pyplot (whose import costs a warm start ~0.3 s)
    # and fixed margins instead of tight_layout's text measuring.
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    records = result.records
    epochs = [r.epoch for r in records]
    series = {c: [getattr(r, c) for r in records] for c in _COLUMNS
              if records and getattr(records[0], c) is not None}
    # usetex off: a matplotlibrc that turns it on must not send a spec's name to TeX
    with rc_context({"text.usetex": False}), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a glyph missing from the font is not worth a line
        fig = Figure(figsize=(6.4, 4.4), dpi=100)
        FigureCanvasAgg(fig)
        right_margin = 0.88 if "train_accuracy" in series else 0.96
        fig.subplots_adjust(left=0.12, right=right_margin, bottom=0.25, top=0.9)
        ax = fig.add_subplot()
        lines = []
        for column, label, style in (("train_cost", "training cost", "-"),
                                     ("test_cost", "held-out cost", "--")):
            if column in series:
                lines += ax.plot(epochs, series[column], style, color="tab:blue", label=label)
        costs = [c for column in ("train_cost", "test_cost") for c in series.get(column, ())
                 if c > 0]
        if costs and max(costs) / min(costs) > 100:
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel("mean cost")
        if "train_accuracy" in series:
            right = ax.twinx()
            for column, label, style in (("train_accuracy", "training accuracy", "-"),
                                         ("test_accuracy", "held-out accuracy", "--")):
                if column in series:
                    lines += right.plot(epochs, series[column], style, color="tab:orange",
                                        label=label)
            right.set_ylabel("accuracy")
            right.set_ylim(0, 1.02)
        ax.legend(lines, [line.get_label() for line in lines], loc="upper center",
                  bbox_to_anchor=(0.5, -0.16), ncols=len(lines), frameon=False, fontsize="small")
        ax.set_title(_title(metrics), parse_math=False, usetex=False)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _title(metrics: dict) -> str:
    """The plot's title: the spec's name on one line, cut short, with the optimizer and batch
    size (shown as plain text: mathtext is off for it, so ``$`` is a dollar sign)."""
    name = " ".join(str(metrics.get("spec", "")).split())
    if len(name) > _TITLE_LENGTH:
        name = name[:_TITLE_LENGTH - 1] + "…"
    return f"{name} — {metrics.get('optimizer', '')}, batch {metrics.get('batch_size', '')}"
