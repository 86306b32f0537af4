"""A claim as read, the queries on its trees, and its verdict.

A claim is its left side (a :class:`Target`) and its right sides: trees of
:mod:`derive.spec.expr` with :class:`Deriv` leaves for ``dE/dw5``. The readers build them,
the judges read them, and each claim ends as a :class:`Verdict`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from derive.spec import expr as ex

HOLDS, WRONG, ROUNDING, UNREADABLE = "holds", "wrong", "rounding", "cannot read"
#: severity order used to combine the parts of one claim
SEVERITY = {HOLDS: 0, ROUNDING: 1, WRONG: 2, UNREADABLE: 3}


@dataclass(frozen=True)
class Deriv:
    """A derivative ``d num / d den`` written in a claim (names as the author wrote them)."""

    num: str
    den: str
    pos: int


@dataclass(frozen=True)
class Target:
    """The left side of a claim: a value, a value after the update step, or a derivative."""

    kind: str          # "value" | "after" | "deriv"
    name: str          # the quantity (numerator for a derivative)
    den: str | None = None
    pos: int = 0


@dataclass
class Claim:
    """A claim read into its left side and its right sides (``A = R1 = R2`` gives two)."""

    text: str
    target: Target
    sides: list          # parsed trees (ex.Node | Deriv)
    side_texts: list[str]
    latex: bool
    display: dict[str, str] = field(default_factory=dict)  # identifier → author's spelling
    prefix: str = "d"  # how the author writes a derivative's d: "d", "d_" or "∂"
    spelled: dict[str, str] = field(default_factory=dict)  # name → the alias this claim used
    indexed: bool = False  # plain text with TeX-style indices (w^1_{21}, O_1)
    #: a general claim (free layer and neuron indices): its trees, left side first
    general: object | None = None


def tree_names(node) -> list[tuple[str, int]]:
    """(name, position) of every symbol a claim tree uses, derivative parts included."""
    names = []
    for leaf in _leaves(node, (Deriv, ex.Name)):
        names += ([(leaf.num, leaf.pos), (leaf.den, leaf.pos)] if isinstance(leaf, Deriv)
                  else [(leaf.id, leaf.pos)])
    return names


def _leaves(node, kind) -> list:
    """Every leaf of type ``kind`` (a type or a tuple of types) in a claim tree, in order."""
    return [n for n in ex.postorder(node) if isinstance(n, kind)]


def tree_derivs(node) -> list[Deriv]:
    """Every derivative atom in a claim tree."""
    return _leaves(node, Deriv)


def tree_numbers(node) -> list[ex.Num]:
    """Every number literal in a claim tree."""
    return _leaves(node, ex.Num)


def chain_terms(node) -> list[list[Deriv]] | None:
    """A sum of products of derivatives as lists of factors; None if it is anything else
    (a lone derivative, ``dC/db = δ``, is a formula: only its value is claimed)."""
    if isinstance(node, Deriv):
        return None
    terms = []
    for term in _flatten(node, "+"):
        factors = _flatten(term, "*")
        if not factors or not all(isinstance(f, Deriv) for f in factors):
            return None
        terms.append(factors)
    return terms


def _flatten(node, op: str) -> list:
    """The operands of a chain of ``op`` (``a + b + c``: [a, b, c]), left to right."""
    out, todo = [], [node]
    while todo:
        n = todo.pop()
        if isinstance(n, ex.Binary) and n.op == op:
            todo += [n.right, n.left]
        else:
            out.append(n)
    return out


# =========================================================================== verdicts

@dataclass
class Verdict:
    """One claim's verdict, with the derived truth beside it and why it is wrong."""

    claim: str
    kind: str
    verdict: str
    expected: str = ""
    detail: str = ""
    digits: int | None = None
    line: int | None = None

    @property
    def ok(self) -> bool:
        return self.verdict == HOLDS

    def as_dict(self) -> dict:
        """The JSON form: claim, kind, verdict, expected, detail."""
        return {"claim": self.claim, "kind": self.kind, "verdict": self.verdict,
                "expected": self.expected, "detail": self.detail}
