"""The matrix/vector forms say what the index forms say, entry by entry, at concrete sizes."""

from __future__ import annotations

import pytest
import sympy

from derive.layer.derivation import layer_shapes
from derive.layer.matrix import MatrixFormError, Shapes, matrix_form, matrix_symbol
from derive.layer.template import N, i, j, k
from sympy.matrices.expressions.matexpr import MatrixElement
from tests.layer.corpus import levels

#: rows of a batch the batch rules are checked at
ROWS = 2


def entry_table(shapes, weights: set) -> dict:
    """MatrixSymbol → (IndexedBase, has two indices?) of the rules' quantities."""
    table = {matrix: (base, base in weights) for base, matrix in shapes.matrices.items()}
    table.update({matrix.xreplace({N: ROWS}): (base, True)
                  for base, matrix in shapes.batch.items()})
    return table


def as_index(expr: sympy.Expr, table: dict) -> sympy.Expr:
    """Matrix elements M[r, c] as the template's entries (1-based: a vector's base[r + 1])."""
    def entry(element):
        base, two = table[element.parent]
        r, c = element.i + 1, element.j + 1
        return base[r, c] if two else base[r]
    return expr.replace(lambda e: isinstance(e, MatrixElement) and e.parent in table,
                        entry)


@pytest.mark.parametrize("case", ["act-sigmoid", "act-softmax", "mse-relu", "bce-sigmoid",
                                  "cce-softmax", "depth2-shared", "depth3-none", "mixed-bias"])
def test_matrix_forms_are_the_index_forms(case):
    derivation = levels(case)[2]
    layers = derivation.network.layers
    for position, rules in enumerate(derivation.layers, start=1):
        above = layers.biases[position] if position < len(layers.biases) else None
        template = derivation.template
        weights = {template.weights(rules.number), template.weights(rules.number + 1)}
        table = entry_table(layer_shapes(template, rules.number, rules.bias, above), weights)
        for rule in rules.rules:
            assert rule.matrix is not None, (case, rule.name)
            explicit = rule.matrix.xreplace({N: ROWS}).as_explicit()
            for r in range(explicit.rows):
                for c in range(explicit.cols):
                    values = dict(zip(rule.free, (r + 1, c + 1)[:len(rule.free)]))
                    index = rule.index.xreplace({N: ROWS, **values}).doit()
                    got = as_index(explicit[r, c], table).doit()
                    assert sympy.expand(got - index) == 0, (case, rule.name, r, c)


def test_the_textbook_shapes():
    """δ^l = (W^{l+1})ᵀ δ^{l+1} ⊙ f′(z^l), ∂C/∂W^l = δ^l (a^{l−1})ᵀ, the batch (1/N) Δᵀ A."""
    derivation = levels("act-sigmoid")[2]
    hidden, output = derivation.layers
    w3, d3 = (derivation.template.weights(3), derivation.template.delta(3))
    W3 = matrix_symbol(w3, (2, 3))
    delta3 = matrix_symbol(d3, (2,))
    assert W3.T * delta3 in hidden.delta.matrix.args
    assert isinstance(hidden.delta.matrix, sympy.HadamardProduct)
    a2 = matrix_symbol(derivation.template.a(2), (3,))
    assert output.weight.matrix == delta3 * a2.T
    batch = output.batch_weight.matrix
    assert batch == matrix_symbol(d3, (N, 2), batch=True).T * matrix_symbol(
        derivation.template.a(2), (N, 3), batch=True) / N


def test_a_sum_over_three_factors_has_no_matrix_form():
    """Σ_i w_{ji} v_i u_{ik} is no product of two pieces here: a clear MatrixFormError."""
    w, v, u = sympy.IndexedBase("w"), sympy.IndexedBase("v"), sympy.IndexedBase("u")
    shapes = Shapes({w: matrix_symbol(w, (3, 3)), v: matrix_symbol(v, (3,)),
                     u: matrix_symbol(u, (3, 3))}, {})
    with pytest.raises(MatrixFormError, match="3 factors share"):
        matrix_form(sympy.Sum(w[j, i] * v[i] * u[i, k], (i, 1, 3)), (j, k), shapes)
