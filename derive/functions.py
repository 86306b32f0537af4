"""SymPy functions for the activations, with derivatives in textbook form, and their registry.

A new activation touches two places: a ``sympy.Function`` subclass here (``fdiff`` gives its
derivative, ``numeric`` its float64 value) and one entry in each printer's name table.
"""

from __future__ import annotations

import math

import sympy
from sympy.core.function import ArgumentIndexError
from mpmath.libmp.libmpf import prec_to_dps

from derive.errors import ChainruleError
from derive.vocabulary import FUNCTIONS

#: Slope of leaky_relu for negative inputs when none is given.
LEAKY_SLOPE = sympy.Rational(1, 100)


def _sigmoid(x: float) -> float:
    """The logistic function, without overflow for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(x: float) -> float:
    """log(1 + e^x), without overflow for large |x|."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _evalf_as(function, definition, prec):
    """Evaluate ``function`` through its ``definition`` (a callable of its arguments), only
    when its arguments are numbers. The arguments are evaluated first, once each: evaluating
    the definition of nested calls symbolically took exponential time (12 nested sigmoids
    of a number, 3 s)."""
    if not all(a.is_number for a in function.args):
        return None
    dps = prec_to_dps(prec)
    return definition(*[a.evalf(dps) for a in function.args]).evalf(dps)


class sigmoid(sympy.Function):  # noqa: N801 - named as users write it
    """The logistic function σ(x) = 1 / (1 + e^(−x)); σ' = σ(1 − σ)."""

    numeric = staticmethod(_sigmoid)

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sympy.Rational(1, 2)
        return None

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sympy.exp(-x))

    def _eval_evalf(self, prec):
        return _evalf_as(self, self._eval_rewrite_as_exp, prec)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer, exp=None):
        body = r"\sigma\left(%s\right)" % printer._print(self.args[0])
        return body if exp is None else r"%s^{%s}" % (body, exp)


class relu(sympy.Function):  # noqa: N801
    """max(0, x); its derivative is the step H(x) with H(0) = 0, as in PyTorch."""

    numeric = staticmethod(lambda x: x if x > 0 else 0.0)

    def fdiff(self, argindex=1):
        return sympy.Heaviside(self.args[0], 0)

    def _eval_rewrite_as_Max(self, x, **kwargs):
        return sympy.Max(0, x)

    def _eval_evalf(self, prec):
        return _evalf_as(self, lambda x: sympy.Max(0, x), prec)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer, exp=None):
        body = r"\operatorname{ReLU}\left(%s\right)" % printer._print(self.args[0])
        return body if exp is None else r"%s^{%s}" % (body, exp)


class leaky_relu(sympy.Function):  # noqa: N801
    """x for x > 0, slope·x otherwise (slope 0.01 unless given as a second argument)."""

    nargs = (1, 2)

    @staticmethod
    def numeric(x, slope=float(LEAKY_SLOPE)):
        return x if x > 0 else slope * x

    @property
    def slope(self):
        return self.args[1] if len(self.args) > 1 else LEAKY_SLOPE

    def fdiff(self, argindex=1):
        """∂/∂x is 1 for x > 0 and the slope otherwise; ∂/∂slope is 0 for x > 0 and x
        otherwise (so a slope given as a parameter is trained like any weight)."""
        step = sympy.Heaviside(self.args[0], 0)
        if argindex == 1:
            return step + self.slope * (1 - step)
        if argindex == 2 and len(self.args) == 2:
            return self.args[0] * (1 - step)
        raise ArgumentIndexError(self, argindex)

    def _eval_evalf(self, prec):
        return _evalf_as(self, lambda x, slope=LEAKY_SLOPE: sympy.Piecewise((x, x > 0),
                                                                            (slope * x, True)),
                         prec)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer, exp=None):
        args = ", ".join(printer._print(a) for a in self.args)
        body = r"\operatorname{LeakyReLU}\left(%s\right)" % args
        return body if exp is None else r"%s^{%s}" % (body, exp)


class softplus(sympy.Function):  # noqa: N801
    """log(1 + e^x); its derivative is σ(x)."""

    numeric = staticmethod(_softplus)

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_rewrite_as_log(self, x, **kwargs):
        return sympy.log(1 + sympy.exp(x))

    def _eval_evalf(self, prec):
        return _evalf_as(self, self._eval_rewrite_as_log, prec)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer, exp=None):
        body = r"\operatorname{softplus}\left(%s\right)" % printer._print(self.args[0])
        return body if exp is None else r"%s^{%s}" % (body, exp)


def _heaviside(x: float, h0: float = 0.5) -> float:
    return 1.0 if x > 0 else (0.0 if x < 0 else h0)


def _log(x: float) -> float:
    """math.log, saying which way its argument left the domain."""
    if x <= 0:
        raise ValueError("the log of 0" if x == 0 else "the log of a negative number")
    return math.log(x)


#: Name in a spec → SymPy function.
REGISTRY = {
    "sigmoid": sigmoid, "tanh": sympy.tanh, "relu": relu, "leaky_relu": leaky_relu,
    "softplus": softplus, "exp": sympy.exp, "log": sympy.log, "sqrt": sympy.sqrt,
    "abs": sympy.Abs,
}
assert set(REGISTRY) == set(FUNCTIONS)

#: SymPy function class → float64 implementation, for :mod:`derive.scalar.values`.
NUMERIC = {
    sigmoid: _sigmoid, relu: relu.numeric, leaky_relu: leaky_relu.numeric, softplus: _softplus,
    sympy.tanh: math.tanh, sympy.exp: math.exp, sympy.log: _log, sympy.Abs: abs,
    sympy.Heaviside: _heaviside, sympy.sign: lambda x: float((x > 0) - (x < 0)),
}


def function(name: str):
    """The SymPy function registered under ``name``."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ChainruleError(f"unknown function {name!r}",
                             hint="expected one of " + ", ".join(FUNCTIONS)) from None
