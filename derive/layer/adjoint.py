"""Reverse accumulation over the layer template: δ of a quantity from the equations using it.

The same rule as the scalar level (derive/scalar/chain.py), one level up: the adjoint of an
entry q[k] is Σ over the equations e that use q, Σ over e's entries i, of δ_e[i] · ∂e_i/∂q[k],
where each local partial is ``sympy.diff`` of one template equation. Differentiating a sum over
an index by one entry gives KroneckerDelta factors; :func:`collapse` sums them out (Σ_i δ_{ik}
g(i) = g(k)), which is what turns the template's sums into the textbook rules. No rule is
typed here: every one comes out of diff and collapse.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy


@dataclass(frozen=True)
class Equation:
    """One template equation ``lhs[index] = rhs`` for index = 1 … size (the cost: no index)."""

    lhs: sympy.IndexedBase | sympy.Symbol
    index: sympy.Symbol | None
    size: sympy.Expr | None
    rhs: sympy.Expr
    #: what the equation is, for the reasons of the rules derived from it
    says: str

    def at(self, entry: sympy.Symbol) -> sympy.Expr:
        """The right side for entry ``entry`` of the left side."""
        return self.rhs if self.index is None else self.rhs.xreplace({self.index: entry})

    def entry(self, at: sympy.Symbol) -> sympy.Expr:
        """The left side's entry ``at`` (the cost itself when it has no index)."""
        return self.lhs if self.index is None else self.lhs[at]

    def uses(self, base) -> bool:
        """Whether the right side contains ``base`` (an IndexedBase or a symbol)."""
        if isinstance(base, sympy.IndexedBase):
            return any(x.base == base for x in self.rhs.atoms(sympy.Indexed))
        return self.rhs.has(base)


def delta_terms(expr: sympy.Expr) -> list[sympy.Expr]:
    """The terms of ``expr`` with only the sums that hold a KroneckerDelta multiplied out
    (a(1 − a)·δ_{ik} stays a product; (a_i δ_{ij} − a_i a_j)·g is two terms)."""
    out = []
    for term in sympy.Add.make_args(expr):
        factors = list(sympy.Mul.make_args(term))
        spread = next((f for f in factors if f.is_Add and f.has(sympy.KroneckerDelta)), None)
        if spread is None:
            out.append(term)
            continue
        factors.remove(spread)
        rest = sympy.Mul(*factors)
        for part in sympy.Add.make_args(spread):
            out.extend(delta_terms(rest * part))
    return out


def sum_over(summand: sympy.Expr, index: sympy.Symbol, low, high) -> sympy.Expr:
    """Σ_{index=low}^{high} summand, with every KroneckerDelta in ``index`` summed out.

    Each term of the summand (:func:`delta_terms`) is split into the factors that hold ``index`` and the
    rest; a term with δ_{index,x} becomes the rest at index = x (x is a free index, always
    in range), a term without one stays a sum (or is multiplied by the count, when nothing in
    it depends on the index).
    """
    out = []
    for term in delta_terms(summand):
        inside, outside = [], []
        for factor in sympy.Mul.make_args(term):
            (inside if factor.has(index) else outside).append(factor)
        delta = next((f for f in inside if isinstance(f, sympy.KroneckerDelta)), None)
        rest = sympy.Mul(*[f for f in inside if f is not delta])
        if delta is not None:
            other = delta.args[0] if delta.args[1] == index else delta.args[1]
            out.append(sympy.Mul(*outside) * rest.xreplace({index: other}))
        elif not inside:
            out.append(sympy.Mul(*outside) * (high - low + 1))
        else:
            out.append(sympy.Mul(*outside) * sympy.Sum(rest, (index, low, high)))
    return sympy.Add(*out)


def collapse(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with every Sum's KroneckerDeltas summed out (innermost sums first)."""
    return expr.replace(lambda e: isinstance(e, sympy.Sum) and len(e.limits) == 1,
                        lambda e: sum_over(e.function, *e.limits[0]))


def partial(equation: Equation, entry: sympy.Symbol, wrt: sympy.Expr) -> sympy.Expr:
    """∂lhs[entry]/∂wrt: sympy.diff of the equation's right side, its deltas summed out."""
    return collapse(sympy.diff(equation.at(entry), wrt))


def at(delta, entry: sympy.Symbol) -> sympy.Expr:
    """Entry ``entry`` of a δ: an IndexedBase's element, or a Lambda's value there."""
    return delta(entry) if isinstance(delta, sympy.Lambda) else delta[entry]


def adjoint(wrt: sympy.Expr, equations: list[Equation], deltas: dict,
            running: sympy.Symbol, forward=lambda e: e) -> tuple[sympy.Expr, list[str]]:
    """δ of ``wrt`` (an entry of a quantity): Σ over the equations using it of Σ_running δ · ∂.

    Args:
        wrt: the entry whose adjoint is wanted, e.g. ``z^l[k]`` or ``w^l[j, k]``.
        equations: the template equations that may use it.
        deltas: left side of an equation → its δ (an IndexedBase, or 1 for the cost).
        running: the index the sum over an equation's entries runs over (not free in wrt).
        forward: rewrites a local partial in forward quantities (σ(z) as a, …).

    Returns:
        The adjoint with its deltas summed out, and the equations it used, in order.
    """
    base = wrt.base if isinstance(wrt, sympy.Indexed) else wrt
    terms, used = [], []
    for equation in equations:
        if not equation.uses(base):
            continue
        used.append(equation.says)
        local = forward(partial(equation, running, wrt))
        delta = deltas[equation.lhs]
        if equation.index is None:
            terms.append(delta * local)
        else:
            terms.append(sum_over(at(delta, running) * local, running, 1, equation.size))
    return sympy.Add(*terms), used
