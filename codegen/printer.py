"""SymPy → Numba-compatible Python: a printer subclass with one entry per activation.

:class:`NumbaPrinter` extends SymPy's ``PythonCodePrinter``: ``math`` functions for the
elementary ones, small ``@njit(inline="always")`` helpers for our activations (printed once at
the top of a generated module, in numerically safe forms), and powers written as products so
Numba emits plain multiplications. A function with no entry raises :class:`CodegenError`.
"""

from __future__ import annotations

import math

import sympy
from sympy.printing.pycode import PythonCodePrinter

from codegen.source_text import CodegenError, number
from derive.functions import leaky_relu, relu, sigmoid, softplus


#: helper name → its source (a numerically safe scalar implementation, Numba-compilable)
HELPERS = {
    "_sigmoid": '''\
@njit(cache=True, inline="always")
def _sigmoid(z):
    """σ(z) = 1/(1 + e^-z) with e^-z capped below overflow: no branch, no inf, no NaN."""
    return 1.0 / (1.0 + math.exp(min(-z, 709.0)))
''',
    "_softplus": '''\
@njit(cache=True, inline="always")
def _softplus(z):
    """log(1 + e^z) without overflow: max(z, 0) + log1p(e^-|z|)."""
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))
''',
    "_relu": '''\
@njit(cache=True, inline="always")
def _relu(z):
    return z if z > 0.0 else 0.0
''',
    "_leaky_relu": '''\
@njit(cache=True, inline="always")
def _leaky_relu(z, slope):
    return z if z > 0.0 else slope * z
''',
    "_step": '''\
@njit(cache=True, inline="always")
def _step(z):
    """Heaviside step with H(0) = 0: the derivative of relu, as in PyTorch."""
    return 1.0 if z > 0.0 else 0.0
''',
    "_sign": '''\
@njit(cache=True, inline="always")
def _sign(z):
    return 1.0 if z > 0.0 else (-1.0 if z < 0.0 else 0.0)
''',
}

class NumbaPrinter(PythonCodePrinter):
    """Prints scalar SymPy expressions as Python that Numba compiles to plain arithmetic."""

    def __init__(self, names: dict[sympy.Symbol, str] | None = None, settings=None):
        """``names`` maps the spec's symbols to their identifiers (one
        :class:`~codegen.source_text.Identifiers` table for the whole module); other symbols (the scaffolding's ``params``, ``X``, ``lr``, the temporaries ``_t0``)
        print as they are. The map is keyed by symbol, not by name: a spec symbol (real) and
        a scaffolding symbol (no assumptions) of the same name stay apart."""
        super().__init__({"fully_qualified_modules": True, "standard": "python3",
                          **(settings or {})})
        self.names = names or {}
        self.helpers: set[str] = set()

    def _helper(self, name: str, *args) -> str:
        self.helpers.add(name)
        return f"{name}({', '.join(self._print(a) for a in args)})"

    def _print_Symbol(self, expr):
        return self.names.get(expr, expr.name)

    def _print_Function(self, expr):
        raise CodegenError(f"no Numba rule for the function {type(expr).__name__!r}",
                           hint="add a _print_ method and a helper to codegen/printer.py")

    _print_Derivative = _print_Function

    def _print_sigmoid(self, expr):
        return self._helper("_sigmoid", expr.args[0])

    def _print_softplus(self, expr):
        return self._helper("_softplus", expr.args[0])

    def _print_relu(self, expr):
        return self._helper("_relu", expr.args[0])

    def _print_leaky_relu(self, expr):
        return self._helper("_leaky_relu", expr.args[0], expr.slope)

    def _print_Heaviside(self, expr):
        h0 = expr.args[1] if len(expr.args) > 1 else sympy.S.Half
        if h0 != 0:
            raise CodegenError("only the Heaviside step with H(0) = 0 (relu's derivative) prints")
        return self._helper("_step", expr.args[0])

    def _print_sign(self, expr):
        return self._helper("_sign", expr.args[0])

    def _print_Element(self, expr):
        indices = ", ".join(str(int(i)) if i.is_Integer else self._print(i) for i in expr.indices)
        return f"{expr.symbol.name}[{indices}]"

    def _print_Indexed(self, expr):
        # indices are integer arithmetic: printed by SymPy's str printer (no float literals)
        return f"{expr.base.label}[{', '.join(str(i) for i in expr.indices)}]"

    def _print_Abs(self, expr):
        return f"abs({self._print(expr.args[0])})"

    def _print_Max(self, expr):
        return f"max({', '.join(self._print(a) for a in expr.args)})"

    def _print_Rational(self, expr):
        return _float(expr)

    _print_Half = _print_Rational

    def _print_Integer(self, expr):
        value = int(expr)
        # exact below 2**53 (as 3.0); beyond, the float it rounds to (math.inf past 1e308)
        return f"{value}.0" if abs(value) < 2**53 else _float(expr)

    def _print_Float(self, expr):
        return _float(expr)

    def _print_Pow(self, expr, rational=False):
        base, exp = expr.base, expr.exp
        if exp == sympy.S.Half:
            return f"math.sqrt({self._print(base)})"
        if exp == -sympy.S.Half:
            return f"(1.0 / math.sqrt({self._print(base)}))"
        if exp.is_Integer and 0 < abs(int(exp)) <= 4:
            factor = self.parenthesize(base, sympy.printing.precedence.PRECEDENCE["Mul"] + 1)
            product = " * ".join([factor] * abs(int(exp)))
            return f"({product})" if exp > 0 else f"(1.0 / ({product}))"
        return super()._print_Pow(expr, rational)


def _float(expr: sympy.Expr) -> str:
    """A SymPy number as a float literal; one too large for a float is infinite."""
    try:
        return number(float(expr))
    except OverflowError:
        return number(math.inf if expr > 0 else -math.inf)


def helper_source(names: set[str]) -> str:
    """The helpers a module uses, in a fixed order."""
    return "\n\n".join(HELPERS[name] for name in sorted(names))


# sigmoid, relu, leaky_relu and softplus are printed by the methods above
assert {sigmoid.__name__, relu.__name__, leaky_relu.__name__, softplus.__name__} <= {
    name[len("_print_"):] for name in dir(NumbaPrinter) if name.startswith("_print_")}
