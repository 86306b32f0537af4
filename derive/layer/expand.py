"""LayerDerivation → scalar expressions: the layer rules at the network's own sizes.

Each rule's free indices are set to every entry of its layer, its sums (over the network's
concrete sizes) written out, and every entry renamed to the scalar level's symbol of the same
quantity (``w^{2}[1, 2]`` → ``w2_12``, from ``network.layers``): the result is what the scalar
derivation (``derive(network)``) says of the same network, which the tests prove.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy

from derive.layer.derivation import LayerDerivation, LayerRules
from derive.layer.rules import Rule


@dataclass
class Expanded:
    """The layer rules at a network's sizes, in the scalar level's names."""

    #: preactivation node name → its δ (= ∂C/∂z)
    delta: dict[str, sympy.Expr]
    #: parameter name → ∂C/∂parameter
    gradient: dict[str, sympy.Expr]


def scalar(name: str) -> sympy.Symbol:
    """The scalar level's symbol of a name (real, as derive/scalar/graph.py makes them)."""
    return sympy.Symbol(name, real=True)


def delta_name(name: str) -> sympy.Symbol:
    """The scalar level's δ symbol of a node (delta_NAME)."""
    return sympy.Symbol(f"delta_{name}", real=True)


def scalar_names(derivation: LayerDerivation) -> dict:
    """Every template entry of the network (z, a, w, b, x, y) → its scalar symbol."""
    network, template = derivation.network, derivation.template
    layers = network.layers
    first = layers.notation.first_layer
    names = {template.a(first)[k]: scalar(x) for k, x in enumerate(network.inputs, start=1)}
    names.update({template.y()[j]: scalar(y) for j, y in enumerate(network.targets, start=1)})
    for position in range(1, len(layers.sizes)):
        number, at = first + position, position - 1
        for j in range(1, layers.sizes[position] + 1):
            names[template.z(number)[j]] = scalar(layers.preactivation_names[at][j - 1])
            names[template.a(number)[j]] = scalar(layers.activation_names[at][j - 1])
            bias = template.bias(number, layers.biases[at], j)
            if bias is not None:
                names[bias] = scalar(layers.bias_names[at][j - 1])
            for k in range(1, layers.sizes[position - 1] + 1):
                names[template.weight(number, j, k)] = scalar(layers.weight_names[at][j - 1][k - 1])
    return names


def entries(rule: Rule, rules: LayerRules, derivation: LayerDerivation):
    """Every assignment of the rule's free indices in its layer: (j,), (j, k) or ()."""
    sizes = derivation.network.layers.sizes
    ranges = {1: range(1, sizes[rules.position] + 1),   # j: neurons of the layer
              2: range(1, sizes[rules.position - 1] + 1)}  # k: neurons of the layer below
    if rule.name.startswith("delta"):
        return [(value,) for value in ranges[1]]
    return list(itertools.product(*[ranges[place] for place in range(1, len(rule.free) + 1)]))


def at_entry(rule: Rule, values: tuple, names: dict, deltas: dict,
             textbook: bool = False) -> tuple[sympy.Expr, sympy.Expr]:
    """The rule's left and right sides at one entry, sums written out, in scalar names."""
    fix = dict(zip(rule.free, values))
    right = rule.textbook if textbook and rule.textbook is not None else rule.index
    right = right.xreplace(fix).doit()
    left = rule.lhs.xreplace(fix)
    table = {**names, **deltas}
    return left, right.xreplace(table)


def expand(derivation: LayerDerivation, *, closed: bool = True,
           textbook: bool = False) -> Expanded:
    """The layer rules at the network's sizes, in the scalar level's names.

    Args:
        derivation: from :func:`derive.layer.derive_layers`.
        closed: write every δ^{l+1} in forward quantities (the closed form the scalar
            level's ``Derivation.closed_form`` gives); else keep the δ symbols ``delta_z…``
            (the δ form of the scalar level's ``Derivation.gradient``).
        textbook: use a rule's textbook form where it has one (softmax with categorical
            cross-entropy: a − y, which holds when the targets sum to 1).

    Returns:
        The δ of every preactivation node and the gradient of every parameter.
    """
    names = scalar_names(derivation)
    template = derivation.template
    delta: dict[str, sympy.Expr] = {}
    gradient: dict[str, sympy.Expr] = {}
    deltas: dict = {}  # δ entries of the layers above, as expressions (closed) or symbols
    for rules in reversed(derivation.layers):
        base = template.delta(rules.number)
        own = {}
        for values in entries(rules.delta, rules, derivation):
            _, value = at_entry(rules.delta, values, names, deltas, textbook)
            node = str(names[template.z(rules.number)[values[0]]])
            delta[node] = value
            own[base[values[0]]] = value if closed else delta_name(node)
        deltas.update(own)
        for rule in (rules.weight, rules.bias_gradient):
            if rule is None:
                continue
            for values in entries(rule, rules, derivation):
                left, value = at_entry(rule, values, names, deltas)
                gradient[str(names[left.variables[0]])] = value
    return Expanded(delta, gradient)
