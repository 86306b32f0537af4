"""Network → LayerDerivation: the backpropagation rules of every layer, and the general ones.

For a layered network, each layer after the input gets its rules derived from the layer
template (:mod:`derive.layer.rules`) at its own number, size, activation and bias mode, in
index form and in matrix/vector form; the *general* rules are the same derivation with a
symbolic layer l (output L) and symbolic sizes n^l, once per activation, loss and bias mode
the network uses. Optimizer updates (:mod:`derive.layer.updates`) are in the same notation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import sympy

from derive.errors import ChainruleError
from derive.layer import rules as R
from derive.layer.matrix import MatrixFormError, Shapes, matrix_form, matrix_symbol
from derive.layer.template import N, Template, L, l, size_symbol
from derive.layer.updates import Update, update_rules


@dataclass(frozen=True)
class LayerRules:
    """The derived rules of one layer after the input layer."""

    #: the author's number of the layer (the notation's superscript of z and a)
    number: int
    #: 1 for the first layer after the input layer, … L for the output layer
    position: int
    activation: str
    bias: str
    #: δ of the layer: δ^L_j (the output layer) or δ^l_k
    delta: R.Rule
    weight: R.Rule
    bias_gradient: R.Rule | None
    batch_weight: R.Rule
    batch_bias: R.Rule | None
    #: ∂C/∂a^L_j, the output layer only
    output_gradient: R.Rule | None = None
    #: ∂C/∂a^l_k = Σ_j w^{l+1}_{jk} δ^{l+1}_j, the layers below another only
    activation_gradient: R.Rule | None = None
    #: δ at each row n of a batch (the rows of Δ^l; its matrix form is batch-major)
    batch_delta: R.Rule | None = None

    @property
    def is_output(self) -> bool:
        return self.output_gradient is not None

    @property
    def rules(self) -> list[R.Rule]:
        """Every rule of the layer, δ first."""
        found = [self.output_gradient, self.activation_gradient, self.delta, self.batch_delta,
                 self.weight, self.bias_gradient, self.batch_weight, self.batch_bias]
        return [r for r in found if r is not None]


@dataclass
class LayerDerivation:
    """The layer-level derivation of a layered network."""

    network: object  # the derive.Network it was derived from
    #: the template at the network's own sizes (what :func:`derive.layer.expand` reads)
    template: Template
    #: per layer after the input layer, output last
    layers: list[LayerRules]
    #: the general rules (symbolic l, L, n^l): one per activation, loss and bias mode used
    general: list[R.Rule]
    #: optimizer name → its update rules for a weight and a bias, in order
    updates: dict[str, list[Update]]
    #: the template for the general rules (sizes n^l)
    general_template: Template

    def layer(self, number: int) -> LayerRules:
        """The rules of the layer the notation numbers ``number``."""
        for rules in self.layers:
            if rules.number == number:
                return rules
        raise KeyError(number)

    @property
    def output(self) -> LayerRules:
        return self.layers[-1]


def derive_layers(network) -> LayerDerivation:
    """Derive the backpropagation rules of every layer of a layered ``network``.

    Args:
        network: a :class:`derive.Network` built from a layered spec
            (``[layers]`` in TOML, or ``Network.layered``).

    Returns:
        The :class:`LayerDerivation`: per layer δ, ∂C/∂w, ∂C/∂b and their batch means in
        index and matrix form, the general rules, and each optimizer's update.

    Raises:
        ChainruleError: for a free-form network (equations, no layers).
    """
    layers = getattr(network, "layers", None)
    if layers is None:
        raise ChainruleError(f"{network.name!r} is a free-form network: the layer level needs "
                             "a layered one", hint="give [layers] sizes and activations, or "
                             "use the scalar derivation, derive(network)")
    first = layers.notation.first_layer
    template = Template(layers.notation, lambda layer: sympy.Integer(
        layers.sizes[int(layer) - first]))
    general = Template(layers.notation, size_symbol)
    count = len(layers.sizes) - 1
    derived = []
    for position in range(count, 0, -1):
        number = first + position
        above_bias = layers.biases[position] if position < count else None
        derived.append(layer_rules(template, number, position, layers.activations[position - 1],
                                   layers.biases[position - 1], layers.loss, above_bias))
    return LayerDerivation(network, template, derived[::-1],
                           general_rules(general, layers), update_rules(general), general)


def layer_rules(template: Template, number, position: int, activation: str, bias: str,
                loss: str, above_bias: str | None) -> LayerRules:
    """The rules of one layer; ``above_bias`` is the next layer's bias mode (None: output)."""
    shapes = layer_shapes(template, number, bias, above_bias)
    if above_bias is None:
        grad_a, delta = R.output_rules(template, number, activation, loss)
    else:
        grad_a, delta = R.hidden_rules(template, number, activation, above_bias)
    parameter = R.parameter_rules(template, number, bias)
    parameters = parameter_bases(template, number, bias)
    batch = [with_matrix_form(R.batch_rule(template, r, parameters), shapes) for r in parameter]
    parameter = [with_matrix_form(r, shapes) for r in parameter]
    grad_a = with_matrix_form(grad_a, shapes)
    return LayerRules(
        number, position, activation, bias, with_matrix_form(delta, shapes), parameter[0],
        bias_gradient=parameter[1] if len(parameter) > 1 else None, batch_weight=batch[0],
        batch_bias=batch[1] if len(batch) > 1 else None,
        output_gradient=grad_a if above_bias is None else None,
        activation_gradient=None if above_bias is None else grad_a,
        batch_delta=with_matrix_form(R.batch_delta(delta, parameters), shapes))


def general_rules(template: Template, layers) -> list[R.Rule]:
    """The rules with a symbolic layer: the output's, and one per hidden activation and bias
    mode the network has."""
    out = []
    out_shapes = layer_shapes(template, L, layers.biases[-1], None)
    out += [with_matrix_form(r, out_shapes)
            for r in R.output_rules(template, L, layers.activations[-1], layers.loss)]
    hidden = list(zip(layers.activations[:-1], layers.biases[1:]))
    for activation, above in dict.fromkeys(hidden):
        shapes = layer_shapes(template, l, "per-neuron", above)
        rules = R.hidden_rules(template, l, activation, above)
        out += [with_matrix_form(r, shapes)
                for r in (*rules, R.batch_delta(rules[1], parameter_bases(template, l, above)))]
    for number, bias in enumerate(dict.fromkeys(layers.biases)):
        shapes = layer_shapes(template, l, bias, None)
        parameter = R.parameter_rules(template, l, bias)
        if number:  # the weights' rules are the same for every bias mode: once
            parameter = [r for r in parameter if r.name != "grad_weight"]
        parameters = parameter_bases(template, l, bias)
        batch = [R.batch_rule(template, r, parameters) for r in parameter]
        out += [with_matrix_form(r, shapes) for r in parameter + batch]
    return out


def parameter_bases(template: Template, layer, bias: str) -> set:
    """The IndexedBases of a layer's parameters (the entries a batch row does not index)."""
    found = {template.weights(layer), template.weights(layer + 1)}
    b = template.bias(layer, bias, 1)
    if isinstance(b, sympy.Indexed):
        found.add(b.base)
    return found


def layer_shapes(template: Template, layer, bias: str, above_bias: str | None) -> Shapes:
    """The matrix of every quantity the rules of ``layer`` use, single rows and batches."""
    size = template.size
    matrices = {}
    for number in (layer - 1, layer):
        for base in (template.a(number), template.z(number), template.delta(number)):
            matrices[base] = matrix_symbol(base, (size(number),))
    matrices[template.y()] = matrix_symbol(template.y(), (size(layer),))
    if above_bias is not None:
        matrices[template.delta(layer + 1)] = matrix_symbol(template.delta(layer + 1),
                                                            (size(layer + 1),))
        matrices[template.weights(layer + 1)] = weight_matrix(template, layer + 1)
    matrices[template.weights(layer)] = weight_matrix(template, layer)
    b = template.bias(layer, bias, 1)
    if isinstance(b, sympy.Indexed):
        matrices[b.base] = matrix_symbol(b.base, (size(layer),))
    batch = {}
    for base, matrix in matrices.items():
        if base not in parameter_bases(template, layer, bias) and matrix.shape[1] == 1:
            batch[base] = matrix_symbol(base, (N, matrix.shape[0]), batch=True)
    return Shapes(matrices, batch)


def weight_matrix(template: Template, layer) -> sympy.MatrixSymbol:
    """W of the weights into ``layer``, its rows as the notation's first weight index."""
    to, frm = template.size(layer), template.size(layer - 1)
    shape = (to, frm) if template.notation.weight_index == "jk" else (frm, to)
    return matrix_symbol(template.weights(layer), shape)


def with_matrix_form(rule: R.Rule, shapes: Shapes) -> R.Rule:
    """``rule`` with its matrix/vector form (None where the index form has none here)."""
    try:
        return replace(rule, matrix=matrix_form(rule.index, rule.free, shapes))
    except MatrixFormError:  # a rule without a matrix form keeps its index form
        return rule
