"""The general rules (symbolic l, L, n^l) are the textbook's four equations, derived."""

from __future__ import annotations

import pytest
import sympy

from derive import Network
from derive.functions import function
from derive.spec.notation import Notation
from derive.layer import derive_layers
from derive.layer.template import L, N, i, j, k, l, n, size_symbol
from derive.vocabulary import ACTIVATIONS

ELEMENTWISE = [a for a in ACTIVATIONS if a != "softmax"]


def general(sizes, activations, **options):
    """name → rule of the general rules of a network (the first of each name)."""
    derivation = derive_layers(Network.layered(sizes, activations, **options))
    out = {}
    for rule in derivation.general:
        out.setdefault((rule.name, rule.case), rule)
    return derivation.general_template, out


def f_of(template, layer, activation):
    """a^l_x → f(z^l_x), to compare a forward-form rule with sympy.diff of f."""
    a, z = template.a(layer), template.z(layer)
    if activation == "identity":
        return lambda e: e.replace(lambda x: isinstance(x, sympy.Indexed) and x.base == a,
                                   lambda x: z[x.indices])
    f = function(activation)
    return lambda e: e.replace(lambda x: isinstance(x, sympy.Indexed) and x.base == a,
                               lambda x: f(z[x.indices]))


def prime(template, layer, activation, at):
    """f′(z^l_at) by sympy.diff, independently of the derivation."""
    z = template.z(layer)[at]
    return sympy.S.One if activation == "identity" else sympy.diff(function(activation)(z), z)


def test_sigmoid_with_binary_cross_entropy_is_a_minus_y():
    t, rules = general([2, 3, 1], "sigmoid", loss="bce")
    delta = rules["delta_output", "sigmoid + binary_cross_entropy"]
    assert delta.index == t.a(L)[j] - t.y()[j]
    assert "C = binary_cross_entropy" in delta.reason and "sigma" in delta.reason


def test_softmax_with_categorical_cross_entropy_is_a_minus_y_for_one_hot_targets():
    t, rules = general([2, 3, 3], ["sigmoid", "softmax"], loss="cce")
    delta = rules["delta_output", "softmax + categorical_cross_entropy"]
    total = sympy.Sum(t.y()[i], (i, 1, size_symbol(L)))
    assert sympy.expand(delta.index - (t.a(L)[j] * total - t.y()[j])) == 0
    assert delta.textbook == t.a(L)[j] - t.y()[j]
    assert "one-hot" in delta.textbook_when and "softmax couples" in delta.reason


@pytest.mark.parametrize("activation", ELEMENTWISE)
def test_squared_error_is_a_minus_y_times_f_prime(activation):
    """BP1: δ^L = ∇_a C ⊙ f′(z^L), with ∇_a C = a − y."""
    t, rules = general([2, 2, 2], activation)
    delta = rules["delta_output", f"{activation} + squared_error"]
    grad = rules["grad_output", "squared_error"]
    assert grad.index == t.a(L)[j] - t.y()[j]
    wanted = (t.a(L)[j] - t.y()[j]) * prime(t, L, activation, j)
    as_z = f_of(t, L, activation)
    assert sympy.simplify(as_z(delta.index) - as_z(wanted)) == 0


@pytest.mark.parametrize("activation", ELEMENTWISE)
def test_the_recurrence_in_index_and_matrix_form(activation):
    """BP2: δ^l_k = Σ_j w^{l+1}_{jk} δ^{l+1}_j f′(z^l_k) = ((W^{l+1})ᵀ δ^{l+1} ⊙ f′(z^l))_k."""
    t, rules = general([2, 2, 2], activation)
    rule = rules["delta_hidden", activation]
    total = sympy.Sum(t.weight(l + 1, j, k) * t.delta(l + 1)[j], (j, 1, size_symbol(l + 1)))
    as_z = f_of(t, l, activation)
    assert sympy.simplify(as_z(rule.index) - total * prime(t, l, activation, k)) == 0
    assert rule.free == (k,)
    W = sympy.MatrixSymbol("w^{l + 1}", size_symbol(l + 1), size_symbol(l))
    d = sympy.MatrixSymbol("delta^{l + 1}", size_symbol(l + 1), 1)
    product = W.T * d
    assert rule.matrix == product or product in rule.matrix.args or any(
        product in a.args for a in rule.matrix.args)


@pytest.mark.parametrize("bias,wanted", [
    ("per-neuron", lambda t: t.delta(l)[j]),
    ("shared", lambda t: sympy.Sum(t.delta(l)[i], (i, 1, size_symbol(l))))])
def test_weight_and_bias_gradients(bias, wanted):
    """BP3, BP4: ∂C/∂b^l_j = δ^l_j (a shared b^l: Σ_j δ^l_j), ∂C/∂w^l_{jk} = a^{l−1}_k δ^l_j."""
    t, rules = general([2, 2, 2], "tanh", bias=bias)
    assert rules["grad_weight", ""].index == t.a(l - 1)[k] * t.delta(l)[j]
    assert rules["grad_bias", bias].index == wanted(t)


def test_no_bias_has_no_bias_rule():
    _, rules = general([2, 2, 2], "tanh", bias="none")
    assert not [name for (name, _) in rules if name == "grad_bias"]


def test_the_batch_mean_is_one_over_n_of_the_rows():
    """seed 002: ∂ℓ/∂w = (1/N) Σ_n over the rows."""
    t, rules = general([2, 2, 2], "sigmoid")
    batch = rules["batch_weight", ""]
    wanted = sympy.Sum(t.a(l - 1)[n, k] * t.delta(l)[n, j], (n, 1, N)) / N
    assert batch.index == wanted
    assert "1/N" in batch.reason


def test_reasons_speak_the_specs_letters():
    """Seed 002's notation (activations y, the input layer 0) and seed 000's (Z): the
    reasons name the partials in those letters, never in the default a and z."""
    _, rules = general([3, 4, 2], ["sigmoid", "sigmoid"],
                       notation=Notation(activation="y", target="t", cost="E"))
    reasons = " ".join(rule.reason for rule in rules.values())
    assert "∂E/∂y^{L}_i · ∂y^{L}_i/∂z^{L}_j" in reasons
    assert "∂z^{l + 1}_j/∂y^{l}_k" in reasons
    assert "∂a" not in reasons and "∂C" not in reasons
    _, rules = general([3, 4, 2], ["tanh", "tanh"], notation="seed000")
    reasons = " ".join(rule.reason for rule in rules.values())
    assert "∂Z^{L}_j" in reasons and "∂z" not in reasons
