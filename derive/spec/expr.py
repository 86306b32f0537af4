"""A small, safe parser for arithmetic written by users (equations, claims).

The grammar is numbers, names, ``+ - * / **`` (``^`` is read as ``**``), parentheses and
calls of known functions. Nothing is ever evaluated as Python: text becomes a tree of plain
dataclasses, and :func:`to_sympy` turns that tree into SymPy with a caller-given name table.

Text is hostile: its size, its nesting and its numbers meet the limits below while it is
parsed, before SymPy sees it (SymPy recurses on deep trees and computes exact powers: a
``9**9**9`` would run for minutes). The parts made of numbers only are checked in float64 as
they are read, so ``1/0``, ``log(-1)`` or ``10**10**10`` are refused with their column.
"""

from __future__ import annotations

import math
import operator
import re
from decimal import Decimal
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from derive.errors import ChainruleError
from derive.vocabulary import ARGUMENTS

if TYPE_CHECKING:  # SymPy is imported only where trees become SymPy: parsing stays light
    import sympy

#: Longest expression text read (characters): an equation of a 4,000-input neuron fits; a
#: longer sum is better split into partial sums (a node each), which also derives faster.
MAX_EXPRESSION_LENGTH = 100_000
#: Deepest nesting of parentheses, calls and powers: SymPy differentiates and prints trees
#: by recursion, and past about 50 levels it meets Python's recursion limit.
MAX_DEPTH = 32
#: Longest number literal (characters); float64 holds 17 significant digits.
MAX_NUMBER_LENGTH = 100
#: Most function calls nested in a part made of numbers only (``exp(-exp(-1))`` is two):
#: SymPy asks the sign of such a constant by evaluating it through every level, again at
#: each level, which takes exponential time.
MAX_CONSTANT_CALLS = 4
#: Largest denominator of a fractional exponent of a number SymPy takes exactly (2**(1/3)
#: stays exact; 2**0.0001 becomes its float64 value).
MAX_ROOT = 1000
#: Largest |exponent| of a power whose base is not a number: SymPy expands (a + b)**n into
#: n + 1 terms when it compares expressions.
MAX_EXPONENT = 64


class ExprError(ChainruleError):
    """Text that is not a well-formed expression; ``column`` is 1-based."""

    def __init__(self, message: str, column: int, hint: str | None = None):
        super().__init__(f"{message} at column {column}", hint=hint)
        self.column = column


@dataclass(frozen=True)
class Num:
    """A number literal, kept as written so it can be made exact."""

    text: str
    pos: int


@dataclass(frozen=True)
class Name:
    """A reference to a symbol."""

    id: str
    pos: int


@dataclass(frozen=True)
class Unary:
    """A sign in front of an operand."""

    op: str
    operand: "Node"
    pos: int


@dataclass(frozen=True)
class Binary:
    """A binary operation: one of ``+ - * / **``."""

    op: str
    left: "Node"
    right: "Node"
    pos: int


@dataclass(frozen=True)
class Call:
    """A call of a named function."""

    func: str
    args: tuple
    pos: int


Node = Num | Name | Unary | Binary | Call

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<op>\*\*|[-+*/^(),])
""", re.VERBOSE)


@dataclass(frozen=True)
class Token:
    """One lexical token; ``pos`` is the 0-based offset in the text."""

    kind: str
    text: str
    pos: int


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with an ``end`` token (after a ``bad`` one if any)."""
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:  # the parser reports it when it gets there, so errors come in reading order
            tokens.append(Token("bad", text[pos], pos))
            break
        if m.lastgroup != "ws":
            tokens.append(Token(m.lastgroup, m.group(), pos))
        pos = m.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


class Parser:
    """Recursive-descent parser over the token list; one instance parses one text."""

    def __init__(self, text: str, functions: Iterable[str]):
        if len(text) > MAX_EXPRESSION_LENGTH:
            raise ExprError(f"the expression is {len(text):,} characters long, longer than "
                            f"the {MAX_EXPRESSION_LENGTH:,} read", 1,
                            hint="split it into several equations")
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0
        self.functions = set(functions)

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, text: str) -> Token:
        if self.tok.text != text:
            raise self.error(f"expected {text!r}")
        return self.advance()

    def error(self, what: str) -> ExprError:
        if self.tok.kind == "bad":
            return ExprError(f"unexpected character {self.tok.text!r}", self.tok.pos + 1,
                             hint="expected a number, a name, an operator or a parenthesis")
        found = "the end of the text" if self.tok.kind == "end" else repr(self.tok.text)
        return ExprError(f"{what}, found {found}", self.tok.pos + 1)

    def parse(self) -> Node:
        """Parse the whole text as one expression."""
        if self.tok.kind == "end":
            raise ExprError("empty expression", 1, hint="expected an expression")
        node = self.sum()
        if self.tok.kind != "end":
            raise self.error("expected an operator or the end of the expression")
        check_numbers(node)
        return node

    def nested(self, parse: Callable[[], Node], at: Token) -> Node:
        """``parse()`` one level deeper, inside ``at`` (a parenthesis, a call, a power)."""
        if self.depth >= MAX_DEPTH:
            raise ExprError(f"the expression nests deeper than {MAX_DEPTH} levels of "
                            f"parentheses, calls and powers", at.pos + 1,
                            hint="split it into several equations")
        self.depth += 1
        try:
            return parse()
        finally:
            self.depth -= 1

    def sum(self) -> Node:
        node = self.product()
        while self.tok.text in ("+", "-"):
            op = self.advance()
            node = Binary(op.text, node, self.product(), op.pos)
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.tok.text in ("*", "/"):
            op = self.advance()
            node = Binary(op.text, node, self.unary(), op.pos)
        return node

    def unary(self) -> Node:
        """Signs in front of an operand, read in a loop: ``- - -x`` is one sign, ``-x``."""
        signs = []
        while self.tok.text in ("+", "-"):
            signs.append(self.advance())
        node = self.power()
        if not signs:
            return node
        negative = sum(sign.text == "-" for sign in signs) % 2
        return Unary("-" if negative else "+", node, signs[0].pos)

    def power(self) -> Node:
        base = self.atom()
        if self.tok.text in ("**", "^"):
            op = self.advance()
            return Binary("**", base, self.nested(self.unary, op), op.pos)
        return base

    def atom(self) -> Node:
        tok = self.tok
        if tok.kind == "num":
            check_literal(tok.text, tok.pos)
            self.advance()
            return Num(tok.text, tok.pos)
        if tok.kind == "name":
            self.advance()
            if self.tok.text == "(":
                return self.call(tok)
            return Name(tok.text, tok.pos)
        if tok.text == "(":
            self.advance()
            node = self.nested(self.sum, tok)
            self.expect(")")
            return node
        raise self.error("expected a number, a name or '('")

    def call(self, name: Token) -> Call:
        if name.text not in self.functions:
            raise ExprError(f"unknown function {name.text!r}", name.pos + 1,
                            hint="expected one of " + ", ".join(sorted(self.functions)))
        self.expect("(")
        args = [self.nested(self.sum, name)]
        while self.tok.text == ",":
            self.advance()
            args.append(self.nested(self.sum, name))
        self.expect(")")
        allowed = ARGUMENTS.get(name.text, (1,))
        if len(args) not in allowed:
            expected = " or ".join(map(str, allowed))
            raise ExprError(f"{name.text} takes {expected} argument{'s' * (allowed[-1] > 1)}, "
                            f"not {len(args)}", name.pos + 1)
        return Call(name.text, tuple(args), name.pos)


def parse(text: str, functions: Iterable[str]) -> Node:
    """Parse ``text`` into an expression tree.

    Args:
        text: the expression, e.g. ``"w1*x1 + b1"``.
        functions: the names that may be called.

    Raises:
        ExprError: with the column of the first problem.
    """
    return Parser(text, functions).parse()


def names(node: Node) -> list[Name]:
    """All name references in ``node``, in reading order (without recursion: a wide layer's
    sum is a chain of a thousand additions)."""
    found, todo = [], [node]
    while todo:
        n = todo.pop()
        if isinstance(n, Name):
            found.append(n)
        else:
            todo += reversed(children(n))
    return found


def children(node) -> tuple:
    """The operands of a tree node, left to right (none for a leaf)."""
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    return ()


def postorder(node) -> list:
    """Every node of a tree, each after its operands, without recursion (a chain of a
    thousand products is a tree a thousand deep)."""
    out, todo = [], [node]
    while todo:
        n = todo.pop()
        out.append(n)
        todo += children(n)
    out.reverse()
    return out


# --------------------------------------------------------------------------- numbers

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


def number(text: str) -> "sympy.Rational":
    """The exact rational value of a decimal literal (``0.1`` is 1/10, not a float); the
    literal is one :func:`check_literal` accepts."""
    import sympy
    return sympy.Rational(*Decimal(text).as_integer_ratio())


# --------------------------------------------------------------------------- SymPy

class _Chain(list):
    """The (operator, operand) pairs of a chain of ``+``/``-`` (or ``*``/``/``) not yet made
    one SymPy expression: adding the terms of a wide layer's sum one at a time would cost
    quadratic time, and under ``sympy.evaluate(False)`` (write-ups) nest a thousand deep."""

    def __init__(self, op: str, items):
        super().__init__(items)
        self.op = op


#: Longest product built factor by factor, as written (a write-up shows it so); a longer
#: one is one flat Mul.
_PAIRWISE = 64


def to_sympy(node: Node, symbol: Callable[[Node], "sympy.Expr"],
             function: Callable[[str], Callable]) -> "sympy.Expr":
    """Build the SymPy expression of a parsed tree, without recursion.

    Args:
        node: a tree from :func:`parse`.
        symbol: maps a leaf that is not a number (a name reference; in claims also a
            derivative) to its SymPy expression (raise to reject it).
        function: maps a function name to a SymPy function.

    Raises:
        ExprError: where SymPy finds a value that is not a finite real number
            (``log(x - x)``), at its column.
    """
    import sympy
    values: dict[int, object] = {}
    calls: dict[int, int] = {}  # function calls nested in a part SymPy found to be a number
    for n in postorder(node):
        operands = [values.pop(id(c)) for c in children(n)]
        inner = max((calls.pop(id(c)) for c in children(n)), default=0)
        if isinstance(n, Call) and all(_whole(a, sympy).is_number for a in operands):
            inner += 1  # log(1 + exp(-(x - x))): names that cancel leave a constant
            if inner > MAX_CONSTANT_CALLS:
                raise ExprError(f"a part whose value is a number nests more than "
                                f"{MAX_CONSTANT_CALLS} function calls", n.pos + 1,
                                hint="write its value instead")
        values[id(n)] = _build(n, operands, symbol, function, sympy)
        calls[id(n)] = inner
    return _whole(values.pop(id(node)), sympy)


def _whole(value, sympy) -> "sympy.Expr":
    """A SymPy expression from a built value (a pending chain becomes one Add or Mul)."""
    if not isinstance(value, _Chain):
        return value
    operands = [(op, _whole(x, sympy)) for op, x in value]
    if value.op == "+":
        return sympy.Add(*[-x if op == "-" else x for op, x in operands])
    if len(operands) > _PAIRWISE:
        return sympy.Mul(*[sympy.Pow(x, -1) if op == "/" else x for op, x in operands])
    product = operands[0][1]
    for op, x in operands[1:]:
        product = product / x if op == "/" else product * x
    return product


def _build(n, operands: list, symbol, function, sympy):
    """One tree node in SymPy, given its operands'."""
    if isinstance(n, Num):
        return number(n.text)
    if isinstance(n, Unary):
        operand = _whole(operands[0], sympy)
        return -operand if n.op == "-" else operand
    if isinstance(n, Call):
        return _real(function(n.func)(*[_whole(a, sympy) for a in operands]), n, sympy)
    if not isinstance(n, Binary):
        return symbol(n)
    left, right = operands
    right = _whole(right, sympy)
    if n.op == "**":
        base = _whole(left, sympy)
        if base.is_Rational and right.is_Rational and right.q > MAX_ROOT:
            # an exact 10**308-th root: SymPy factors the base and runs for minutes
            return sympy.Float(math.pow(float(base), float(right)))
        return _real(base ** right, n, sympy)
    if n.op == "/":
        _real(1 / right, n, sympy)  # x/0, x/(y - y)
    op = "+" if n.op in "+-" else "*"
    chain = left if isinstance(left, _Chain) and left.op == op else _Chain(op, [("", left)])
    chain.append((n.op, right))
    return chain


def _real(value: "sympy.Expr", n, sympy) -> "sympy.Expr":
    """``value``, unless SymPy made it infinite, undefined or complex."""
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I):
        why = "it divides by zero" if value.has(sympy.zoo) else f"SymPy makes it {value}"
        raise ExprError(f"the value is not a finite real number ({why})", n.pos + 1)
    return value
