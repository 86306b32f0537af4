r"""Check textbook claims (formulas, chains of partials, numbers, update rules) against a Derivation.

A claim is read by a safe parser (plain math, or LaTeX when it holds a backslash) into the
trees of :mod:`derive.spec.expr` plus :class:`Deriv` leaves for ``dE/dw5``; nothing is evaluated
as Python. Each claim gets a :class:`Verdict`: holds, wrong, rounding (a number that agrees
with the truth to fewer digits than it states) or cannot read, with the truth beside it and,
when wrong, why.

Pipeline: text → :func:`read_claim` (author spellings mapped by aliases, LaTeX turned into
the plain syntax, split at ``=``, left side read, each right side parsed) → :class:`Checker`
(formula: numeric equivalence at seeded points, then symbolic with the network's relations;
chain: the paths its products cover; number: digits-aware comparison in dependency order,
with inheritance from earlier wrong numbers and single-value "typo" explanations) →
renderers (text, Markdown, JSON, and a write-up section).

What a claim may say, e.g. for seed 004's network::

    dE/dw5 = (O1 - y1)*O1*(1 - O1)*H1              formula (also ∂E/∂w5, d_E/d_w5, δ_o1*H1)
    dE/dw1 = dE/dH1 * dH1/dh1 * dh1/dw1            chain of partials (sums of products)
    o1 = 0.794609,  dE/dw5 = 0.0851,  w1+ = 0.2499 numbers (w1', new w1, E after)
    w5+ = w5 - eta*dE/dw5                          update rule (η, lr, learning_rate, alpha)
    \frac{\partial C}{\partial w^2_{11}} = (a^3_1 - y)\, a^2_1     LaTeX, in the spec's spellings
"""

from __future__ import annotations

import difflib
import math
import random
import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Mapping, Sequence

from derive.spec import expr as ex
from derive.errors import ClaimError, SpecError

if TYPE_CHECKING:  # heavy imports happen in Checker
    import sympy
    from derive.scalar.chain import Derivation
    from derive.spec.model import Network

from derive.claims.reader import (ETA, Claim, Deriv, Names, Target, agreement, chain_terms,
                                 claim_function, fmt_number, load_claims, read_claim,
                                 stated_digits, tree_derivs, tree_names, tree_numbers)
from derive.claims.report import (HOLDS, ROUNDING, SEVERITY, UNREADABLE, WRONG, Verdict,
                                 render, section, summary)

__all__ = ["check", "load_claims", "claims_section", "render", "summary", "read_claim",
           "Checker", "Verdict", "Names", "HOLDS", "WRONG", "ROUNDING", "UNREADABLE",
           "agreement", "stated_digits"]


# =========================================================================== the checker

#: random points tried per point wanted, before a check makes do with fewer
_POINT_TRIES = 20
#: Largest expansion a symbolic comparison tries (terms); beyond it the numeric one decides.
MAX_EXPANDED_TERMS = 20_000
#: Largest expansion factored for a "the truth is the claim times ..." hint (terms): factoring
#: (a*b + c*d + e)**12 (91 terms) takes half a minute.
MAX_FACTORED_TERMS = 50
#: Most claims checked in one run (each is read, built and compared at several points).
MAX_CLAIMS = 1_000
#: Most chain-rule paths between two quantities a check lists (a claim's chain, or the true
#: derivative of one node by another): their number doubles with each layer of a deep net.
MAX_PATHS = 10_000


@dataclass
class _Part:
    """The verdict of one right side of a claim."""

    kind: str
    verdict: str
    expected: str
    detail: str
    digits: int | None = None
    claimed: float | None = None


class Checker:
    """Checks claims against one network's derivation; numbers in dependency order."""

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

    # ---- one claim
    def check(self, text: str, line: int | None = None) -> Verdict:
        """Check one claim on its own (numbers without inheritance)."""
        return self.check_all([text], [line])[0]

    def check_all(self, texts: Sequence[str],
                  lines: Sequence[int | None] | None = None) -> list[Verdict]:
        """Check claims; number claims in dependency order, each seeing the earlier claimed values."""
        if len(texts) > MAX_CLAIMS:
            raise ClaimError(f"{len(texts):,} claims, more than the {MAX_CLAIMS:,} checked in "
                             f"one run", hint="split them into several runs or files")
        lines = list(lines or [None] * len(texts))
        if len(lines) != len(texts):
            raise ClaimError(f"{len(texts)} claims but {len(lines)} line numbers",
                             hint="give one line number (or None) per claim")
        read: list[Claim | Verdict] = []
        for text, line in zip(texts, lines):
            try:
                read.append(read_claim(text, self.names))
            except ClaimError as err:
                read.append(Verdict(text, "unknown", UNREADABLE, "", str(err), line=line))
        order = sorted(range(len(texts)), key=lambda i: self._rank(read[i]))
        verdicts: dict[int, Verdict] = {}
        self._claimed: list[tuple[tuple, float, str, str]] = []  # (quantity, value, text, verdict)
        for i in order:
            item = read[i]
            verdicts[i] = item if isinstance(item, Verdict) else self._judge(item, lines[i])
        return [verdicts[i] for i in range(len(texts))]

    def _rank(self, item) -> tuple:
        """Dependency order: node values in evaluation order, then derivatives, updates, after."""
        if isinstance(item, Verdict):
            return (0, 0)
        t = item.target
        order = {n.name: i for i, n in enumerate(self.graph.nodes)}
        if t.kind == "value":
            return (1, order.get(self.names.resolve(t.name) or "", -1))
        if t.kind == "deriv":
            return (2, -order.get(self.names.resolve(t.name) or "", 0))
        return (3, order.get(self.names.resolve(t.name) or "", -1))

    def _judge(self, claim: Claim, line: int | None) -> Verdict:
        parts = []
        try:
            for tree in claim.sides:
                parts.append(self._judge_side(claim, tree))
        except ClaimError as err:
            return Verdict(claim.text, "unknown", UNREADABLE, "", str(err), line=line)
        worst = max(parts, key=lambda p: SEVERITY[p.verdict])
        kinds = [p.kind for p in parts]
        kind = "chain" if "chain" in kinds else kinds[-1]
        numbers = [p for p in parts if p.claimed is not None]
        shown = [p for p in parts if p.claimed is None] + numbers[-1:]
        expected = "; ".join(dict.fromkeys(p.expected for p in shown if p.expected))
        if len(parts) == 1:
            detail = parts[0].detail
        else:
            detail = " ".join(f"[{k + 1}: {p.kind} {p.verdict}] {p.detail}".rstrip()
                              for k, p in enumerate(parts))
            if parts[0].kind == "chain":
                detail += " " + _chain_summary(parts)
        if numbers:
            self._claimed.append((self._quantity(claim.target), numbers[-1].claimed,
                                  claim.text, numbers[-1].verdict))
        return Verdict(claim.text, kind, worst.verdict, expected, detail.strip(),
                       digits=worst.digits, line=line)

    def _judge_side(self, claim: Claim, tree) -> _Part:
        terms = chain_terms(tree)
        if terms is not None:
            return self._judge_chain(claim, terms)
        if not tree_names(tree):
            return self._judge_number(claim, tree)
        if claim.target.kind == "after" or (
                claim.target.kind == "value" and claim.target.name in self.network.parameters
                and tree_derivs(tree)):
            return self._judge_formula(claim, tree, kind="rule")
        return self._judge_formula(claim, tree, kind="formula")

    # ---- formulas
    def _judge_formula(self, claim: Claim, tree, kind: str) -> _Part:
        target = claim.target
        if kind == "rule" and target.kind == "value":
            target = Target("after", target.name, None, target.pos)
        truth = self.truth(target)
        written = self.claim_expr(tree)
        if self.eta not in written.free_symbols:
            truth = truth.xreplace({self.eta: self.sp.Float(self.network.learning_rate)})
        expected = self.show(truth, claim)
        if target.kind == "deriv":
            expected = f"{self.show_deriv(target.name, target.den, claim)} = {expected}"
        elif target.kind == "after":
            expected = f"{self.spell(target.name, claim)}+ = {expected}"
        found, tested = self._first_difference(written, truth, self.points)
        proven = found is None and self._expands_to_zero(written - truth)
        if found is None and not proven:  # look much harder (e.g. ReLU steps) before simplifying
            found, more = self._first_difference(written, truth, self.extra_points)
            tested += more
            proven = found is None and self._symbolically_equal(written, truth)
        if found is not None:
            point, a, b = found
            where = ", ".join(self.math(f"{self.spell(n, claim)}={fmt_number(point[n], 4)}", claim)
                              for n in self._leaves_of(written, truth) if n in point)
            substituted = self._at_worked_example(kind, tree, written, truth, expected)
            if substituted:
                return substituted
            note = self._why_formula(written, truth, claim)
            if target.kind == "deriv":
                note += self._which_derivative(written, target, claim)
            if kind == "rule":
                note += self._rate_used(written, target)
            return _Part(kind, WRONG, expected,
                         f"differs at {where}: the claim gives {fmt_number(a, 6)}, the truth "
                         f"{fmt_number(b, 6)}.{note}")
        if not proven and tested < 2:
            raise ClaimError("the claim could not be evaluated at enough points to decide it")
        how = "equal symbolically and" if proven else "symbolic simplification inconclusive; equal"
        return _Part(kind, HOLDS, expected, f"{how} at {tested} points.")

    def _first_difference(self, written, truth, points) -> tuple:
        """((point, claim value, true value) where they first differ, or None; points tried)."""
        tested = 0
        for point in points:
            a, b = self.value(written, point), self.value(truth, point)
            if math.isnan(a) and math.isnan(b):
                continue  # outside both expressions' domain
            tested += 1
            if not _close(a, b):
                return (point, a, b), tested
        return None, tested

    @cached_property
    def extra_points(self) -> list[dict[str, float]]:
        """Many more seeded random points, for formulas SymPy cannot simplify to the truth."""
        return self._points(40, self.seed + 1, worked_example=False)

    def _which_derivative(self, written, target: Target, claim: Claim) -> str:
        """If a wrong derivative formula is the derivative with respect to another quantity
        (the post's ``dA = A - y`` is ∂L/∂Z), say which."""
        top = self.names.resolve(target.name)
        candidates = [n for n in [*(node.name for node in reversed(self.graph.nodes)),
                                  *self.network.parameters, *self.network.inputs]
                      if n not in (top, target.den)]
        if len(candidates) > 60:
            return ""
        for other in candidates:
            if not self.depends(top, other):
                continue
            truth = self.total(top, other)
            if all(_close(self.value(written, p), self.value(truth, p)) for p in self.points):
                return (f" It is {self.math(self.show_deriv(top, other, claim), claim)}: the "
                        f"derivative with respect to {self.math(self.spell(other, claim), claim)}, "
                        f"not {self.math(self.spell(target.den, claim), claim)}.")
        return ""

    def _at_worked_example(self, kind: str, tree, written, truth, expected: str) -> _Part | None:
        """A formula with decimals in it (``h1 = 0.25*x1 + 0.15*x2 + 0.45``) is the worked
        example with values put in: it holds if it agrees there within the rounding of its
        decimals (each moved by half a unit of its last digit)."""
        decimals = [x for x in tree_numbers(tree) if "." in x.text]
        if not decimals or not self.has_values:
            return None
        spec = self.points[0]
        a, b = self.value(written, spec), self.value(truth, spec)
        if math.isnan(a) or math.isnan(b):
            return None
        tolerance = 1e-12 * max(1.0, abs(b))
        for literal in decimals:
            half = 0.5 * 10.0 ** stated_digits(literal.text)[1]
            moved = _replace_number(tree, literal, repr(float(literal.text) + half))
            tolerance += abs(self.value(self.claim_expr(moved), spec) - a)
        if abs(a - b) > tolerance:
            return None
        return _Part(kind, HOLDS, expected,
                     f"not an identity, but its decimals are the worked example's values; "
                     f"there it gives {fmt_number(a, 8)}, the truth {fmt_number(b, 8)}, within the rounding "
                     f"of its decimals.")

    def _rate_used(self, written, target: Target) -> str:
        """For an update rule, the learning rate it uses if it is a gradient step at all."""
        grad = self.total(self.graph.cost, target.name)
        rates = []
        for point in self.points[:3]:
            g = self.value(grad, point)
            if g == 0 or math.isnan(g):
                return ""
            rates.append((point[target.name] - self.value(written, point)) / g)
        if all(_close(r, rates[0], 1e-7) for r in rates):
            return (f" It is a gradient step with learning rate {fmt_number(rates[0], 6)}; the spec's "
                    f"is {fmt_number(self.network.learning_rate, 6)}.")
        return ""

    def _leaves_of(self, *exprs) -> list[str]:
        names = {s.name for e in exprs for s in e.free_symbols}
        needed = set()
        for n in names:
            if self.graph.is_node(n):
                needed |= {s.name for s in self.graph.expanded(n).free_symbols}
            else:
                needed.add(n)
        order = [*self.network.inputs, *self.network.targets, *self.network.parameters, ETA]
        return [n for n in order if n in needed]

    def _why_formula(self, written, truth, claim: Claim) -> str:
        """A hint when claim and truth differ by a simple factor (a sign, a missing term)."""
        sp = self.sp
        ratios = [self.value(truth, p) / w for p in self.points
                  if (w := self.value(written, p)) and not math.isnan(w)]
        if len(ratios) >= 2 and all(_close(r, ratios[0], 1e-9) for r in ratios) \
                and not _close(ratios[0], 1.0):
            if _close(ratios[0], -1.0):
                return " The sign is wrong."
            return f" The truth is the claim times {fmt_number(ratios[0], 6)}."
        if (sp.count_ops(truth) + sp.count_ops(written) > 80
                or _expanded_terms(truth) + _expanded_terms(written) > MAX_FACTORED_TERMS):
            return ""  # factoring big expressions costs more than the hint is worth
        try:
            ratio = sp.factor(sp.cancel(truth / written)) if written != 0 else None
        except Exception:  # noqa: BLE001 - a hint only
            return ""
        if ratio is None or ratio == 1 or ratio.atoms(sp.Function) or sp.count_ops(ratio) > 8:
            return ""
        return f" The truth is the claim times {self.math(self.show(ratio, claim), claim)}."

    def _expand_leaves(self, expr):
        table = {self.graph.symbols[n.name]: self.graph.expanded(n.name) for n in self.graph.nodes
                 if self.graph.symbols[n.name] in expr.free_symbols}
        return expr.xreplace(table)

    def _expands_to_zero(self, expr) -> bool:
        """Whether ``expr`` expands to 0; False without trying when the expansion would have
        more than :data:`MAX_EXPANDED_TERMS` terms (a claim's (a+b+c+d+e+f)**64 has 11
        million: the numeric comparison decides then)."""
        if _expanded_terms(expr) > MAX_EXPANDED_TERMS:
            return False
        return self.sp.expand(expr) == 0

    def _symbolically_equal(self, a, b) -> bool:
        """Zero difference, first in the quantities as written, then with every node
        replaced by its equation (the network's relations, e.g. O1 = σ(o1))."""
        sp = self.sp
        if self._expands_to_zero(a - b):
            return True
        diff = self._expand_leaves(a) - self._expand_leaves(b)
        if self._expands_to_zero(diff):
            return True
        if sp.count_ops(diff) > 400:
            return False
        try:
            from derive.functions import sigmoid
            rewritten = diff.replace(lambda e: isinstance(e, sigmoid),
                                     lambda e: 1 / (1 + sp.exp(-e.args[0])))
            return sp.simplify(rewritten) == 0
        except Exception:  # noqa: BLE001 - inconclusive, the numeric check decides
            return False

    # ---- chains
    def _judge_chain(self, claim: Claim, terms: list[list[Deriv]]) -> _Part:
        t = claim.target
        latex = claim.latex
        top, bottom = self.names.resolve(t.name), self.names.resolve(t.den or "")
        if t.kind != "deriv":
            raise ClaimError("a chain of partials must follow a derivative, e.g. dE/dw5 = dE/dO1 * ...")
        problems: list[str] = []
        covered: dict[tuple, int] = {}
        for factors in terms:
            paths = self._term_paths(claim, factors, top, bottom, problems)
            for p in paths:
                covered[p] = covered.get(p, 0) + 1
        true_paths = self.paths_between(top, bottom)
        arrow = (" \\to " if latex else " → ").join
        show = lambda p: self.math(arrow(self.spell(n, claim) for n in p), claim)  # noqa: E731
        for p in true_paths:
            if covered.get(p, 0) == 0:
                problems.append(f"misses the path {show(p)}")
            elif covered[p] > 1:
                problems.append(f"counts the path {show(p)} {covered[p]} times")
        expected = " + ".join(
            (" \\cdot " if latex else " * ").join(self.show_deriv(a, b, claim) for a, b in zip(p, p[1:]))
            for p in true_paths) or "0"
        if problems:
            return _Part("chain", WRONG, expected, "; ".join(dict.fromkeys(problems)) + ".")
        sums = [f"{self.math(self.show_deriv(a, b, claim), claim)} sums "
                f"{len(self.paths_between(a, b))} paths"
                for factors in terms for a, b in ((self.names.resolve(f.num), self.names.resolve(f.den))
                                                  for f in factors)
                if len(self.paths_between(a, b)) > 1]
        note = f" ({'; '.join(dict.fromkeys(sums))})" if sums else ""
        return _Part("chain", HOLDS, expected, "every factor is a dependency of the graph and "
                                               f"every path is counted once{note}.")

    def _term_paths(self, claim, factors, top, bottom, problems) -> list[tuple]:
        latex = claim.latex
        show = lambda n: self.math(claim.display.get(n, n), claim) if latex else n  # noqa: E731
        ok = True
        for f in factors:
            for n in (f.num, f.den):
                if not self.names.resolve(n):
                    close = self.names.closest(n)
                    close = [self.math(self.names.spelling(c, latex), claim)
                             for c in close if c in self.names.known]
                    problems.append(f"{self._show_written(claim, f)} goes through {show(n)}, "
                                    f"which is not a node of the network"
                                    + (f" (closest: {', '.join(close)})" if close else ""))
                    ok = False
        if not ok:
            return []
        names = [(self.names.resolve(f.num), self.names.resolve(f.den)) for f in factors]
        for a, b in names:
            if a != b and not self.depends(a, b):
                problems.append(f"{self.math(self.show_deriv(a, b, claim), claim)} is zero: "
                                f"{self.math(self.spell(a, claim), claim)} does not depend on "
                                f"{self.math(self.spell(b, claim), claim)}")
                ok = False
        for written, wanted, end in ((names[0][0], top, "starts"), (names[-1][1], bottom, "ends")):
            if written != wanted:
                problems.append(f"the product {end} at {self.math(self.spell(written, claim), claim)}, "
                                f"not at {self.math(self.spell(wanted, claim), claim)}")
                ok = False
        for (a, b), (c, d) in zip(names, names[1:]):
            if b != c:
                first = self.math(self.show_deriv(a, b, claim), claim)
                second = self.math(self.show_deriv(c, d, claim), claim)
                problems.append(f"the chain breaks between {first} and {second}")
                ok = False
        if not ok:
            return []
        paths = [(names[0][0],)]
        for a, b in names:
            paths = [p + seg[1:] for p in paths for seg in self.paths_between(a, b)]
        return paths

    def _show_written(self, claim, f: Deriv) -> str:
        if claim.latex:
            n, d = claim.display.get(f.num, f.num), claim.display.get(f.den, f.den)
            return rf"$\frac{{\partial {n}}}{{\partial {d}}}$"
        return f"{claim.prefix}{f.num}/{claim.prefix}{f.den}"

    # ---- numbers
    def _quantity(self, target: Target) -> tuple:
        r = self.names.resolve
        if target.kind == "deriv":
            return ("deriv", r(target.name), r(target.den))
        return (target.kind, r(target.name))

    def quantity_value(self, quantity: tuple, overrides: Mapping[tuple, float] | None = None) -> float:
        """The value of a quantity with earlier claimed values substituted (NaN off its domain)."""
        try:
            return self.number_of(quantity, self.numbers(overrides, after=quantity[0] == "after"))
        except (ValueError, ZeroDivisionError, OverflowError):
            return math.nan

    def numbers(self, overrides: Mapping[tuple, float] | None = None, after: bool = True) -> dict:
        """Every quantity a number claim can name, with earlier claimed values substituted."""
        from derive.scalar.values import evaluate
        overrides = dict(overrides or {})
        net = self.network
        leaves = {**net.inputs, **net.targets, **net.parameters}
        for (kind, *names), v in overrides.items():
            if kind == "value" and names[0] in leaves:
                leaves[names[0]] = v
        env = {self.graph.symbols[n]: v for n, v in leaves.items()}
        for node in self.graph.nodes:
            key = ("value", node.name)
            env[node.symbol] = overrides[key] if key in overrides else evaluate(node.expr, env)
        values = {s.name: v for s, v in env.items()}
        eta = overrides.get(("value", ETA), net.learning_rate)
        out = {("value", n): v for n, v in values.items()}
        out[("value", ETA)] = eta

        def grad(p):
            key = ("deriv", self.graph.cost, p)
            if key in overrides:
                return overrides[key]
            return evaluate(self.total(self.graph.cost, p), env)
        out["_env"] = env
        out["_grad"] = grad
        if not after:
            return out
        updated = {}
        for p in net.parameters:
            key = ("after", p)
            if key in overrides:
                updated[p] = overrides[key]
            elif p in net.freeze:
                updated[p] = leaves[p]
            else:
                updated[p] = leaves[p] - eta * grad(p)
        out.update({("after", p): v for p, v in updated.items()})
        after = {**leaves, **updated}
        env2 = {self.graph.symbols[n]: v for n, v in after.items()}
        for node in self.graph.nodes:
            env2[node.symbol] = evaluate(node.expr, env2)
            out[("after", node.name)] = env2[node.symbol]
        return out

    def number_of(self, quantity: tuple, table: dict) -> float:
        if quantity[0] == "deriv":
            _, a, b = quantity
            if a == self.graph.cost and b in self.network.parameters:
                return table["_grad"](b)
            from derive.scalar.values import evaluate
            try:
                return evaluate(self.total(a, b), table["_env"])
            except (ValueError, ZeroDivisionError, OverflowError):
                return math.nan
        return table[quantity]

    def _judge_number(self, claim: Claim, tree) -> _Part:
        literals = tree_numbers(tree)
        if not self.has_values:
            raise ClaimError("the spec gives no values for "
                             + ", ".join(self.network.missing_values()[:3])
                             + " so numbers cannot be checked")
        from derive.scalar.values import evaluate
        try:  # in float64 directly: SymPy's is_real of nested constants takes exponential time
            claimed = evaluate(self.claim_expr(tree), {})
        except (ValueError, ZeroDivisionError, OverflowError) as err:
            raise ClaimError(f"the right side is not a finite real number ({err})") from None
        if all(re.fullmatch(r"\d+", x.text) for x in literals):  # integers state exact values
            n = 15
            last = (math.floor(math.log10(abs(claimed))) if claimed else -12) - n + 1
        elif isinstance(tree, ex.Num) or (isinstance(tree, ex.Unary) and isinstance(tree.operand, ex.Num)):
            n, last = stated_digits(literals[0].text)
        else:  # arithmetic: as precise as its most precise literal
            n = max(stated_digits(x.text)[0] for x in literals)
            lead = math.floor(math.log10(abs(claimed))) if claimed else 0
            last = lead - n + 1
        quantity = self._quantity(claim.target)
        true = self.quantity_value(quantity)
        expected = fmt_number(true, min(max(n + 2, 7), 12))
        exact, k = agreement(claimed, true, last, n)
        if exact:
            return _Part("number", HOLDS, expected, f"agrees to the {n} digits stated.",
                         claimed=claimed)
        trunc = _truncates(claimed, true, last)
        if k >= max(2, n - 2):
            why = " (truncated rather than rounded)" if trunc else ""
            detail = f"agrees to {k} of the {n} significant digits stated{why}."
            detail += self._inherited(quantity, claimed, last, n)
            return _Part("number", ROUNDING, expected, detail, digits=k, claimed=claimed)
        agree = (f"the claim agrees to {k} significant digit{'s' if k != 1 else ''}" if k
                 else "the claim differs already in its first digit")
        detail = f"the true value is {expected}; {agree}."
        inherited = self._inherited(quantity, claimed, last, n)
        if inherited:
            detail += inherited
        else:
            detail += " This is the first wrong value (not inherited from an earlier claim)."
            detail += self._typo(quantity, claimed, last, n, k)
        return _Part("number", WRONG, expected, detail, digits=k, claimed=claimed)

    def _inherited(self, quantity, claimed, last, n) -> str:
        """Whether the earlier claimed values explain this one, and which wrong ones do."""
        earlier = [c for c in self._claimed if c[0] != quantity]
        if not earlier:
            return ""
        overrides = {q: v for q, v, _, _ in earlier}
        again = self.quantity_value(quantity, overrides)
        if not agreement(claimed, again, last, n)[0]:
            return ""
        for q, _, _, _ in earlier:  # drop what is not needed to reproduce the claimed number
            trial = {k: v for k, v in overrides.items() if k != q}
            if agreement(claimed, self.quantity_value(quantity, trial), last, n)[0]:
                overrides = trial
        culprits = [f"{text.strip()} ({verdict})" for q, _, text, verdict in earlier
                    if q in overrides and verdict != HOLDS]
        if not culprits:
            return ""
        return (f" It follows from the earlier claim{'s' if len(culprits) > 1 else ''} "
                + "; ".join(culprits) + f" (recomputed from {'them' if len(culprits) > 1 else 'it'}:"
                f" {fmt_number(again, n + 1)}).")

    def _typo(self, quantity, claimed, last, n, k_true: int) -> str:
        """Name a single leaf value that makes the claim (nearly) right, if a plausible one exists.

        A candidate must be a slip (another leaf's value, a sign flip, one keystroke away from
        the spec's value) and bring the number at least two digits closer than the truth.
        """
        if n < 3:
            return ""  # a number stated to one or two digits fits too many slips to name one
        best = None
        leaves = {**self.network.inputs, **self.network.targets, **self.network.parameters,
                  ETA: self.network.learning_rate}
        for leaf, current in leaves.items():
            f = lambda v: self.quantity_value(quantity, {("value", leaf): v}) - claimed  # noqa: E731
            root = _solve(f, current)
            if root is None:
                continue
            for candidate, rank in _plausible(root, current, leaves):
                value = f(candidate) + claimed
                if math.isnan(value):
                    continue
                exact, k = agreement(claimed, value, last, n)
                if exact or (k >= min(n, 3) and k >= k_true + 2):
                    score = (not exact, rank, -k, len(repr(candidate)))
                    if best is None or score < best[0]:
                        best = (score, leaf, candidate, value, exact, k)
                    break
        if best is None:
            return ""
        _, leaf, candidate, value, exact, k = best
        same = sorted((n_ for n_, v in leaves.items() if n_ != leaf and v == candidate),
                      key=lambda n_: -difflib.SequenceMatcher(None, leaf, n_).ratio())
        note = f" (the value of {', '.join(same)})" if same else ""
        name = "the learning rate" if leaf == ETA else leaf
        if exact:
            return f" It holds if {name} = {fmt_number(candidate)}{note}."
        return (f" It nearly holds if {name} = {fmt_number(candidate)}{note}: that gives "
                f"{fmt_number(value, n + 1)}, agreeing to {k} digits.")


def _expanded_terms(expr) -> float:
    """An upper bound of the number of terms ``expand(expr)`` gives, without expanding."""
    from math import comb
    sizes: dict = {}
    for e in _postorder(expr):
        args = [sizes[a] for a in e.args]
        if e.is_Add:
            sizes[e] = sum(args)
        elif e.is_Mul:
            sizes[e] = math.prod(args)
        elif e.is_Pow and e.exp.is_Integer and e.exp > 0 and args[0] > 1:
            n, k = int(e.exp), args[0]
            sizes[e] = comb(n + k - 1, k - 1) if n < 10_000 and k < 10_000 else math.inf
        else:
            sizes[e] = 1
    return sizes[expr]


def _postorder(expr) -> list:
    """The distinct subexpressions of a SymPy expression, each after its arguments."""
    out, seen, todo = [], set(), [(expr, False)]
    while todo:
        e, ready = todo.pop()
        if ready:
            out.append(e)
        elif e not in seen:
            seen.add(e)
            todo.append((e, True))
            todo += [(a, False) for a in e.args]
    return out


def _replace_number(node, literal: ex.Num, text: str):
    """A copy of a claim tree with one number literal written differently."""
    from dataclasses import replace
    if node is literal:
        return ex.Num(text, literal.pos)
    if isinstance(node, ex.Unary):
        return replace(node, operand=_replace_number(node.operand, literal, text))
    if isinstance(node, ex.Binary):
        return replace(node, left=_replace_number(node.left, literal, text),
                       right=_replace_number(node.right, literal, text))
    if isinstance(node, ex.Call):
        return replace(node, args=tuple(_replace_number(a, literal, text) for a in node.args))
    return node


def _chain_summary(parts: list[_Part]) -> str:
    chain, rest = parts[0], parts[1:]
    closed_ok = all(p.verdict == HOLDS for p in rest)
    if chain.verdict != HOLDS and closed_ok:
        return "The chain is wrong, but the result written after it is right."
    if chain.verdict == HOLDS and not closed_ok:
        return "The chain is right, but the result written after it is wrong."
    return ""


def _close(a: float, b: float, rel: float = 1e-9) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def _truncates(claimed: float, true: float, last: int) -> bool:
    step = 10.0 ** last
    return abs(math.trunc(true / step) * step - claimed) < step * 1e-6


def _solve(f, start: float) -> float | None:
    """A root of ``f`` near ``start`` by the secant method (None if it does not converge)."""
    x0, x1 = start, start + (abs(start) * 1e-3 or 1e-3)
    try:
        f0, f1 = f(x0), f(x1)
        for _ in range(60):
            if f1 == f0 or math.isnan(f1):
                return None
            x0, x1, f0 = x1, x1 - f1 * (x1 - x0) / (f1 - f0), f1
            f1 = f(x1)
            if abs(f1) < 1e-13 or abs(x1 - x0) < 1e-15:
                return x1 if abs(f1) < 1e-9 else None
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    return None


def _plausible(root: float, current: float, leaves: Mapping[str, float]) -> list[float]:
    """Values a slip could produce near ``root``: another leaf's value, a sign flip, or the
    current value with one digit changed, dropped, added or two swapped."""
    scale = 0.1 * max(abs(root), 1e-9)
    others = {v for v in leaves.values() if v is not None and v != current}
    edits = {v for v in _digit_edits(current) | {-current} if v != current}
    edits = {v for v in edits if abs(v - current) <= 0.5 * max(abs(current), 0.1)}
    near = [(v, 0 if v in others else 1) for v in others | edits if abs(v - root) <= scale]
    return sorted(near, key=lambda c: (c[1], abs(c[0] - root)))[:6]


def _digit_edits(value: float) -> set[float]:
    """Numbers one keystroke away from ``value`` as usually written (0.5 → 0.45, 0.05, 0.55 …)."""
    text = repr(value) if abs(value) >= 1e-4 else f"{value:.6f}"
    if "e" in text:
        return set()
    out = set()
    digits = "0123456789"
    for i, ch in enumerate(text):
        if ch.isdigit():
            out |= {text[:i] + d + text[i + 1:] for d in digits}
            out.add(text[:i] + text[i + 1:])
            if i + 1 < len(text) and text[i + 1].isdigit():
                out.add(text[:i] + text[i + 1] + ch + text[i + 2:])
        out |= {text[:i + 1] + d + text[i + 1:] for d in digits}
    values = set()
    for t in out:
        try:
            values.add(float(t))
        except ValueError:
            pass
    return values


# =========================================================================== public API

def check(network: "Network", claims: Sequence[str], aliases: Mapping[str, str] | None = None,
          lines: Sequence[int | None] | None = None) -> list[Verdict]:
    """Check claims against the network's derived truth.

    Args:
        network: the network the claims are about (names as in its spec, or LaTeX spellings).
        claims: claim texts, e.g. ``"dE/dw5 = (O1 - y1)*O1*(1 - O1)*H1"``, ``"o1 = 0.794609"``.
        aliases: author spellings → network names, e.g. ``{"out(h1)": "H1"}``.
        lines: the file line of each claim, for reports.

    Returns:
        One :class:`Verdict` per claim, in the given order. Number claims are judged in
        dependency order so a wrong number can be traced to an earlier wrong claim.
    """
    if isinstance(claims, str):  # one claim, not a list of its characters
        claims = [claims]
    return Checker(network, aliases).check_all(list(claims), lines)


def claims_section(network: "Network", claims: Sequence[str], format: str = "markdown",
                   aliases: Mapping[str, str] | None = None) -> str:
    """A "Checked claims" section for a write-up: the claims checked, then rendered.

    Args:
        network: the network the write-up derives.
        claims: claim texts.
        format: ``"markdown"`` or ``"latex"``.
        aliases: author spellings → network names.
    """
    return section(check(network, claims, aliases), format)
