"""Argument types of the command line: numbers checked where they are read, so a bad value
is argparse's one-line usage error, not a traceback or a NaN in the output."""

from __future__ import annotations

import argparse
import math
from typing import Callable


def bounded(kind: type, low: float | None = None, high: float | None = None, *,
            low_open: bool = False, high_open: bool = False,
            what: str = "a number") -> Callable[[str], float]:
    """An argparse type: ``kind(text)``, finite and within [low, high] (open ends as told).

    Args:
        kind: ``int`` or ``float``.
        low, high: the bounds (None: unbounded).
        low_open, high_open: exclude the bound itself.
        what: what is expected, for the error (e.g. "a positive number").
    """
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        too_low = low is not None and (value <= low if low_open else value < low)
        too_high = high is not None and (value >= high if high_open else value > high)
        if not math.isfinite(value) or too_low or too_high:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value
    return parse


POSITIVE = bounded(float, 0, low_open=True, what="a positive number")
