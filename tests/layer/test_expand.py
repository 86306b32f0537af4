"""The two levels agree: the layer rules, expanded at a network's sizes, are its scalar
derivation (DESIGN.md, "The two levels must agree exactly")."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sympy

from derive import compute, derive
from derive.layer import derive_layers, expand
from derive.layer.expand import entries, scalar_names
from derive.layer.template import N, j, k
from tests.layer import corpus
from tests.layer.corpus import CASES, network


def same(scalar: sympy.Expr, layer: sympy.Expr, activations: dict) -> bool:
    """Equal as expressions in the forward quantities, or after writing every activation as
    its equation in z (a = σ(z), softmax's e^z / Σ e^z)."""
    difference = scalar - layer
    if sympy.expand(difference) == 0:
        return True
    difference = difference.xreplace(activations)
    return sympy.expand(difference) == 0 or sympy.simplify(difference) == 0


def activation_equations(derivation) -> dict:
    graph = derivation.graph
    return {graph.symbols[a]: graph.node(a).expr
            for layer in graph.network.layers.activation_names for a in layer}


@pytest.fixture(params=sorted(CASES))
def levels(request):
    return corpus.levels(request.param)


def test_gradients_equal_the_scalar_closed_forms(levels):
    """∂C/∂w and ∂C/∂b from the layer rules (every δ closed) are the scalar level's closed
    forms, symbolically."""
    net, scalar, layered = levels
    expanded = expand(layered)
    assert set(expanded.gradient) == set(net.parameters)
    activations = activation_equations(scalar)
    wrong = [p for p in net.parameters
             if not same(scalar.closed_form(p), expanded.gradient[p], activations)]
    assert not wrong


def test_delta_forms_equal_the_scalar_ones(levels):
    """In δ form: ∂C/∂θ is the scalar level's δ_z · ∂z/∂θ term for term, and each layer's
    δ^l, given δ^{l+1}, is the scalar δ_z with the δ of its activation node substituted."""
    net, scalar, layered = levels
    expanded = expand(layered, closed=False)
    for p in net.parameters:
        assert sympy.expand(scalar.gradient[p] - expanded.gradient[p]) == 0, p
    symbols = scalar.delta_symbols
    activation_deltas = {symbols[a]: scalar.delta[a]
                         for layer in net.layers.activation_names for a in layer}
    activations = activation_equations(scalar)
    for z, layer_delta in expanded.delta.items():
        if z in net.layers.preactivation_names[-1]:
            continue  # the output δ is closed at both levels: the test above holds it
        scalar_delta = scalar.delta[z].xreplace(activation_deltas)
        assert same(scalar_delta, layer_delta.xreplace(
            {symbols[a]: scalar.delta_symbols[a] for a in symbols}), activations), z


def test_numbers_agree_at_random_values(levels):
    """The expanded rules' values at the network's (random) values are the scalar level's
    gradients."""
    net, scalar, layered = levels
    values = compute(scalar)
    env = {sympy.Symbol(name, real=True): sympy.Float(v) for name, v in values.values.items()}
    for p, expr in expand(layered).gradient.items():
        assert float(expr.xreplace(env)) == pytest.approx(values.gradients[p], rel=1e-9,
                                                          abs=1e-12), p


def test_a_wrong_rule_is_caught():
    """The proof can fail: the recurrence with W instead of Wᵀ, or without f′, differs."""
    net = network("depth2-per-neuron")
    scalar, layered = derive(net), derive_layers(net)
    activations = activation_equations(scalar)
    hidden = layered.layers[0]
    w_above = layered.template.weights(hidden.number + 1)
    transposed = hidden.delta.index.replace(
        lambda e: isinstance(e, sympy.Indexed) and e.base == w_above,
        lambda e: w_above[e.indices[::-1]])
    no_prime = hidden.delta.index.replace(lambda e: isinstance(e, sympy.Heaviside),
                                          lambda e: sympy.S.One)
    for index in (transposed, no_prime):
        broken = replace(hidden, delta=replace(hidden.delta, index=index))
        wrong = replace(layered, layers=[broken, *layered.layers[1:]])
        gradient = expand(wrong).gradient
        first = net.layers.weight_names[0][0][0]
        assert not same(scalar.closed_form(first), gradient[first], activations)
    assert {j, k} >= set(hidden.delta.free)


def test_softmax_textbook_delta_needs_targets_summing_to_one():
    """softmax + categorical CE: the textbook a − y is the derived δ^L when Σ y = 1."""
    net = network("cce-softmax")
    scalar, layered = derive(net), derive_layers(net)
    textbook = expand(layered, textbook=True)
    values = compute(scalar)
    for z, expr in textbook.delta.items():
        if z in net.layers.preactivation_names[-1]:
            env = {sympy.Symbol(n, real=True): v for n, v in values.values.items()}
            assert float(expr.xreplace(env)) == pytest.approx(values.deltas[z])


@pytest.mark.parametrize("case", ["act-tanh", "depth2-shared", "cce-softmax"])
def test_the_batch_mean_is_the_mean_of_the_rows_gradients(case):
    """∂C̄/∂θ = (1/N) Σ_n a_{nk} δ_{nj}, at N = 2 rows with the scalar level's values of each
    row, is the mean of the two rows' scalar gradients."""
    net, scalar, layered = corpus.levels(case)
    other = network(case, seed=1)
    rows = [compute(scalar), compute(derive(net.with_values(inputs=other.inputs,
                                                            targets=other.targets)))]
    names = scalar_names(layered)
    template = layered.template

    def value(entry):  # base[n, j…] (every entry of a batch rule) at row n: a value, or a δ
        row, rest = rows[int(entry.indices[0]) - 1], entry.indices[1:]
        for rules in layered.layers:
            if entry.base == template.delta(rules.number):
                return row.deltas[str(names[template.z(rules.number)[rest]])]
        return row.values[str(names[entry.base[rest]])]

    for rules in layered.layers:
        for rule in (rules.batch_weight, rules.batch_bias):
            if rule is None:
                continue
            for values in entries(rule, rules, layered):
                fixed = rule.index.xreplace({N: 2, **dict(zip(rule.free, values))}).doit()
                got = float(fixed.replace(lambda e: isinstance(e, sympy.Indexed),
                                          lambda e: sympy.Float(value(e))))
                name = str(names[rule.lhs.variables[0].xreplace(dict(zip(rule.free, values)))])
                mean = (rows[0].gradients[name] + rows[1].gradients[name]) / 2
                assert got == pytest.approx(mean, rel=1e-9, abs=1e-12), (rule.name, values)
