"""Derivation + numbers → node values, cost, δs, gradients, one update step, cost after it.

Arithmetic is float64 throughout and never rounded in the middle; rounding happens only when
a write-up prints a number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import sympy

from derive.chain import Derivation
from derive.errors import ChainruleError
from derive.functions import NUMERIC


def evaluate(expr: sympy.Expr, env: Mapping[sympy.Symbol, float]) -> float:
    """The float64 value of ``expr`` with symbols taken from ``env``."""
    if expr.is_Symbol:
        return env[expr]
    if expr.is_Number:
        return float(expr)
    if expr.is_Add:
        return math.fsum(evaluate(a, env) for a in expr.args)
    if expr.is_Mul:
        out = 1.0
        for a in expr.args:
            out *= evaluate(a, env)
        return out
    if expr.is_Pow:
        base, power = evaluate(expr.base, env), evaluate(expr.exp, env)
        if power == 0.5:
            return math.sqrt(base)
        return base ** power
    impl = NUMERIC.get(expr.func)
    if impl is None:
        raise ChainruleError(f"no numeric rule for {expr.func.__name__}")
    return float(impl(*[evaluate(a, env) for a in expr.args]))


@dataclass
class Values:
    """The numbers of a worked example, all by name."""

    values: dict[str, float]
    cost: float
    deltas: dict[str, float]
    gradients: dict[str, float]
    updated: dict[str, float]
    cost_after: float
    learning_rate: float

    def as_dict(self) -> dict:
        """The JSON form: values, cost, gradients, updated, cost_after."""
        return {"values": dict(self.values), "cost": self.cost,
                "gradients": dict(self.gradients), "updated": dict(self.updated),
                "cost_after": self.cost_after}


def _value_of(what: str, expr: sympy.Expr, env: Mapping[sympy.Symbol, float]) -> float:
    """``evaluate``, with a clear error when float64 overflows (math.exp raises there)."""
    try:
        return evaluate(expr, env)
    except OverflowError:
        raise ChainruleError(f"{what} overflows float64 with the spec's values",
                             hint="choose smaller inputs or parameters") from None


def forward(derivation: Derivation, leaves: Mapping[str, float]) -> dict[str, float]:
    """Every leaf and node value, nodes in evaluation order."""
    graph = derivation.graph
    env = {graph.symbols[name]: float(v) for name, v in leaves.items()}
    for node in graph.nodes:
        env[node.symbol] = _value_of(f"the value of {node.name}", node.expr, env)
    return {name: env[graph.symbols[name]] for name in [*leaves, *(n.name for n in graph.nodes)]}


def backward(derivation: Derivation, values: Mapping[str, float]) -> tuple[dict, dict]:
    """The δ of every node (reverse order) and the gradient of every parameter."""
    graph = derivation.graph
    env = {graph.symbols[name]: v for name, v in values.items()}
    deltas: dict[str, float] = {}
    for node in reversed(graph.nodes):
        deltas[node.name] = _value_of(f"the δ of {node.name}", derivation.delta[node.name], env)
        env[derivation.delta_symbols[node.name]] = deltas[node.name]
    gradients = {p: _value_of(f"the gradient of {p}", derivation.gradient[p], env)
                 for p in graph.parameters}
    return deltas, gradients


def leaf_values(derivation: Derivation) -> dict[str, float]:
    """The spec's values of all leaves; a :class:`SpecError` names the first missing one."""
    network = derivation.network
    network.require_values()
    return {**network.inputs, **network.targets, **network.parameters}


def compute(derivation: Derivation, learning_rate: float | None = None) -> Values:
    """Forward pass, cost, backward pass and one gradient-descent step from the spec's values.

    Args:
        derivation: from :func:`derive.chain.derive`.
        learning_rate: η; the spec's when omitted.

    Returns:
        The :class:`Values`; frozen parameters keep their value in ``updated``.
    """
    network = derivation.network
    eta = network.learning_rate if learning_rate is None else learning_rate
    leaves = leaf_values(derivation)
    values = forward(derivation, leaves)
    deltas, gradients = backward(derivation, values)
    updated = {p: (leaves[p] if p in network.freeze else leaves[p] - eta * gradients[p])
               for p in network.parameters}
    after = forward(derivation, {**leaves, **updated})
    return Values(values=values, cost=values[network.cost], deltas=deltas, gradients=gradients,
                  updated=updated, cost_after=after[network.cost], learning_rate=eta)
