"""The number judge: a number (``o1 = 0.794609``, ``dE/dw5 = 0.0851``, ``w1+ = 0.2499``)
against the value the spec's numbers give, to the digits it states.

Numbers are judged in dependency order, each seeing the values claimed before it: a wrong
number is traced to the earlier wrong claims it follows from, and a first wrong value to a
single slip (another leaf's value, a sign, one keystroke) when one explains it.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from typing import Mapping

from derive.claims.claim import HOLDS, ROUNDING, WRONG, Claim, Target, tree_names, tree_numbers
from derive.claims.context import Context, Part
from derive.claims.digits import agreement, fmt_number, stated_digits
from derive.claims.names import ETA
from derive.errors import ClaimError
from derive.spec import expr as ex


def is_number(context: Context, claim: Claim, tree) -> bool:
    """Whether a right side names nothing: a number, or arithmetic on numbers."""
    return not tree_names(tree)


def remember(context: Context, claim: Claim, part: Part) -> None:
    """Keep a judged number, for the numbers judged after it to be traced to it."""
    context.claimed.append((quantity_of(context, claim.target), part.claimed, claim.text,
                            part.verdict))


def judge_number(context: Context, claim: Claim, tree) -> Part:
    """Judge a number side: the digits it states against the true value."""
    literals = tree_numbers(tree)
    if not context.has_values:
        raise ClaimError("the spec gives no values for "
                         + ", ".join(context.network.missing_values()[:3])
                         + " so numbers cannot be checked")
    from derive.scalar.values import evaluate
    try:  # in float64 directly: SymPy's is_real of nested constants takes exponential time
        claimed = evaluate(context.claim_expr(tree), {})
    except (ValueError, ZeroDivisionError, OverflowError) as err:
        raise ClaimError(f"the right side is not a finite real number ({err})") from None
    if all(re.fullmatch(r"\d+", x.text) for x in literals):  # integers state exact values
        n = 15
        last = (math.floor(math.log10(abs(claimed))) if claimed else -12) - n + 1
    elif isinstance(tree, ex.Num) or (isinstance(tree, ex.Unary) and isinstance(tree.operand, ex.Num)):
        n, last = stated_digits(literals[0].text)
    else:  # arithmetic: as precise as its most precise literal
        n = max(stated_digits(x.text)[0] for x in literals)
        lead = math.floor(math.log10(abs(claimed))) if claimed else 0
        last = lead - n + 1
    quantity = quantity_of(context, claim.target)
    true = quantity_value(context, quantity)
    expected = fmt_number(true, min(max(n + 2, 7), 12))
    exact, k = agreement(claimed, true, last, n)
    if exact:
        return Part("number", HOLDS, expected, f"agrees to the {n} digits stated.",
                    claimed=claimed)
    trunc = _truncates(claimed, true, last)
    if k >= max(2, n - 2):
        why = " (truncated rather than rounded)" if trunc else ""
        detail = f"agrees to {k} of the {n} significant digits stated{why}."
        detail += _inherited(context, quantity, claimed, last, n)
        return Part("number", ROUNDING, expected, detail, digits=k, claimed=claimed)
    agree = (f"the claim agrees to {k} significant digit{'s' if k != 1 else ''}" if k
             else "the claim differs already in its first digit")
    detail = f"the true value is {expected}; {agree}."
    inherited = _inherited(context, quantity, claimed, last, n)
    if inherited:
        detail += inherited
    else:
        detail += " This is the first wrong value (not inherited from an earlier claim)."
        detail += _typo(context, quantity, claimed, last, n, k)
    return Part("number", WRONG, expected, detail, digits=k, claimed=claimed)


def _inherited(context: Context, quantity, claimed, last, n) -> str:
    """Whether the earlier claimed values explain this one, and which wrong ones do."""
    earlier = [c for c in context.claimed if c[0] != quantity]
    if not earlier:
        return ""
    overrides = {q: v for q, v, _, _ in earlier}
    again = quantity_value(context, quantity, overrides)
    if not agreement(claimed, again, last, n)[0]:
        return ""
    for q, _, _, _ in earlier:  # drop what is not needed to reproduce the claimed number
        trial = {k: v for k, v in overrides.items() if k != q}
        if agreement(claimed, quantity_value(context, quantity, trial), last, n)[0]:
            overrides = trial
    culprits = [f"{text.strip()} ({verdict})" for q, _, text, verdict in earlier
                if q in overrides and verdict != HOLDS]
    if not culprits:
        return ""
    return (f" It follows from the earlier claim{'s' if len(culprits) > 1 else ''} "
            + "; ".join(culprits) + f" (recomputed from {'them' if len(culprits) > 1 else 'it'}:"
            f" {fmt_number(again, n + 1)}).")



def _miss(context: Context, quantity, leaf: str, claimed: float, value: float) -> float:
    """How far the quantity lands from the claimed number with ``leaf`` set to ``value``."""
    return quantity_value(context, quantity, {("value", leaf): value}) - claimed


def _typo(context: Context, quantity, claimed, last, n, k_true: int) -> str:
    """Name a single leaf value that makes the claim (nearly) right, if a plausible one exists.

    A candidate must be a slip (another leaf's value, a sign flip, one keystroke away from
    the spec's value) and bring the number at least two digits closer than the truth.
    """
    if n < 3:
        return ""  # a number stated to one or two digits fits too many slips to name one
    best = None
    leaves = {**context.network.inputs, **context.network.targets, **context.network.parameters,
              ETA: context.network.learning_rate}
    for leaf, current in leaves.items():
        f = functools.partial(_miss, context, quantity, leaf, claimed)
        root = _solve(f, current)
        if root is None:
            continue
        for candidate, rank in _plausible(root, current, leaves):
            value = f(candidate) + claimed
            if math.isnan(value):
                continue
            exact, k = agreement(claimed, value, last, n)
            if exact or (k >= min(n, 3) and k >= k_true + 2):
                score = (not exact, rank, -k, len(repr(candidate)))
                if best is None or score < best[0]:
                    best = (score, leaf, candidate, value, exact, k)
                break
    if best is None:
        return ""
    _, leaf, candidate, value, exact, k = best
    same = sorted((n_ for n_, v in leaves.items() if n_ != leaf and v == candidate),
                  key=lambda n_: -difflib.SequenceMatcher(None, leaf, n_).ratio())
    note = f" (the value of {', '.join(same)})" if same else ""
    name = "the learning rate" if leaf == ETA else leaf
    if exact:
        return f" It holds if {name} = {fmt_number(candidate)}{note}."
    return (f" It nearly holds if {name} = {fmt_number(candidate)}{note}: that gives "
            f"{fmt_number(value, n + 1)}, agreeing to {k} digits.")


def quantity_of(context: Context, target: Target) -> tuple:
    """The quantity a left side names: ("value" | "after", name) or ("deriv", a, b)."""
    r = context.names.resolve
    if target.kind == "deriv":
        return ("deriv", r(target.name), r(target.den))
    return (target.kind, r(target.name))


def quantity_value(context: Context, quantity: tuple, overrides: Mapping[tuple, float] | None = None) -> float:
    """The value of a quantity with earlier claimed values substituted (NaN off its domain)."""
    try:
        return number_of(context, quantity, numbers(context, overrides, after=quantity[0] == "after"))
    except (ValueError, ZeroDivisionError, OverflowError):
        return math.nan


def numbers(context: Context, overrides: Mapping[tuple, float] | None = None, after: bool = True) -> dict:
    """Every quantity a number claim can name, with earlier claimed values substituted."""
    from derive.scalar.values import evaluate
    overrides = dict(overrides or {})
    net = context.network
    leaves = {**net.inputs, **net.targets, **net.parameters}
    for (kind, *names), v in overrides.items():
        if kind == "value" and names[0] in leaves:
            leaves[names[0]] = v
    env = {context.graph.symbols[n]: v for n, v in leaves.items()}
    for node in context.graph.nodes:
        key = ("value", node.name)
        env[node.symbol] = overrides[key] if key in overrides else evaluate(node.expr, env)
    values = {s.name: v for s, v in env.items()}
    eta = overrides.get(("value", ETA), net.learning_rate)
    out = {("value", n): v for n, v in values.items()}
    out[("value", ETA)] = eta

    def grad(p):
        key = ("deriv", context.graph.cost, p)
        if key in overrides:
            return overrides[key]
        return evaluate(context.total(context.graph.cost, p), env)
    out["_env"] = env
    out["_grad"] = grad
    if not after:
        return out
    updated = {}
    for p in net.parameters:
        key = ("after", p)
        if key in overrides:
            updated[p] = overrides[key]
        elif p in net.freeze:
            updated[p] = leaves[p]
        else:
            updated[p] = leaves[p] - eta * grad(p)
    out.update({("after", p): v for p, v in updated.items()})
    after = {**leaves, **updated}
    env2 = {context.graph.symbols[n]: v for n, v in after.items()}
    for node in context.graph.nodes:
        env2[node.symbol] = evaluate(node.expr, env2)
        out[("after", node.name)] = env2[node.symbol]
    return out


def number_of(context: Context, quantity: tuple, table: dict) -> float:
    """A quantity's value in a table of :func:`numbers` (NaN off its domain)."""
    if quantity[0] == "deriv":
        _, a, b = quantity
        if a == context.graph.cost and b in context.network.parameters:
            return table["_grad"](b)
        from derive.scalar.values import evaluate
        try:
            return evaluate(context.total(a, b), table["_env"])
        except (ValueError, ZeroDivisionError, OverflowError):
            return math.nan
    return table[quantity]


def _truncates(claimed: float, true: float, last: int) -> bool:
    """Whether ``claimed`` is ``true`` cut, not rounded, after the digit of ``10**last``."""
    step = 10.0 ** last
    return abs(math.trunc(true / step) * step - claimed) < step * 1e-6


def _solve(f, start: float) -> float | None:
    """A root of ``f`` near ``start`` by the secant method (None if it does not converge)."""
    x0, x1 = start, start + (abs(start) * 1e-3 or 1e-3)
    try:
        f0, f1 = f(x0), f(x1)
        for _ in range(60):
            if f1 == f0 or math.isnan(f1):
                return None
            x0, x1, f0 = x1, x1 - f1 * (x1 - x0) / (f1 - f0), f1
            f1 = f(x1)
            if abs(f1) < 1e-13 or abs(x1 - x0) < 1e-15:
                return x1 if abs(f1) < 1e-9 else None
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    return None


def _plausible(root: float, current: float, leaves: Mapping[str, float]) -> list[float]:
    """Values a slip could produce near ``root``: another leaf's value, a sign flip, or the
    current value with one digit changed, dropped, added or two swapped."""
    scale = 0.1 * max(abs(root), 1e-9)
    others = {v for v in leaves.values() if v is not None and v != current}
    edits = {v for v in _digit_edits(current) | {-current} if v != current}
    edits = {v for v in edits if abs(v - current) <= 0.5 * max(abs(current), 0.1)}
    near = [(v, 0 if v in others else 1) for v in others | edits if abs(v - root) <= scale]
    return sorted(near, key=lambda c: (c[1], abs(c[0] - root)))[:6]


def _digit_edits(value: float) -> set[float]:
    """Numbers one keystroke away from ``value`` as usually written (0.5 → 0.45, 0.05, 0.55 …)."""
    text = repr(value) if abs(value) >= 1e-4 else f"{value:.6f}"
    if "e" in text:
        return set()
    out = set()
    digits = "0123456789"
    for i, ch in enumerate(text):
        if ch.isdigit():
            out |= {text[:i] + d + text[i + 1:] for d in digits}
            out.add(text[:i] + text[i + 1:])
            if i + 1 < len(text) and text[i + 1].isdigit():
                out.add(text[:i] + text[i + 1] + ch + text[i + 2:])
        out |= {text[:i + 1] + d + text[i + 1:] for d in digits}
    values = set()
    for t in out:
        try:
            values.add(float(t))
        except ValueError:
            pass
    return values
