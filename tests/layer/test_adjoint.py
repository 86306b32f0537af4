"""Reverse accumulation over the template: KroneckerDeltas summed out, adjoints from diff."""

from __future__ import annotations

import sympy

from derive.layer.adjoint import Equation, adjoint, collapse, delta_terms, sum_over
from derive.layer.template import i, j, k, m

x, w, d = sympy.IndexedBase("x"), sympy.IndexedBase("w"), sympy.IndexedBase("d")
n = sympy.Symbol("n", integer=True, positive=True)


def test_a_delta_picks_its_entry():
    assert sum_over(sympy.KroneckerDelta(i, k) * x[i] ** 2, i, 1, n) == x[k] ** 2


def test_terms_without_the_index_are_counted_and_others_stay_sums():
    assert sum_over(3 * x[k], i, 1, n) == 3 * n * x[k]
    assert sum_over(x[i] * x[k], i, 1, n) == x[k] * sympy.Sum(x[i], (i, 1, n))


def test_only_sums_holding_a_delta_are_multiplied_out():
    terms = delta_terms(x[i] * (1 - x[i]) * (sympy.KroneckerDelta(i, k) - x[k]))
    assert len(terms) == 2
    assert x[i] * (1 - x[i]) * sympy.KroneckerDelta(i, k) in terms


def test_collapse_of_a_differentiated_sum():
    z = sympy.Sum(w[j, m] * x[m], (m, 1, n))
    assert collapse(sympy.diff(z, x[k])) == w[j, k]
    assert collapse(sympy.diff(z, w[i, k])) == sympy.KroneckerDelta(i, j) * x[k]


def test_adjoint_sums_over_the_equations_entries():
    """δ of x_k through z_j = Σ_m w_{jm} x_m, with δ_z = d: Σ_j d_j w_{jk}."""
    z = sympy.IndexedBase("z")
    equation = Equation(z, j, n, sympy.Sum(w[j, m] * x[m], (m, 1, n)), "z_j = Σ w x")
    value, used = adjoint(x[k], [equation], {z: d}, i)
    assert value == sympy.Sum(d[i] * w[i, k], (i, 1, n))
    assert used == ["z_j = Σ w x"]
