"""A small, safe parser for arithmetic written by users (equations, claims).

The grammar is numbers, names, ``+ - * / **`` (``^`` is read as ``**``), parentheses and
calls of known functions. Nothing is ever evaluated as Python: text becomes a tree of plain
dataclasses (:mod:`derive.spec.expr_tree`), and :func:`to_sympy` turns that tree into SymPy
with a caller-given name table.

Text is hostile: its size, its nesting and its numbers meet the limits below while it is
parsed, before SymPy sees it (SymPy recurses on deep trees and computes exact powers: a
``9**9**9`` would run for minutes). The parts made of numbers only are checked in float64 as
they are read (:mod:`derive.spec.expr_numbers`), so ``1/0``, ``log(-1)`` or ``10**10**10``
are refused with their column.

This module holds the tokenizer, the parser and the SymPy builder; it is the one other
stages import (``from derive.spec import expr as ex``), the tree's classes and walks with it.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from derive.spec.expr_numbers import MAX_CONSTANT_CALLS, check_literal, check_numbers
from derive.spec.expr_tree import (Binary, Call, ExprError, Name, Node, Num, Unary, children,
                                   names, postorder)
from derive.vocabulary import ARGUMENTS

if TYPE_CHECKING:  # SymPy is imported only where trees become SymPy: parsing stays light
    import sympy

#: What other stages use as ``ex.…``: the parser and the SymPy builder defined here, and the
#: tree they read and write, defined in :mod:`derive.spec.expr_tree`.
__all__ = ["MAX_DEPTH", "MAX_EXPRESSION_LENGTH", "MAX_ROOT", "Binary", "Call", "ExprError",
           "Name", "Node", "Num", "Parser", "Token", "Unary", "children", "names", "number",
           "parse", "postorder", "to_sympy", "tokenize"]

#: Longest expression text read (characters): an equation of a 4,000-input neuron fits; a
#: longer sum is better split into partial sums (a node each), which also derives faster.
MAX_EXPRESSION_LENGTH = 100_000
#: Deepest nesting of parentheses, calls and powers: SymPy differentiates and prints trees
#: by recursion, and past about 50 levels it meets Python's recursion limit.
MAX_DEPTH = 32
#: Largest denominator of a fractional exponent of a number SymPy takes exactly (2**(1/3)
#: stays exact; 2**0.0001 becomes its float64 value).
MAX_ROOT = 1000

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


# --------------------------------------------------------------------------- SymPy

def number(text: str) -> "sympy.Rational":
    """The exact rational value of a decimal literal (``0.1`` is 1/10, not a float); the
    literal is one :func:`check_literal` accepts."""
    import sympy
    return sympy.Rational(*Decimal(text).as_integer_ratio())


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
