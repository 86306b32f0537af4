"""A general claim as read: the trees of its sides, over layer-level quantities with free
layer and neuron indices (``w^l_{jk}``, ``δ^{l+1}``, ``(W^{l+1})^T``, ``∂C/∂w^l``).

:mod:`derive.claims.read_general` builds them and :mod:`derive.claims.judge_general` judges
them. A quantity's layer is a :class:`Layer` (a variable plus an offset, or a number), its
subscripts a tuple of :class:`Index` (a letter plus an offset, or a number).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Layer:
    """A layer superscript: ``var + offset`` (``l+1``: ("l", 1)), a number (var None), the
    output layer (``L``, or ``pred``), or none (``w`` written without one: any layer)."""

    var: str | None
    offset: int = 0
    text: str = ""

    def at(self, values: dict[str, int]) -> int | None:
        """The layer number when the claim's layer variables take ``values``."""
        if self.var is None:
            return self.offset
        if self.var not in values:
            return None
        return values[self.var] + self.offset


@dataclass(frozen=True)
class Index:
    """A subscript: a letter with an offset (``j``, ``k+1``) or a number (letter None)."""

    letter: str | None
    offset: int = 0

    def at(self, values: dict[str, int]) -> int | None:
        if self.letter is None:
            return self.offset
        if self.letter not in values:
            return None
        return values[self.letter] + self.offset

    def __str__(self) -> str:
        if self.letter is None:
            return str(self.offset)
        return self.letter + (f"{self.offset:+d}" if self.offset else "")


@dataclass(frozen=True)
class Quantity:
    """A quantity of the network: ``kind`` is weight, bias, pre, act, input, target, cost,
    delta, grad_a (∇_a C), velocity (Δw), eta, alpha, count (N) or mean (C̄); ``of`` is the
    quantity a velocity belongs to; ``time`` is "t", "t-1" or ""; ``vector`` marks \\vec."""

    kind: str
    layer: Layer | None
    indices: tuple[Index, ...]
    pos: int
    text: str
    time: str = ""
    of: "Quantity | None" = None
    vector: bool = False


@dataclass(frozen=True)
class Deriv:
    """``∂num/∂den`` (``df/dz``: num is the function's name)."""

    num: "Quantity | str"
    den: Quantity
    pos: int
    text: str


@dataclass(frozen=True)
class Num:
    value: float
    pos: int
    text: str


@dataclass(frozen=True)
class Op:
    """A binary operation: add, sub, product (juxtaposition, ×), dot (·), star (*),
    hadamard (⊙), div, pow."""

    op: str
    left: object
    right: object
    pos: int


@dataclass(frozen=True)
class Neg:
    operand: object
    pos: int


@dataclass(frozen=True)
class Transpose:
    operand: object
    pos: int


@dataclass(frozen=True)
class Call:
    """``f(x)``: ``name`` is sigmoid, tanh, exp, log or f (the layer's activation);
    ``prime`` for the derivative."""

    name: str
    prime: bool
    arg: object
    pos: int


@dataclass(frozen=True)
class Sum:
    """``Σ_index body`` over the neurons ``index`` names, or over the rows of a batch."""

    index: str | None
    rows: bool
    body: object
    pos: int


@dataclass
class GeneralClaim:
    """A general claim: its sides' trees (the left one first), what it names."""

    text: str
    sides: list
    side_texts: list[str]
    latex: bool
    #: the layer variables it uses (l, i; L is the output layer, not a variable)
    layer_vars: tuple[str, ...] = ()
    #: the cost's spelling in the claim (C, \ell, ℓ …), for the truth shown beside it
    cost_spelling: str = ""
    #: whether it is about a batch (names N, or sums over the rows)
    batch: bool = False
    uses: set = field(default_factory=set)


def walk(node) -> list:
    """Every node of a tree, parents before children (without recursion)."""
    out, todo = [], [node]
    while todo:
        n = todo.pop()
        out.append(n)
        if isinstance(n, Op):
            todo += [n.right, n.left]
        elif isinstance(n, (Neg, Transpose)):
            todo.append(n.operand)
        elif isinstance(n, Call):
            todo.append(n.arg)
        elif isinstance(n, Sum):
            todo.append(n.body)
        elif isinstance(n, Deriv):
            todo.append(n.den)
            if isinstance(n.num, Quantity):
                todo.append(n.num)
        elif isinstance(n, Quantity) and n.of is not None:
            todo.append(n.of)
    return out
