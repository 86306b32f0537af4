"""The layer level: backpropagation's general rules, derived from one layer template.

The same flow as the scalar level, one level up (DESIGN.md, "Two levels, one flow")::

    from derive import Network
    from derive.layer import derive_layers, expand
    net = Network.layered([2, 3, 2], "sigmoid", loss="bce")
    d = derive_layers(net)          # per layer: δ, ∂C/∂w, ∂C/∂b, batch means (index + matrix)
    d.output.delta.index            # a^{3}[j] - y[j]
    expand(d).gradient["w3_12"]     # the scalar level's ∂C/∂w3_12, from the layer rules

Modules: ``template`` (the layer's equations in indexed symbols), ``adjoint`` (reverse
accumulation over them), ``rules`` (the rules derived), ``matrix`` (index form → matrix
form), ``updates`` (the optimizers), ``derivation`` (the public entry), ``expand`` (back to
scalar expressions at the network's sizes).
"""

from derive.layer.derivation import LayerDerivation, LayerRules, derive_layers
from derive.layer.expand import Expanded, expand
from derive.layer.rules import Rule
from derive.layer.updates import OPTIMIZERS, Update

__all__ = ["Expanded", "LayerDerivation", "LayerRules", "OPTIMIZERS", "Rule", "Update",
           "derive_layers", "expand"]
