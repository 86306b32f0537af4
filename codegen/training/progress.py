"""How `chainrule train` shows its epochs on standard error, as Keras's ``model.fit`` does.

In a terminal, a run of up to :data:`PER_EPOCH_BARS` epochs prints Keras's display: ``Epoch
3/10``, then a bar of the epoch's mini-batches that ends as ``1875/1875 [=====] 1.3s
0.69ms/batch - cost: 0.3012 - accuracy: 0.9133`` (an epoch is one call into Numba, so its bar
fills when the epoch is done); a longer run gets one bar over its epochs, with the cost and
accuracy. Elsewhere (a log, a pipe) it prints one line per epoch, at most about
:data:`MAX_LINES` of them. ``--quiet`` prints nothing.
"""

from __future__ import annotations

import math
import sys
import time

#: The most epochs shown one bar each; a longer run's epochs go by too fast to read.
PER_EPOCH_BARS = 100
#: The most lines a run prints where standard error is not a terminal (a run of more epochs
#: prints every k-th, and the first and the last).
MAX_LINES = 100


class Progress:
    """The display of a run's epochs: Keras's in a terminal, a line per epoch elsewhere."""

    def __init__(self, epochs: int, quiet: bool = False, batches: int = 1):
        self.epochs, self.batches = epochs, max(1, batches)
        self.quiet = quiet
        self.tqdm = _tqdm() if not quiet and sys.stderr.isatty() else None
        self.per_epoch = epochs <= PER_EPOCH_BARS
        self.every = max(1, math.ceil(epochs / MAX_LINES))
        self.bar = None
        self.since = time.perf_counter()
        if self.tqdm is not None:
            self._open(1)

    def __call__(self, epoch: int, cost: float, acc: float | None) -> None:
        """Show that ``epoch`` is done, with the cost and accuracy last measured."""
        now = time.perf_counter()
        seconds, self.since = now - self.since, now
        metrics = f"cost: {_number(cost)}" + ("" if acc is None else f" - accuracy: {acc:.4f}")
        if self.quiet:
            return
        if self.tqdm is None:
            if epoch in (1, self.epochs) or epoch % self.every == 0:
                print(f"Epoch {epoch}/{self.epochs} - {seconds:.2f}s - {metrics}",
                      file=sys.stderr, flush=True)
            return
        if not self.per_epoch:
            self.bar.set_postfix_str(metrics.replace(": ", " "), refresh=False)
            self.bar.update(1)
            return
        per_batch = 1000 * seconds / self.batches
        # a bar's format is a format string: the text added to it holds numbers only
        self.bar.bar_format = (f"{{n_fmt}}/{{total_fmt}} [{{bar:30}}] {seconds:.1f}s "
                               f"{per_batch:.2g}ms/batch - {metrics}")
        self.bar.update(self.batches - self.bar.n)
        self.bar.close()
        self.bar = None
        if epoch < self.epochs:
            self._open(epoch + 1)

    def _open(self, epoch: int) -> None:
        """The bar of ``epoch`` (Keras's display), or the one bar over all the epochs."""
        if not self.per_epoch:
            self.bar = self.tqdm(total=self.epochs, unit="epoch", file=sys.stderr, leave=True,
                                 dynamic_ncols=True)
            return
        self.tqdm.write(f"Epoch {epoch}/{self.epochs}", file=sys.stderr)
        self.bar = self.tqdm(total=self.batches, unit="batch", file=sys.stderr, leave=True,
                             ascii=".=", bar_format="{n_fmt}/{total_fmt} [{bar:30}]")

    def close(self) -> None:
        """End the display (an epoch's bar that never started is cleared)."""
        if self.bar is not None:
            if self.per_epoch and self.bar.n == 0:
                self.bar.leave = False
            self.bar.close()
            self.bar = None


def _number(value: float) -> str:
    """A cost as Keras shows a loss: four decimals, or four significant digits when small."""
    return f"{value:.4f}" if abs(value) >= 1e-3 or value == 0 else f"{value:.4e}"


def _tqdm():
    """tqdm's bar class (a dependency; without it, lines as elsewhere)."""
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm
