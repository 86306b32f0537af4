"""Derivation + numbers → node values, cost, δs, gradients, one update step, cost after it.

Arithmetic is float64 throughout and never rounded in the middle; rounding happens only when
a write-up prints a number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import sympy

from derive.scalar.chain import Derivation
from derive.errors import ChainruleError
from derive.functions import NUMERIC


def evaluate(expr: sympy.Expr, env: Mapping[sympy.Symbol, float]) -> float:
    """The float64 value of ``expr`` with symbols taken from ``env``.

    Each shared subexpression is computed once, and without recursion (closed forms of deep
    networks are deep trees).

    Raises:
        ValueError, ZeroDivisionError, OverflowError: where a part has no real float64
            value (the log of a negative number, a division by zero, exp or a power past
            float64's range); the message says which. A product past the range is inf.
        ChainruleError: for a function without a numeric rule.
    """
    values: dict[sympy.Expr, float] = {}
    todo = [expr]
    while todo:
        e = todo[-1]
        if e in values:
            todo.pop()
            continue
        waiting = [a for a in e.args if a not in values]
        if waiting:
            todo += waiting
            continue
        todo.pop()
        values[e] = _value(e, [values[a] for a in e.args], env)
    return values[expr]


def _value(e: sympy.Expr, args: list[float], env: Mapping[sympy.Symbol, float]) -> float:
    """The value of one node of an expression, given its arguments' values."""
    if e.is_Symbol:
        return env[e]
    if e is sympy.I:
        raise ValueError("it is not real")
    if e.is_Number or e.is_NumberSymbol:  # 1/2, 1e-3, π, e
        if not e.is_finite:
            raise ZeroDivisionError("it divides by zero") if e is sympy.zoo else \
                ValueError(f"it is {e}, not a number")
        return float(e)
    if e.is_Add:
        return math.fsum(args)
    if e.is_Mul:
        return math.prod(args)
    if e.is_Pow:
        return _power(*args)
    impl = NUMERIC.get(e.func)
    if impl is None:
        raise ChainruleError(f"no numeric rule for {e.func.__name__}")
    return float(impl(*args))


def _power(base: float, exponent: float) -> float:
    if base == 0 and exponent < 0:
        raise ZeroDivisionError("it divides by zero")
    if base < 0 and not exponent.is_integer():
        raise ValueError("the square root of a negative number" if exponent == 0.5 else
                         "a negative number to a non-integer power")
    if exponent == 0.5:
        return math.sqrt(base)
    return math.pow(base, exponent)


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


def _value_of(derivation: Derivation, key: str, what: str, expr: sympy.Expr,
              env: Mapping[sympy.Symbol, float]) -> float:
    """``evaluate``, with a :class:`SpecError` at ``key`` of the spec where a value has no
    real float64 value (math raises there; an overflowing product is inf, as float64 has it)."""
    source = derivation.network.source
    try:
        return evaluate(expr, env)
    except OverflowError:
        raise source.error(key, f"{what} overflows float64 with the spec's values",
                           hint="choose smaller inputs or parameters") from None
    except ZeroDivisionError:
        raise source.error(key, f"{what} divides by zero with the spec's values",
                           hint="choose values that keep every divisor away from 0") from None
    except ValueError as err:
        reason = "a function outside its domain" if str(err) == "math domain error" else str(err)
        raise source.error(key, f"{what} has no real value with the spec's values ({reason})",
                           hint="choose values that keep every function in its domain") from None
    except ChainruleError as err:
        raise err.located(file=source.file, key=key) from None


def forward(derivation: Derivation, leaves: Mapping[str, float]) -> dict[str, float]:
    """Every leaf and node value, nodes in evaluation order.

    Raises:
        SpecError: at the equation of the first node without a finite real value.
    """
    graph = derivation.graph
    env = {graph.symbols[name]: float(v) for name, v in leaves.items()}
    for node in graph.nodes:
        env[node.symbol] = _value_of(derivation, f"equations.{node.name}",
                                     f"the value of {node.name}", node.expr, env)
    return {name: env[graph.symbols[name]] for name in [*leaves, *(n.name for n in graph.nodes)]}


def backward(derivation: Derivation, values: Mapping[str, float]) -> tuple[dict, dict]:
    """The δ of every node (reverse order) and the gradient of every parameter."""
    graph = derivation.graph
    env = {graph.symbols[name]: v for name, v in values.items()}
    deltas: dict[str, float] = {}
    for node in reversed(graph.nodes):
        deltas[node.name] = _value_of(derivation, f"equations.{node.name}",
                                      f"the δ of {node.name}", derivation.delta[node.name], env)
        env[derivation.delta_symbols[node.name]] = deltas[node.name]
    gradients = {p: _value_of(derivation, f"parameters.{p}", f"the gradient of {p}",
                              derivation.gradient[p], env)
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
        derivation: from :func:`derive.scalar.chain.derive`.
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
