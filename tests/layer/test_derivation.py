"""derive_layers: one LayerRules per layer, the general rules, a free-form network refused."""

from __future__ import annotations

import pytest

from derive import Network
from derive.errors import ChainruleError
from derive.layer import derive_layers
from tests.layer.corpus import levels


def test_a_free_form_network_is_refused():
    net = Network.from_equations(equations={"y_hat": "w*x", "E": "(y - y_hat)**2"},
                                 inputs={"x": 1.0}, parameters={"w": 0.5},
                                 targets={"y": 1.0}, cost="E")
    with pytest.raises(ChainruleError, match="free-form network: the layer level needs a "
                                             "layered one"):
        derive_layers(net)


def test_one_layer_rules_per_layer_output_last():
    net, _, derivation = levels("mixed-bias")
    assert [r.position for r in derivation.layers] == [1, 2, 3]
    assert [r.number for r in derivation.layers] == [2, 3, 4]
    assert [r.bias for r in derivation.layers] == ["none", "shared", "per-neuron"]
    assert derivation.output.is_output and not derivation.layers[0].is_output
    assert derivation.layers[0].bias_gradient is None and derivation.layers[0].batch_bias is None
    assert derivation.layer(3).activation == "relu"
    with pytest.raises(KeyError):
        derivation.layer(7)


def test_every_rule_has_its_reason_and_both_forms():
    for case in ("act-softmax", "depth3-shared", "cce-softmax"):
        for rules in levels(case)[2].layers:
            for rule in rules.rules:
                assert rule.reason and "∂" in rule.reason, rule
                assert rule.matrix is not None, rule


def test_general_rules_cover_what_the_network_uses():
    _, _, derivation = levels("depth3-per-neuron")
    cases = {(r.name, r.case) for r in derivation.general}
    assert ("delta_output", "softmax + categorical_cross_entropy") in cases
    assert {("delta_hidden", a) for a in ("sigmoid", "leaky_relu", "tanh")} <= cases
    assert ("grad_bias", "per-neuron") in cases and ("batch_weight", "") in cases
