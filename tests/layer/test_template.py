"""The layer template means what the scalar level's unrolled equations mean: at a network's
sizes, its z, a and C are the scalar graph's node equations (the same cost at both levels)."""

from __future__ import annotations

import pytest
import sympy

from derive.errors import ChainruleError
from derive.layer.expand import scalar_names
from derive.layer.template import Template, j, k, size_symbol
from tests.layer.corpus import CASES, levels, network


@pytest.mark.parametrize("case", sorted(CASES))
def test_template_equations_are_the_scalar_equations(case):
    net, scalar, layered = levels(case)
    graph = scalar.graph
    template, names, layers = layered.template, scalar_names(layered), net.layers
    first = layers.notation.first_layer
    for position in range(1, len(layers.sizes)):
        number, at = first + position, position - 1
        for neuron in range(1, layers.sizes[position] + 1):
            z = template.preactivation(number, layers.biases[at], to=neuron, over=k)
            a = template.activation(number, layers.activations[at], to=neuron, over=j)
            for expr, name in ((z, layers.preactivation_names[at]),
                               (a, layers.activation_names[at])):
                node = graph.node(name[neuron - 1]).expr
                assert sympy.expand(expr.doit().xreplace(names) - node) == 0, name
    cost = template.loss(first + len(layers.sizes) - 1, layers.loss).doit().xreplace(names)
    assert sympy.expand(cost - graph.node(net.cost).expr) == 0


def test_notations_name_the_template():
    """Nielsen's w^l_{jk} feeds layer l; seed 000's weights into layer l are w^{l−1}; with
    weight_index = "kj" the weight from k to j is w_{kj}."""
    l = sympy.Symbol("l", integer=True)
    nielsen = Template(network("act-sigmoid").layers.notation, size_symbol)
    seed000 = Template(network("depth1-shared").layers.notation, size_symbol)
    kj = Template(network("depth1-none").layers.notation, size_symbol)
    assert str(nielsen.weight(l, j, k)) == "w^{l}[j, k]"
    assert str(seed000.weight(l, j, k)) == "w^{l - 1}[j, k]"
    assert str(seed000.z(l)[j]) == "Z^{l}[j]"
    assert str(seed000.bias(l, "shared", j)) == "b^{l - 1}"
    assert str(kj.weight(l, j, k)) == "w^{l}[k, j]"
    assert nielsen.bias(l, "none", j) is None


def test_unknown_activation_and_loss_are_clear_errors():
    template = Template(network("act-sigmoid").layers.notation, size_symbol)
    with pytest.raises(ChainruleError, match="unknown activation 'swish'"):
        template.activation(2, "swish")
    with pytest.raises(ChainruleError, match="unknown loss 'hinge'"):
        template.loss(2, "hinge")
