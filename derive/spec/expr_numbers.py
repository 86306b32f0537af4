"""The numbers of an expression, checked in float64 while it is parsed, before SymPy sees
them: a literal must be a float64 (:func:`check_literal`), and a part made of numbers only
must have a finite real value (:func:`check_numbers`), so ``1/0``, ``log(-1)`` or
``10**10**10`` are refused with their column (SymPy would compute ``9**9**9`` exactly, for
minutes).
"""

from __future__ import annotations

import math
import operator

from derive.spec.expr_tree import Binary, Call, ExprError, Num, Unary, children, postorder

#: Longest number literal (characters); float64 holds 17 significant digits.
MAX_NUMBER_LENGTH = 100
#: Most function calls nested in a part made of numbers only (``exp(-exp(-1))`` is two):
#: SymPy asks the sign of such a constant by evaluating it through every level, again at
#: each level, which takes exponential time.
MAX_CONSTANT_CALLS = 4
#: Largest |exponent| of a power whose base is not a number: SymPy expands (a + b)**n into
#: n + 1 terms when it compares expressions.
MAX_EXPONENT = 64


def check_literal(text: str, pos: int) -> None:
    """Refuse a number literal that is too long or outside float64's range.

    Raises:
        ExprError: at the literal's column.
    """
    if len(text) > MAX_NUMBER_LENGTH:
        raise ExprError(f"the number {text[:12]}… has {len(text):,} characters, more than the "
                        f"{MAX_NUMBER_LENGTH} read", pos + 1,
                        hint="float64 holds about 17 significant digits")
    value = float(text)
    if not math.isfinite(value) or (value == 0 and any(c in "123456789" for c in _mantissa(text))):
        raise ExprError(f"the number {text} is beyond float64's range", pos + 1)


def _mantissa(text: str) -> str:
    return text.lower().split("e")[0]


class _Refused(ArithmeticError):
    """A part made of numbers only that has no finite real float64 value; the message says why."""


def _fmt(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


#: log10 of the smallest and of the largest positive float64 (subnormals included)
_FLOAT_DIGITS = (-323.3, 308.25)


def _power(base: float, exponent: float) -> float:
    """base ** exponent in float64. Its size is estimated first: SymPy would compute the
    exact 9**387420489 of ``9**9**9``."""
    shown = f"{_fmt(base) if base > 0 else f'({_fmt(base)})'}**{_fmt(exponent)}"
    if base == 0:
        if exponent < 0:
            raise _Refused("the value is not a finite real number (it divides by zero)")
        return 1.0 if exponent == 0 else 0.0
    if base < 0 and not float(exponent).is_integer():
        raise _Refused(f"{shown} is not a real number (a negative number to a non-integer power)")
    digits = exponent * math.log10(abs(base))
    if digits > _FLOAT_DIGITS[1]:
        raise _Refused(f"{shown} is too large for float64")
    if digits < _FLOAT_DIGITS[0]:
        raise _Refused(f"{shown} is too small for float64 (it underflows to 0)")
    return base ** exponent


def _exp(x: float) -> float | None:
    if x > 709.78:
        raise _Refused(f"exp({_fmt(x)}) is too large for float64")
    return math.exp(x) or None  # an underflow is not a zero: log(exp(-1000)) is -1000


def _log(x: float) -> float:
    if x == 0:
        raise _Refused("the value is not a finite real number (log(0) is -infinity)")
    if x < 0:
        raise _Refused(f"log({_fmt(x)}) is not a real number (the log of a negative number)")
    return math.log(x)


def _sqrt(x: float) -> float:
    if x < 0:
        raise _Refused(f"sqrt({_fmt(x)}) is not a real number (the root of a negative number)")
    return math.sqrt(x)


#: float64 rules of the functions whose value a part made of numbers may need; the others
#: (sigmoid, relu, ...) are finite wherever their argument is, so they end the check.
_FOLD = {"exp": _exp, "log": _log, "sqrt": _sqrt, "abs": abs, "tanh": math.tanh}


_OPERATIONS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def _arithmetic(op: str, left: float, right: float) -> float | None:
    if op == "**":
        return _power(left, right)
    value = _OPERATIONS[op](left, right)
    if not math.isfinite(value):
        raise _Refused(f"{_fmt(left)}{op}{_fmt(right)} is too large for float64")
    if op in "*/" and value == 0 and left != 0:
        return None  # an underflow, not a zero: 1/(1e-200*1e-200) is 1e400, not 1/0
    return value


def _fold(node, operands: list) -> float | None:
    """The float64 value of ``node`` given its operands' (None: not made of numbers only)."""
    if isinstance(node, Num):
        return float(node.text)
    if isinstance(node, Unary):
        value = operands[0]
        return None if value is None else (-value if node.op == "-" else value)
    if isinstance(node, Call):
        rule = _FOLD.get(node.func)
        if rule is None or None in operands or len(operands) != 1:
            return None
        return rule(operands[0])
    if not isinstance(node, Binary):
        return None
    left, right = operands
    if node.op == "/" and right == 0:
        raise _Refused("the value is not a finite real number (it divides by zero)")
    if node.op == "**" and left is None and right is not None and abs(right) > MAX_EXPONENT:
        raise _Refused(f"the exponent {_fmt(right)} is beyond ±{MAX_EXPONENT}, the largest read "
                       f"on an expression that is not a number")
    if left is None or right is None:
        return None
    return _arithmetic(node.op, left, right)


def check_numbers(tree) -> None:
    """Refuse a part of ``tree`` made of numbers only that has no finite real float64 value
    (``1/0``, ``0/0``, ``log(-1)``, ``sqrt(-1)``, ``(-8)**(1/3)``, ``10**10**10``), and a
    power of an expression with too large a number exponent; parts with names are left to
    SymPy and to the evaluation of a worked example.

    Raises:
        ExprError: at the column of the operator or function where it goes wrong.
    """
    values: dict[int, float | None] = {}
    calls: dict[int, int | None] = {}  # calls nested in a part of numbers only; None: a name
    for node in postorder(tree):
        inner = [calls.pop(id(c)) for c in children(node)]
        calls[id(node)] = (None if None in inner or not isinstance(node, (Num, Unary, Binary, Call))
                           else max(inner, default=0) + isinstance(node, Call))
        if (calls[id(node)] or 0) > MAX_CONSTANT_CALLS:
            raise ExprError(f"a part made of numbers only nests more than {MAX_CONSTANT_CALLS} "
                            f"function calls", node.pos + 1, hint="write its value instead")
        try:
            values[id(node)] = _fold(node, [values.pop(id(c)) for c in children(node)])
        except _Refused as err:
            raise ExprError(str(err), node.pos + 1) from None
