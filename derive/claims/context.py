"""What every judge works from: one network's derivation, its names and seeded points, and
the questions judges ask of them — which quantities depend on which and through what paths,
the true value of a claim's left side, a claim's sides in SymPy and evaluated at a point,
and names and expressions spelled in the claim's own notation."""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Mapping

from derive.claims.claim import Claim, Deriv, Target
from derive.claims.names import ETA, Names, claim_function
from derive.errors import ClaimError, SpecError
from derive.spec import expr as ex

if TYPE_CHECKING:  # heavy imports happen in Context
    import sympy
    from derive.scalar.chain import Derivation
    from derive.spec.model import Network

#: random points tried per point wanted, before a check makes do with fewer
_POINT_TRIES = 20
#: Most chain-rule paths between two quantities a check lists (a claim's chain, or the true
#: derivative of one node by another): their number doubles with each layer of a deep net.
MAX_PATHS = 10_000


@dataclass
class Part:
    """The verdict of one right side of a claim."""

    kind: str
    verdict: str
    expected: str
    detail: str
    digits: int | None = None
    claimed: float | None = None


class Context:
    """One network's derivation with the questions every judge asks of it."""

    def __init__(self, network: "Network", aliases: Mapping[str, str] | None = None,
                 points: int = 6, seed: int = 0):
        import sympy
        from derive.scalar.chain import derive
        self.sp = sympy
        self.network = network
        self.names = Names(network, aliases)
        self.d: "Derivation" = derive(network)
        self.graph = self.d.graph
        self.eta = sympy.Symbol(ETA, real=True)
        self.symbols = dict(self.graph.symbols, **{ETA: self.eta})
        self.has_values = not network.missing_values()
        self.seed = seed
        self.points = self._points(points, seed)
        self._totals: dict = {}
        #: the number claims judged so far in this run, for later numbers to be traced to
        #: them: (quantity, claimed value, claim text, verdict)
        self.claimed: list[tuple[tuple, float, str, str]] = []

    # ---- numeric points
    def _points(self, count: int, seed: int, worked_example: bool = True) -> list[dict[str, float]]:
        """The worked example's values (if any), then seeded random ones, nodes computed.

        Random points where the network has no finite value (``sqrt(w - 2)`` for w in ±1)
        are skipped, a bounded number of times: fewer points may come back.
        """
        from derive.scalar.values import forward
        rng = random.Random(seed)
        out = []
        if self.has_values and worked_example:
            leaves = {**self.network.inputs, **self.network.targets, **self.network.parameters}
            out.append(dict(forward(self.d, leaves), eta=self.network.learning_rate))
        for _ in range(_POINT_TRIES * count):
            if len(out) >= count:
                break
            leaves = {}
            for n in self.network.inputs:
                leaves[n] = rng.uniform(-1, 1)
            for n in self.network.targets:
                leaves[n] = rng.uniform(0.05, 0.95)
            for n in self.network.parameters:
                leaves[n] = rng.uniform(-1, 1)
            try:
                values = forward(self.d, leaves)
            except SpecError:  # outside the network's domain
                continue
            out.append(dict(values, eta=rng.uniform(0.1, 1.0)))
        return out

    @cached_property
    def layer_model(self):
        """The layer level's rules at seeded samples, for general claims (layered networks)."""
        from derive.claims.layer_values import LayerModel
        return LayerModel(self.network, self.d, self.seed)

    @cached_property
    def extra_points(self) -> list[dict[str, float]]:
        """Many more seeded random points, for formulas SymPy cannot simplify to the truth."""
        return self._points(40, self.seed + 1, worked_example=False)

    def env(self, point: Mapping[str, float]) -> dict:
        return {self.symbols[k]: v for k, v in point.items() if k in self.symbols}

    def value(self, expr: "sympy.Expr", point: Mapping[str, float]) -> float:
        from derive.scalar.values import evaluate
        try:
            return evaluate(expr, self.env(point))
        except (ValueError, ZeroDivisionError, OverflowError):
            return math.nan

    # ---- symbolic truths
    def depends(self, a: str, b: str) -> bool:
        """Whether ``a``'s value depends on ``b`` (through any path)."""
        return b in self.ancestors(a)

    def ancestors(self, a: str) -> set[str]:
        """Every name ``a``'s value is computed from (``a`` excluded), found without
        recursion (a chain of a thousand nodes is a thousand deep)."""
        key = ("ancestors", a)
        if key not in self._totals:
            out: set[str] = set()
            todo = [a]
            while todo:
                name = todo.pop()
                if self.graph.is_node(name):
                    fresh = [p for p in self.graph.node(name).parents if p not in out]
                    out.update(fresh)
                    todo += fresh
            self._totals[key] = out
        return self._totals[key]

    def path_count(self, a: str, b: str) -> int:
        """How many paths lead from ``a`` down through parents to ``b`` (counted, not listed)."""
        counts = {b: 1}
        for node in self.graph.nodes:  # parents come before their children
            if node.name != b:
                counts[node.name] = sum(counts.get(p, 0) for p in node.parents)
        return counts.get(a, 0)

    def paths_between(self, a: str, b: str) -> list[tuple[str, ...]]:
        """Every path from ``a`` down through parents to ``b``.

        Raises:
            ClaimError: when there are more than :data:`MAX_PATHS` of them.
        """
        key = ("paths", a, b)
        if key not in self._totals:
            count = self.path_count(a, b)
            if count > MAX_PATHS:
                raise ClaimError(f"{a} depends on {b} through {count:,} paths, more than the "
                                 f"{MAX_PATHS:,} a check lists")
            out, todo = [], [(a,)]
            while todo:
                path = todo.pop()
                if path[-1] == b:
                    out.append(path)
                elif self.graph.is_node(path[-1]):
                    todo += [path + (p,) for p in reversed(self.graph.node(path[-1]).parents)
                             if p == b or b in self.ancestors(p)]
            self._totals[key] = out
        return self._totals[key]

    def total(self, a: str, b: str) -> "sympy.Expr":
        """∂a/∂b summed over all paths, in forward quantities (for ∂C/∂·, the closed form)."""
        key = ("total", a, b)
        if key not in self._totals:
            if a == self.graph.cost and b != a and b in self.graph.influences_cost and (
                    b in self.d.gradient or b in self.d.delta):
                out = self.d.closed_form(b)
            elif a == b:
                out = self.sp.S.One
            else:
                out = self.sp.Add(*[self.sp.Mul(*self.d.path_factors(p))
                                    for p in self.paths_between(a, b)])
            self._totals[key] = out
        return self._totals[key]

    def truth(self, target: Target) -> "sympy.Expr":
        """The true symbolic value of a claim's left side."""
        if target.kind == "deriv":
            return self.total(target.name, target.den)
        if target.kind == "after":
            p = target.name
            if p in self.network.parameters and p not in self.network.freeze:
                return self.symbols[p] - self.eta * self.total(self.graph.cost, p)
            return self.symbols[p]
        if self.graph.is_node(target.name):
            return self.graph.node(target.name).expr
        return self.symbols[self.names.resolve(target.name)]

    def claim_expr(self, tree) -> "sympy.Expr":
        """A claim tree in SymPy; derivative atoms become their true closed forms."""

        def leaf(n):
            if isinstance(n, Deriv):
                return self.total(self.names.resolve(n.num), self.names.resolve(n.den))
            return self.symbols[self.names.resolve(n.id)]
        try:
            return ex.to_sympy(tree, leaf, claim_function)
        except ex.ExprError as err:  # its column is the side's, not the claim's
            raise ClaimError(re.sub(r" at column \d+$", "", err.message)) from None

    # ---- in the claim's notation
    def spell(self, name: str, claim: Claim) -> str:
        """``name`` in the claim's notation: its LaTeX spelling, or the alias it used."""
        if claim.latex:
            return self.names.spelling(name, True)
        if claim.indexed and name not in claim.spelled:
            spelling = self.names.spelling(name, True)  # as the claim spells names: w^{2}_{12}
            return name if "\\" in spelling else spelling
        if name in claim.spelled or not claim.spelled:
            return claim.spelled.get(name, name)
        return self.names.alias_of.get(name, name)  # the claim uses the author's spellings

    def show(self, expr: "sympy.Expr", claim: Claim) -> str:
        """An expression in the claim's notation."""
        if claim.latex:
            names = {s: self.names.spelling(n, True) for n, s in self.symbols.items()}
            return self.sp.latex(expr, symbol_names=names)
        renamed = {s: self.sp.Symbol(self.spell(n, claim), real=True) for n, s in self.symbols.items()
                   if self.spell(n, claim) != n}
        return self.sp.sstr(expr.xreplace(renamed))

    @staticmethod
    def math(text: str, claim: Claim) -> str:
        """A LaTeX fragment inside a sentence, between dollars (plain claims: as it is)."""
        return f"${text}$" if claim.latex else text

    def show_deriv(self, a: str, b: str, claim: Claim) -> str:
        """∂a/∂b as the claim writes derivatives."""
        if claim.latex:
            return rf"\frac{{\partial {self.spell(a, claim)}}}{{\partial {self.spell(b, claim)}}}"
        return f"{claim.prefix}{self.spell(a, claim)}/{claim.prefix}{self.spell(b, claim)}"
