"""Independent oracles for gradients: plain sympy.diff, central differences, PyTorch autograd."""

from __future__ import annotations

import sympy

from derive.scalar.chain import Derivation
from derive.functions import leaky_relu, relu, sigmoid, softplus
from derive.scalar.values import forward


def sympy_diff_gradients(d: Derivation) -> dict[str, float]:
    """Differentiate the fully expanded cost with plain sympy.diff and evaluate it."""
    g = d.graph
    cost = g.expanded(g.cost)
    leaves = {g.symbols[n]: sympy.Float(v, 30) for n, v in _leaves(d).items()}
    return {p: float(sympy.diff(cost, g.symbols[p]).xreplace(leaves).evalf(30))
            for p in g.parameters}


def finite_difference_gradients(d: Derivation, h: float = 1e-6) -> dict[str, float]:
    """Central differences of the cost, one parameter at a time."""
    leaves = _leaves(d)
    out = {}
    for p in d.graph.parameters:
        plus = forward(d, {**leaves, p: leaves[p] + h})[d.graph.cost]
        minus = forward(d, {**leaves, p: leaves[p] - h})[d.graph.cost]
        out[p] = (plus - minus) / (2 * h)
    return out


def torch_gradients(d: Derivation) -> dict[str, float]:
    """Evaluate the graph's node equations with torch float64 tensors and backpropagate."""
    import torch

    g = d.graph
    leaves = _leaves(d)
    env = {g.symbols[n]: torch.tensor(v, dtype=torch.float64, requires_grad=n in g.parameters)
           for n, v in leaves.items()}
    for node in g.nodes:
        env[node.symbol] = _torch_eval(node.expr, env, torch)
    cost = env[g.symbols[g.cost]]
    if cost.grad_fn is None:  # a cost that no parameter reaches (e.g. softmax of one output)
        return {p: 0.0 for p in g.parameters}
    cost.backward()
    return {p: float(env[g.symbols[p]].grad) if env[g.symbols[p]].grad is not None else 0.0
            for p in g.parameters}


def _torch_eval(expr, env, torch):
    if expr.is_Symbol:
        return env[expr]
    if expr.is_Number:
        return torch.tensor(float(expr), dtype=torch.float64)
    args = [_torch_eval(a, env, torch) for a in expr.args]
    if expr.is_Add:
        return sum(args[1:], args[0])
    if expr.is_Mul:
        out = args[0]
        for a in args[1:]:
            out = out * a
        return out
    if expr.is_Pow:
        return args[0] ** args[1]
    table = {
        sigmoid: torch.sigmoid, relu: torch.relu, softplus: torch.nn.functional.softplus,
        sympy.tanh: torch.tanh, sympy.exp: torch.exp, sympy.log: torch.log, sympy.Abs: torch.abs,
    }
    if expr.func is leaky_relu:
        slope = float(expr.args[1]) if len(expr.args) > 1 else float(leaky_relu.slope.fget(expr))
        return torch.nn.functional.leaky_relu(args[0], slope)
    return table[expr.func](*args)


def _leaves(d: Derivation) -> dict[str, float]:
    n = d.network
    return {**n.inputs, **n.targets, **n.parameters}
