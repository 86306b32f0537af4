"""A training run's directory: metrics.json, params.npz, history.csv, learning_curve.png.

Every file is written through a temporary file and renamed, so an interrupted run never
leaves half a file.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import numpy as np

from codegen.trainer import Result
from derive.files import make_folder, write_atomic

RUNS_DIR = Path("runs")


def new_run_dir(stem: str, base: Path = RUNS_DIR) -> Path:
    """``runs/<stem>-<date>-<time>`` (with a counter if that exists already)."""
    name = f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    path, n = base / name, 1
    while path.exists():
        n += 1
        path = base / f"{name}-{n}"
    return path


def write_run(run_dir: Path, module, result: Result, metrics: dict) -> list[Path]:
    """Write the run's files; returns their paths."""
    make_folder(run_dir)
    files = {
        "metrics.json": json.dumps(metrics, indent=2) + "\n",
        "params.npz": _npz({name: result.params[k] for k, name in enumerate(module.PARAM_NAMES)}),
        "history.csv": _history(result),
        "learning_curve.png": _plot(result, metrics),
    }
    for name, content in files.items():
        write_atomic(run_dir / name, content)
    return [run_dir / name for name in files]


def _npz(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _history(result: Result) -> str:
    header = "epoch,cost" + (",accuracy" if result.accuracy else "")
    rows = [header]
    for epoch, cost in enumerate(result.history, start=1):
        row = f"{epoch},{cost!r}"
        if result.accuracy:
            row += f",{result.accuracy[epoch - 1]!r}"
        rows.append(row)
    return "\n".join(rows) + "\n"


def _plot(result: Result, metrics: dict) -> bytes:
    # The Figure API with the Agg canvas: no pyplot (whose import costs a warm start ~0.3 s)
    # and fixed margins instead of tight_layout's text measuring.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.0), dpi=100)
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=0.12, right=0.88 if result.accuracy else 0.96, bottom=0.12, top=0.9)
    ax = fig.add_subplot()
    epochs = np.arange(1, len(result.history) + 1)
    ax.plot(epochs, result.history, color="tab:blue", label="training cost")
    costs = [c for c in result.history if c > 0]
    if costs and max(costs) / min(costs) > 100:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean cost")
    if result.accuracy:
        right = ax.twinx()
        right.plot(epochs, result.accuracy, color="tab:orange", label="training accuracy")
        right.set_ylabel("accuracy")
        right.set_ylim(0, 1.02)
        right.legend(loc="center right")
    ax.legend(loc="upper right")
    ax.set_title(f"{metrics.get('spec', '')} — {metrics.get('optimizer', '')}, "
                 f"batch {metrics.get('batch_size', '')}")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
