"""A small, safe parser for arithmetic written by users (equations, claims).

The grammar is numbers, names, ``+ - * / **`` (``^`` is read as ``**``), parentheses and
calls of known functions. Nothing is ever evaluated as Python: text becomes a tree of plain
dataclasses, and :func:`to_sympy` turns that tree into SymPy with a caller-given name table.
"""

from __future__ import annotations

import math

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from derive.errors import ChainruleError
from derive.vocabulary import ARGUMENTS

if TYPE_CHECKING:  # SymPy is imported only where trees become SymPy: parsing stays light
    import sympy


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
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
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
        return node

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
        if self.tok.text in ("+", "-"):
            op = self.advance()
            return Unary(op.text, self.unary(), op.pos)
        return self.power()

    def power(self) -> Node:
        base = self.atom()
        if self.tok.text in ("**", "^"):
            op = self.advance()
            return Binary("**", base, self.unary(), op.pos)
        return base

    def atom(self) -> Node:
        tok = self.tok
        if tok.kind == "num":
            if not math.isfinite(float(tok.text)):
                raise ExprError(f"the number {tok.text} is beyond float64's range", tok.pos + 1)
            self.advance()
            return Num(tok.text, tok.pos)
        if tok.kind == "name":
            self.advance()
            if self.tok.text == "(":
                return self.call(tok)
            return Name(tok.text, tok.pos)
        if tok.text == "(":
            self.advance()
            node = self.sum()
            self.expect(")")
            return node
        raise self.error("expected a number, a name or '('")

    def call(self, name: Token) -> Call:
        if name.text not in self.functions:
            raise ExprError(f"unknown function {name.text!r}", name.pos + 1,
                            hint="expected one of " + ", ".join(sorted(self.functions)))
        self.expect("(")
        args = [self.sum()]
        while self.tok.text == ",":
            self.advance()
            args.append(self.sum())
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
        elif isinstance(n, Unary):
            todo.append(n.operand)
        elif isinstance(n, Binary):
            todo += [n.right, n.left]
        elif isinstance(n, Call):
            todo += reversed(n.args)
    return found


def number(text: str) -> "sympy.Rational":
    """The exact rational value of a decimal literal (``0.1`` is 1/10, not a float)."""
    import sympy
    return sympy.Rational(text)


def to_sympy(node: Node, symbol: Callable[[Name], "sympy.Expr"],
             function: Callable[[str], Callable]) -> "sympy.Expr":
    """Build the SymPy expression of a parsed tree.

    Args:
        node: a tree from :func:`parse`.
        symbol: maps a name reference to its SymPy symbol (raise to reject it).
        function: maps a function name to a SymPy function.
    """
    import sympy

    def build(n: Node) -> "sympy.Expr":
        if isinstance(n, Binary) and n.op in "+-":
            return sum_of(n)
        if isinstance(n, Num):
            return number(n.text)
        if isinstance(n, Name):
            return symbol(n)
        if isinstance(n, Unary):
            return -build(n.operand) if n.op == "-" else build(n.operand)
        if isinstance(n, Call):
            return function(n.func)(*[build(a) for a in n.args])
        left, right = build(n.left), build(n.right)
        if n.op == "*":
            return left * right
        if n.op == "/":
            return left / right
        return left ** right

    def sum_of(n: Node) -> "sympy.Expr":
        """a + b - c + ... in one Add: a layer's sum has a term per input, and adding them
        one at a time would cost quadratic time (and a recursion per term)."""
        terms = []
        while isinstance(n, Binary) and n.op in "+-":
            right = build(n.right)
            terms.append(right if n.op == "+" else -right)
            n = n.left
        terms.append(build(n))
        return sympy.Add(*reversed(terms))
    return build(node)
