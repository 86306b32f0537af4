"""derive.spec.notation: the presets name the symbols as their authors do."""

from __future__ import annotations

from derive import Network


def test_seed000_notation_names_symbols_as_the_post_does():
    net = Network.from_toml("examples/seed000_vitalflux.toml")
    latex = net.latex
    assert latex["w1_21"] == "w^{1}_{21}" and latex["a2_3"] == "a^{2}_{3}"
    assert latex["Z3_1"] == "Z^{3}_{1}" and latex["b1"] == "b_{1}" and latex["b2"] == "b_{2}"
    assert net.equations["Z2_2"].text == "w1_21*x1 + w1_22*x2 + b1"
    assert net.parameters["w1_21"] == -0.3


def test_nielsen_preset_and_index_order():
    net = Network.layered([2, 3, 1], "sigmoid", notation="nielsen", inputs=[1, 2], targets=[1])
    assert net.equations["z2_3"].text == "w2_31*x1 + w2_32*x2 + b2_3"
    from derive.spec.notation import Notation
    kj = Network.layered([2, 3, 1], "sigmoid", notation=Notation(weight_index="kj"))
    assert kj.equations["z2_3"].text == "w2_13*x1 + w2_23*x2 + b2_3"
