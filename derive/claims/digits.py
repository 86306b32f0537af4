"""How many digits a number states and how many of them a claim gets right; numbers shown
in verdicts; floats compared within a relative tolerance."""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation


def stated_digits(text: str) -> tuple[int, int]:
    """(significant digits, exponent of the last stated digit) of a decimal literal."""
    try:
        d = Decimal(text)
    except InvalidOperation:
        return 15, -15
    sign, digits, exponent = d.as_tuple()
    digits = list(digits)
    while len(digits) > 1 and digits[0] == 0:
        digits.pop(0)
    return max(1, len(digits)), int(exponent)


def agreement(claimed: float, true: float, last: int, n: int) -> tuple[bool, int]:
    """(within half a unit of the last stated digit, significant digits of agreement)."""
    diff = abs(claimed - true)
    half = 0.5 * 10.0 ** last
    if diff <= half * (1 + 1e-9) + 1e-15 * max(1.0, abs(true)):
        return True, n
    lead = math.floor(math.log10(abs(claimed))) if claimed else last + n - 1
    k = 0
    while k < n and diff <= 0.5 * 10.0 ** (lead - k) * (1 + 1e-9):
        k += 1
    return False, k


def fmt_number(value: float, digits: int = 10) -> str:
    """``value`` to ``digits`` significant digits, as verdicts show numbers."""
    return f"{value:.{digits}g}"


def is_close(a: float, b: float, rel: float = 1e-9) -> bool:
    """Whether ``a`` and ``b`` agree within ``rel`` (relative, absolute below 1); NaN is
    close to NaN only."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))
