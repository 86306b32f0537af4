"""The numbers of a layered network at the layer level: the layer rules evaluated with NumPy.

A network too big to unroll (derive/writeups/big.py) is computed the way its write-up derives
it: the template's equations z^l, a^l and C for the forward pass, the δ rules of
:func:`derive.layer.derive_layers` from the output down, each parameter's gradient rule, the
optimizer's update rule and a second forward pass for the cost after the step. Each rule is
a SymPy expression in indexed entries and sums over indices; :func:`evaluate` gives it a
NumPy axis per free or summed index (a sum is a sum over its axis), so a 64 × 784 weight
gradient is one outer product, not 50,176 scalar expressions. Float64 throughout.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy

from derive.functions import NUMERIC
from derive.layer import LayerDerivation
from derive.layer.rules import cost_symbol
from derive.layer.updates import eta, update_rules

_UFUNCS = {sympy.exp: np.exp, sympy.log: np.log, sympy.tanh: np.tanh, sympy.Abs: np.abs,
           sympy.sign: np.sign}


def _apply(func, args: list[np.ndarray]) -> np.ndarray:
    """A SymPy function on arrays: NumPy's own where there is one, else the float64 rule of
    derive.functions entry by entry."""
    if func in _UFUNCS:
        return _UFUNCS[func](*args)
    if func is sympy.Heaviside:  # relu's derivative, H(0) = the second argument
        x = args[0]
        at_zero = args[1] if len(args) > 1 else 0.5
        return np.where(x > 0, 1.0, np.where(x < 0, 0.0, at_zero))
    return np.vectorize(NUMERIC[func], otypes=[float])(*args)


def _aligned(parts: list[tuple[np.ndarray, tuple]]) -> tuple[list[np.ndarray], tuple]:
    """Arrays over index axes broadcast to the union of their axes."""
    axes = tuple(dict.fromkeys(a for _, own in parts for a in own))
    out = []
    for array, own in parts:
        order = [own.index(a) for a in axes if a in own]
        array = np.transpose(array, order) if own else np.asarray(array)
        shape = [array.shape[order.index(own.index(a))] if a in own else 1 for a in axes]
        out.append(array.reshape(shape) if own else np.full([1] * len(axes), float(array)))
    return out, axes


def _value(expr, env: dict, ranges: dict) -> tuple[np.ndarray, tuple]:
    """``expr`` as an array with one axis per index it holds free, and those indices."""
    if expr.is_Number:
        return np.asarray(float(expr)), ()
    if isinstance(expr, sympy.Indexed):
        array, axes, take = np.asarray(env[expr.base]), [], []
        for index in expr.indices:
            if index.is_Integer:
                take.append(int(index) - 1)
            else:
                low, high = ranges[index]
                take.append(slice(low - 1, high))
                axes.append(index)
        return array[tuple(take)], tuple(axes)
    if expr.is_Symbol:
        return np.asarray(float(env[expr])), ()
    if isinstance(expr, sympy.Sum):
        inner = dict(ranges)
        for index, low, high in expr.limits:
            inner[index] = (int(low), int(high))
        array, axes = _value(expr.function, env, inner)
        for index, low, high in expr.limits:
            if index in axes:
                array = array.sum(axis=axes.index(index))
                axes = tuple(a for a in axes if a != index)
            else:
                array = array * (int(high) - int(low) + 1)
        return array, axes
    if isinstance(expr, sympy.KroneckerDelta):
        (a, a_axes), (b, b_axes) = (_index_value(x, ranges) for x in expr.args)
        (a, b), axes = _aligned([(a, a_axes), (b, b_axes)])
        return (a == b).astype(float), axes
    arrays, axes = _aligned([_value(a, env, ranges) for a in expr.args])
    if expr.is_Add:
        return sum(arrays[1:], arrays[0]), axes
    if expr.is_Mul:
        out = arrays[0]
        for array in arrays[1:]:
            out = out * array
        return out, axes
    if expr.is_Pow:
        return np.power(arrays[0], arrays[1]), axes
    return _apply(expr.func, arrays), axes


def _index_value(index, ranges: dict) -> tuple[np.ndarray, tuple]:
    if index.is_Integer:
        return np.asarray(float(index)), ()
    low, high = ranges[index]
    return np.arange(low, high + 1, dtype=float), (index,)


def evaluate(expr: sympy.Expr, env: dict, free: dict | None = None) -> np.ndarray:
    """The value of an index-form ``expr`` over its ``free`` indices.

    Args:
        expr: entries (``w^{2}[j, k]``), symbols, sums over indices with whole-number bounds.
        env: an IndexedBase → its array (1-based entries, in the base's index order); a
            Symbol → its number.
        free: each free index → its range (low, high), in the order of the result's axes.
    """
    free = free or {}
    array, axes = _value(expr, env, free)
    missing = [f for f in free if f not in axes]
    if missing:  # an index the expression does not depend on: the same value along it
        array = np.broadcast_to(array[(...,) + (None,) * len(missing)],
                                array.shape + tuple(free[f][1] - free[f][0] + 1
                                                    for f in missing))
        axes = axes + tuple(missing)
    return np.array(np.transpose(array, [axes.index(f) for f in free]) if free else array,
                    dtype=float)


@dataclass
class LayerValues:
    """A layered network's forward pass, cost, δs, gradients, one update and the cost after.

    Per layer after the input layer (index 0 is the first), in the orientation of the
    template's bases (a weight matrix as ``w^l[j, k]`` holds it).
    """

    z: list[np.ndarray] = field(default_factory=list)
    a: list[np.ndarray] = field(default_factory=list)
    deltas: list[np.ndarray] = field(default_factory=list)
    weight_gradients: list[np.ndarray] = field(default_factory=list)
    bias_gradients: list[np.ndarray | None] = field(default_factory=list)
    cost: float = 0.0
    cost_after: float = 0.0
    learning_rate: float = 0.0
    #: template entry base or symbol → its value, before and after the step
    env: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)


def starting_env(derivation: LayerDerivation) -> dict:
    """The network's inputs, targets and parameters as arrays of the template's bases."""
    network, template = derivation.network, derivation.template
    layers, env = network.layers, {}
    first = layers.notation.first_layer
    env[template.a(first)] = np.array([network.inputs[n] for n in network.inputs], float)
    env[template.y()] = np.array([network.targets[n] for n in network.targets], float)
    for position in range(1, len(layers.sizes)):
        number, at = first + position, position - 1
        names = np.array(layers.weight_names[at])
        values = np.vectorize(network.parameters.get, otypes=[float])(names)
        env[template.weights(number)] = values if layers.notation.weight_index == "jk" \
            else values.T
        bias = template.bias(number, layers.biases[at], 1)
        if isinstance(bias, sympy.Indexed):
            env[bias.base] = np.array([network.parameters[b] for b in layers.bias_names[at]])
        elif bias is not None:
            env[bias] = network.parameters[layers.bias_names[at][0]]
    return env


def forward(derivation: LayerDerivation, env: dict) -> tuple[list, list, float]:
    """z and a of every layer (stored in ``env``) and the cost, from the template."""
    template, layers = derivation.template, derivation.network.layers
    j = sympy.Symbol("j", integer=True, positive=True)
    for rules in derivation.layers:
        full = {j: (1, layers.sizes[rules.position])}
        env[template.z(rules.number)] = evaluate(
            template.preactivation(rules.number, rules.bias, to=j), env, full)
        env[template.a(rules.number)] = evaluate(
            template.activation(rules.number, rules.activation, to=j), env, full)
    cost = float(evaluate(template.loss(derivation.output.number, layers.loss), env))
    return ([env[template.z(r.number)] for r in derivation.layers],
            [env[template.a(r.number)] for r in derivation.layers], cost)


def free_ranges(rule, rules, sizes) -> dict:
    """The ranges of a rule's free indices: a δ's over its layer; a weight's j over the layer
    and k over the layer below; a batch row's over the one row."""
    out = {}
    for place, index in enumerate(rule.free):
        if rule.name.startswith("delta") or place == 0:
            out[index] = (1, sizes[rules.position])
        else:
            out[index] = (1, sizes[rules.position - 1])
    return out


def compute_layers(derivation: LayerDerivation,
                   learning_rate: float | None = None) -> LayerValues:
    """Evaluate a layered network's rules on its own values (one row, so C̄ is C).

    Args:
        derivation: from :func:`derive.layer.derive_layers`, of a network with every value.
        learning_rate: η of the gradient-descent step; the spec's when None.
    """
    network, template = derivation.network, derivation.template
    sizes, out = network.layers.sizes, LayerValues()
    env = starting_env(derivation)
    out.z, out.a, out.cost = forward(derivation, env)
    for rules in reversed(derivation.layers):
        env[template.delta(rules.number)] = evaluate(
            rules.delta.index, env, free_ranges(rules.delta, rules, sizes))
        out.deltas.insert(0, env[template.delta(rules.number)])
        out.weight_gradients.insert(0, evaluate(rules.weight.index, env,
                                                free_ranges(rules.weight, rules, sizes)))
        gradient = rules.bias_gradient
        out.bias_gradients.insert(0, None if gradient is None else evaluate(
            gradient.index, env, free_ranges(gradient, rules, sizes)))
    out.env = dict(env)
    out.learning_rate = network.learning_rate if learning_rate is None else learning_rate
    out.updated = step(derivation, env, out, out.learning_rate)
    _, _, out.cost_after = forward(derivation, dict(out.updated))
    return out


def step(derivation: LayerDerivation, env: dict, values: LayerValues,
         learning_rate: float) -> dict:
    """Every parameter after one gradient-descent step: the SGD update rule of
    :func:`derive.layer.updates.update_rules` over all of a layer's entries at once (the
    parameters ``training.freeze`` names keep their values)."""
    template, layers = derivation.template, derivation.network.layers
    updated = {**env, eta: learning_rate}
    g = sympy.IndexedBase("g", real=True)
    for position, rules in enumerate(derivation.layers):
        grads = {"weight": values.weight_gradients[position],
                 "bias": values.bias_gradients[position]}
        for update in update_rules(template, rules.number, rules.bias)["sgd"]:
            theta, grad = update.lhs, grads[update.parameter]
            (gradient,) = update.rhs.atoms(sympy.Derivative)
            if isinstance(theta, sympy.Indexed):
                if update.parameter == "weight" and layers.notation.weight_index != "jk":
                    grad = grad.T  # the base's own index order: w[k, j]
                updated[g] = grad
                free = {index: (1, n) for index, n in zip(theta.indices, grad.shape)}
                updated[theta.base] = evaluate(update.rhs.xreplace(
                    {gradient: g[theta.indices]}), updated, free)
            else:  # one shared bias
                updated[theta] = float(evaluate(update.rhs.xreplace(
                    {gradient: sympy.Float(float(grad))}), updated))
        _keep_frozen(derivation, rules, env, updated)
    return updated


def _keep_frozen(derivation: LayerDerivation, rules, env: dict, updated: dict) -> None:
    """The parameters ``training.freeze`` names keep their values."""
    network, template = derivation.network, derivation.template
    frozen = set(network.freeze)
    if not frozen:
        return
    layers, at = network.layers, rules.position - 1
    weights = template.weights(rules.number)
    for j, row in enumerate(layers.weight_names[at]):
        for k, name in enumerate(row):
            if name in frozen:
                where = (j, k) if layers.notation.weight_index == "jk" else (k, j)
                updated[weights] = np.array(updated[weights])
                updated[weights][where] = env[weights][where]
    bias = template.bias(rules.number, rules.bias, 1)
    for j, name in enumerate(layers.bias_names[at]):
        if name in frozen and isinstance(bias, sympy.Indexed):
            updated[bias.base] = np.array(updated[bias.base])
            updated[bias.base][j] = env[bias.base][j]
        elif name in frozen and bias is not None:
            updated[bias] = env[bias]


def cost_name(derivation: LayerDerivation) -> sympy.Symbol:
    """The cost's symbol, in the notation's letter."""
    return cost_symbol(derivation.template)
