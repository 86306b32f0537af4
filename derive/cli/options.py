"""Argument types of the command line: numbers checked where they are read, so a bad value
is argparse's one-line usage error, not a traceback or a NaN in the output."""

from __future__ import annotations

import argparse
import math
from typing import Callable

from derive.errors import shown

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
        except (ValueError, OverflowError):  # also int() of more than 4,300 digits
            raise argparse.ArgumentTypeError(f"expected {what}, got {shown(text)}") from None
        too_low = low is not None and (value <= low if low_open else value < low)
        too_high = high is not None and (value >= high if high_open else value > high)
        if (isinstance(value, float) and not math.isfinite(value)) or too_low or too_high:
            raise argparse.ArgumentTypeError(f"expected {what}, got {shown(text)}")
        return value
    return parse


POSITIVE = bounded(float, 0, low_open=True, what="a positive number")


#: A network with more names than this (inputs, targets, parameters, nodes) takes seconds to
#: derive or print: the command says so first, so that a wait does not look like a hang.
BIG_NETWORK = 2_000


def announce(command: str, network, work: str) -> None:
    """One line on standard error before long work on a big network: what is being done."""
    import sys

    from derive.errors import printable
    size = sum(map(len, (network.inputs, network.targets, network.parameters,
                         network.equations)))
    if size > BIG_NETWORK:
        print(f"chainrule {command}: {work} {printable(network.name)} ({size:,} names) ...",
              file=sys.stderr)
