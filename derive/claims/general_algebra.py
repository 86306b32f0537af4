"""The arithmetic of general claims' values: numbers (0-d arrays), columns (n × 1) and
matrices; the product rules (derive/claims/evaluate_general.py's docstring says what they
mean), functions entry by entry, and the shapes as verdicts name them."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy


class Undefined(Exception):
    """A side with no value at this place (an entry the network has not, shapes that do not
    multiply): the claim fails there."""


def shape_text(value: np.ndarray) -> str:
    if value.ndim == 0 or value.shape == (1, 1):
        return "a number"
    rows, cols = value.shape
    if cols == 1:
        return f"a vector of {rows}"
    if rows == 1:
        return f"a row of {cols}"
    return f"a {rows} × {cols} matrix"


def product(a: np.ndarray, b: np.ndarray, op: str) -> np.ndarray:
    """The product rules of general claims (derive/claims/evaluate_general.py's docstring):
    ``op`` is product (side by side, ×), dot (·), star (*) or hadamard (⊙)."""
    if a.ndim == 0 or b.ndim == 0 or a.shape == (1, 1) or b.shape == (1, 1):
        return (a.reshape(()) if a.shape == (1, 1) else a) * (b.reshape(()) if b.shape == (1, 1) else b)
    if op in ("hadamard", "star") and a.shape == b.shape:
        return a * b
    if op == "star" and a.shape[1] == 1 and b.shape[0] == 1:
        return a @ b  # a column * a row: δ^l * (a^{l-1})^T
    if op in ("hadamard", "star"):
        mark = "⊙" if op == "hadamard" else "*"
        raise Undefined(f"{mark} of {shape_text(a)} and {shape_text(b)}: they are not one shape")
    if op == "dot" and a.shape == b.shape and a.shape[1] == 1:
        return np.asarray(float((a * b).sum()))
    if a.shape[1] == b.shape[0]:
        return a @ b
    if a.shape[0] == b.shape[0] and 1 in (a.shape[1], b.shape[1]):
        return a * b
    if a.shape[1] == 1 and b.shape[1] == 1:
        return a @ b.T
    raise Undefined(f"{shape_text(a)} beside {shape_text(b)} has no product")


@lru_cache(maxsize=None)
def _function(name: str, prime: bool) -> tuple:
    """(u, f(u) or f′(u)) in SymPy: the spec's function, differentiated by sympy.diff."""
    from derive.functions import function
    u = sympy.Symbol("u", real=True)
    f = u if name == "identity" else function(name)(u)
    return u, (sympy.diff(f, u) if prime else f)


def elementwise(name: str, prime: bool, arg: np.ndarray) -> np.ndarray:
    """A function (or its derivative) of each entry, by SymPy and the scalar level's numbers."""
    from derive.scalar.values import evaluate
    u, expr = _function(name, prime)

    def one(x: float) -> float:
        try:
            return evaluate(expr, {u: float(x)})
        except (ValueError, ZeroDivisionError, OverflowError):
            return float("nan")
    return np.vectorize(one, otypes=[float])(arg) if arg.ndim else np.asarray(one(arg))
