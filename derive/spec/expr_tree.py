"""The tree the expression parser (:mod:`derive.spec.expr`) makes of a text: plain frozen
dataclasses (:class:`Num`, :class:`Name`, :class:`Unary`, :class:`Binary`, :class:`Call`),
the error that names the column where a text goes wrong, and walks over a tree that need no
recursion (a wide layer's sum is a chain of a thousand additions).

Other stages use these through :mod:`derive.spec.expr` (``ex.Num``, ``ex.names``).
"""

from __future__ import annotations

from dataclasses import dataclass

from derive.errors import ChainruleError


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
