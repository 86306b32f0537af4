"""LaTeX of what a write-up prints: names in the spec's spellings, equations in the spec's
order, expressions with numbers in place of names, and numbers rounded for print."""

from __future__ import annotations

import re

import sympy
from sympy.printing.latex import LatexPrinter

from derive.functions import function
from derive.latex_text import UnsafeLatex, check_spelling
from derive.spec import expr as ex
from derive.spec.model import Network

#: Significant digits of printed numbers (the JSON form keeps full precision).
DIGITS = 6

_DOUBLE_BRACKETS = re.compile(r"\\left\(\\left\((-?[\d.]+(?: \\times 10\^\{-?\d+\})?)\\right\)"
                              r"\\right\)")


class SpellingPrinter(LatexPrinter):
    """LaTeX of an expression in the spec's own spellings, or with numbers in place of names."""

    def __init__(self, names: dict[sympy.Symbol, str], **settings):
        super().__init__(settings)
        self.names = names

    def _print_Symbol(self, expr, style="plain"):
        if expr in self.names:
            return self.names[expr]
        return super()._print_Symbol(expr, style)

    def doprint(self, expr):
        # a negative number as a function's only argument needs no second pair of brackets
        return _DOUBLE_BRACKETS.sub(r"\\left(\1\\right)", super().doprint(expr))

    def _print_Heaviside(self, expr, exp=None):
        """relu's derivative: 1 where the argument is positive, else 0 (H(0) = 0)."""
        return r"\mathbf{1}_{%s > 0}" % self._print(expr.args[0])

    def _print_Mul(self, expr):
        """Adjoints first, as textbooks write them: δ_O · O(1 − O), not O · δ_O · (1 − O)."""
        factors = expr.as_ordered_factors() if self.order not in ("old", "none") \
            else list(expr.args)
        if len(factors) == 2 and factors[0] == -1 and factors[1].is_Add:
            return r"- \left(%s\right)" % self._print(factors[1])  # as the spec writes it
        deltas = [f for f in factors if f.is_Symbol and f.name.startswith("delta_")]
        if not deltas or factors[:len(deltas)] == deltas:
            return super()._print_Mul(expr)
        numbers = [f for f in factors if f.is_Number]
        rest = [f for f in factors if f not in deltas and not f.is_Number]
        order, self._settings["order"] = self.order, "none"
        try:
            return super()._print_Mul(sympy.Mul(*numbers, *deltas, *rest, evaluate=False))
        finally:
            self._settings["order"] = order


def default_spelling(symbol: sympy.Symbol) -> str:
    """A name's spelling when the spec gives none: SymPy's (``w_1`` → ``w_{1}``, ``alpha`` →
    ``\\alpha``), or the name in roman type where SymPy's would need more than the allowed
    math (``xscr`` → ``\\mathscr{x}``, a package the write-up does not load)."""
    spelling = sympy.latex(symbol)
    try:
        check_spelling(spelling)
    except UnsafeLatex:
        return r"\mathrm{" + symbol.name.replace("_", r"\_") + "}"
    return spelling


def spelled(network: Network, graph, name: str) -> sympy.Expr:
    """A node's equation as the spec writes it: its terms and factors in the spec's order."""
    with sympy.evaluate(False):
        expr = ex.to_sympy(network.equations[name].tree, lambda ref: graph.symbols[ref.id],
                           function)
    return _flatten(expr)


def _flatten(expr: sympy.Expr) -> sympy.Expr:
    """Unevaluated a + (b + c) → a + b + c (and the same for products), keeping the order."""
    if not expr.args:
        return expr
    args = [_flatten(a) for a in expr.args]
    if expr.is_Add or expr.is_Mul:
        args = [b for a in args for b in (a.args if a.func is expr.func else [a])]
    return expr.func(*args, evaluate=False)


def number(value: float, digits: int = DIGITS) -> str:
    """``value`` rounded to ``digits`` significant digits, as LaTeX."""
    if value == 0:
        return "0"
    if value != value or value in (float("inf"), float("-inf")):
        return r"\text{" + str(value) + "}"
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text
