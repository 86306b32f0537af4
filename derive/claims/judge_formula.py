"""The formula judge: a formula (``dE/dw5 = (O1 - y1)*O1*(1 - O1)*H1``) or an update rule
(``w5+ = w5 - eta*dE/dw5``) against the derived truth — numerically equal at seeded points,
then symbolically, with the network's relations (``O1 = σ(o1)``) when plain expansion does
not decide; when it is wrong, where it differs and a hint why (a sign, a factor, the
derivative by another quantity, another learning rate)."""

from __future__ import annotations

import math
from dataclasses import replace

from derive.claims.claim import HOLDS, WRONG, Claim, Target, tree_derivs, tree_numbers
from derive.claims.context import Context, Part
from derive.claims.digits import fmt_number, is_close, stated_digits
from derive.claims.names import ETA
from derive.errors import ClaimError
from derive.spec import expr as ex

#: Largest expansion a symbolic comparison tries (terms); beyond it the numeric one decides.
MAX_EXPANDED_TERMS = 20_000
#: Largest expansion factored for a "the truth is the claim times ..." hint (terms): factoring
#: (a*b + c*d + e)**12 (91 terms) takes half a minute.
MAX_FACTORED_TERMS = 50


def is_formula(context: Context, claim: Claim, tree) -> bool:
    """Every right side no judge before took is a formula: this judge comes last."""
    return True


def judge_formula(context: Context, claim: Claim, tree) -> Part:
    """Judge a formula side; an update rule when the left side is a parameter after the step."""
    kind = "rule" if _is_update_rule(context, claim, tree) else "formula"
    target = claim.target
    if kind == "rule" and target.kind == "value":
        target = Target("after", target.name, None, target.pos)
    truth = context.truth(target)
    written = context.claim_expr(tree)
    if context.eta not in written.free_symbols:
        truth = truth.xreplace({context.eta: context.sp.Float(context.network.learning_rate)})
    expected = context.show(truth, claim)
    if target.kind == "deriv":
        expected = f"{context.show_deriv(target.name, target.den, claim)} = {expected}"
    elif target.kind == "after":
        expected = f"{context.spell(target.name, claim)}+ = {expected}"
    found, tested = _first_difference(context, written, truth, context.points)
    proven = found is None and _expands_to_zero(context, written - truth)
    if found is None and not proven:  # look much harder (e.g. ReLU steps) before simplifying
        found, more = _first_difference(context, written, truth, context.extra_points)
        tested += more
        proven = found is None and _symbolically_equal(context, written, truth)
    if found is not None:
        point, a, b = found
        where = ", ".join(context.math(f"{context.spell(n, claim)}={fmt_number(point[n], 4)}", claim)
                          for n in _leaves_of(context, written, truth) if n in point)
        substituted = _at_worked_example(context, kind, tree, written, truth, expected)
        if substituted:
            return substituted
        note = _why_formula(context, written, truth, claim)
        if target.kind == "deriv":
            note += _which_derivative(context, written, target, claim)
        if kind == "rule":
            note += _rate_used(context, written, target)
        return Part(kind, WRONG, expected,
                    f"differs at {where}: the claim gives {fmt_number(a, 6)}, the truth "
                    f"{fmt_number(b, 6)}.{note}")
    if not proven and tested < 2:
        raise ClaimError("the claim could not be evaluated at enough points to decide it")
    how = "equal symbolically and" if proven else "symbolic simplification inconclusive; equal"
    return Part(kind, HOLDS, expected, f"{how} at {tested} points.")


def _is_update_rule(context: Context, claim: Claim, tree) -> bool:
    """``w5+ = ...``, or ``w5 = w5 - eta*dE/dw5``: a parameter's value after the step."""
    target = claim.target
    return target.kind == "after" or (target.kind == "value"
                                      and target.name in context.network.parameters
                                      and bool(tree_derivs(tree)))


def _first_difference(context: Context, written, truth, points) -> tuple:
    """((point, claim value, true value) where they first differ, or None; points tried)."""
    tested = 0
    for point in points:
        a, b = context.value(written, point), context.value(truth, point)
        if math.isnan(a) and math.isnan(b):
            continue  # outside both expressions' domain
        tested += 1
        if not is_close(a, b):
            return (point, a, b), tested
    return None, tested


def _which_derivative(context: Context, written, target: Target, claim: Claim) -> str:
    """If a wrong derivative formula is the derivative with respect to another quantity
    (the post's ``dA = A - y`` is ∂L/∂Z), say which."""
    top = context.names.resolve(target.name)
    candidates = [n for n in [*(node.name for node in reversed(context.graph.nodes)),
                              *context.network.parameters, *context.network.inputs]
                  if n not in (top, target.den)]
    if len(candidates) > 60:
        return ""
    for other in candidates:
        if not context.depends(top, other):
            continue
        truth = context.total(top, other)
        if all(is_close(context.value(written, p), context.value(truth, p)) for p in context.points):
            return (f" It is {context.math(context.show_deriv(top, other, claim), claim)}: the "
                    f"derivative with respect to {context.math(context.spell(other, claim), claim)}, "
                    f"not {context.math(context.spell(target.den, claim), claim)}.")
    return ""


def _at_worked_example(context: Context, kind: str, tree, written, truth, expected: str) -> Part | None:
    """A formula with decimals in it (``h1 = 0.25*x1 + 0.15*x2 + 0.45``) is the worked
    example with values put in: it holds if it agrees there within the rounding of its
    decimals (each moved by half a unit of its last digit)."""
    decimals = [x for x in tree_numbers(tree) if "." in x.text]
    if not decimals or not context.has_values:
        return None
    spec = context.points[0]
    a, b = context.value(written, spec), context.value(truth, spec)
    if math.isnan(a) or math.isnan(b):
        return None
    tolerance = 1e-12 * max(1.0, abs(b))
    for literal in decimals:
        half = 0.5 * 10.0 ** stated_digits(literal.text)[1]
        moved = _replace_number(tree, literal, repr(float(literal.text) + half))
        tolerance += abs(context.value(context.claim_expr(moved), spec) - a)
    if abs(a - b) > tolerance:
        return None
    return Part(kind, HOLDS, expected,
                f"not an identity, but its decimals are the worked example's values; "
                f"there it gives {fmt_number(a, 8)}, the truth {fmt_number(b, 8)}, within the rounding "
                f"of its decimals.")


def _rate_used(context: Context, written, target: Target) -> str:
    """For an update rule, the learning rate it uses if it is a gradient step at all."""
    grad = context.total(context.graph.cost, target.name)
    rates = []
    for point in context.points[:3]:
        g = context.value(grad, point)
        if g == 0 or math.isnan(g):
            return ""
        rates.append((point[target.name] - context.value(written, point)) / g)
    if all(is_close(r, rates[0], 1e-7) for r in rates):
        return (f" It is a gradient step with learning rate {fmt_number(rates[0], 6)}; the spec's "
                f"is {fmt_number(context.network.learning_rate, 6)}.")
    return ""


def _leaves_of(context: Context, *exprs) -> list[str]:
    names = {s.name for e in exprs for s in e.free_symbols}
    needed = set()
    for n in names:
        if context.graph.is_node(n):
            needed |= {s.name for s in context.graph.expanded(n).free_symbols}
        else:
            needed.add(n)
    order = [*context.network.inputs, *context.network.targets, *context.network.parameters, ETA]
    return [n for n in order if n in needed]


def _why_formula(context: Context, written, truth, claim: Claim) -> str:
    """A hint when claim and truth differ by a simple factor (a sign, a missing term)."""
    sp = context.sp
    ratios = [context.value(truth, p) / w for p in context.points
              if (w := context.value(written, p)) and not math.isnan(w)]
    if len(ratios) >= 2 and all(is_close(r, ratios[0], 1e-9) for r in ratios) \
            and not is_close(ratios[0], 1.0):
        if is_close(ratios[0], -1.0):
            return " The sign is wrong."
        return f" The truth is the claim times {fmt_number(ratios[0], 6)}."
    if (sp.count_ops(truth) + sp.count_ops(written) > 80
            or _expanded_terms(truth) + _expanded_terms(written) > MAX_FACTORED_TERMS):
        return ""  # factoring big expressions costs more than the hint is worth
    try:
        ratio = sp.factor(sp.cancel(truth / written)) if written != 0 else None
    except Exception:  # noqa: BLE001 - a hint only
        return ""
    if ratio is None or ratio == 1 or ratio.atoms(sp.Function) or sp.count_ops(ratio) > 8:
        return ""
    return f" The truth is the claim times {context.math(context.show(ratio, claim), claim)}."


def _expand_leaves(context: Context, expr):
    table = {context.graph.symbols[n.name]: context.graph.expanded(n.name) for n in context.graph.nodes
             if context.graph.symbols[n.name] in expr.free_symbols}
    return expr.xreplace(table)


def _expands_to_zero(context: Context, expr) -> bool:
    """Whether ``expr`` expands to 0; False without trying when the expansion would have
    more than :data:`MAX_EXPANDED_TERMS` terms (a claim's (a+b+c+d+e+f)**64 has 11
    million: the numeric comparison decides then)."""
    if _expanded_terms(expr) > MAX_EXPANDED_TERMS:
        return False
    return context.sp.expand(expr) == 0


def _symbolically_equal(context: Context, a, b) -> bool:
    """Zero difference, first in the quantities as written, then with every node
    replaced by its equation (the network's relations, e.g. O1 = σ(o1))."""
    sp = context.sp
    if _expands_to_zero(context, a - b):
        return True
    diff = _expand_leaves(context, a) - _expand_leaves(context, b)
    if _expands_to_zero(context, diff):
        return True
    if sp.count_ops(diff) > 400:
        return False
    try:
        from derive.functions import sigmoid
        rewritten = diff.replace(lambda e: isinstance(e, sigmoid),
                                 lambda e: 1 / (1 + sp.exp(-e.args[0])))
        return sp.simplify(rewritten) == 0
    except Exception:  # noqa: BLE001 - inconclusive, the numeric check decides
        return False


def _expanded_terms(expr) -> float:
    """An upper bound of the number of terms ``expand(expr)`` gives, without expanding."""
    from math import comb
    sizes: dict = {}
    for e in _postorder(expr):
        args = [sizes[a] for a in e.args]
        if e.is_Add:
            sizes[e] = sum(args)
        elif e.is_Mul:
            sizes[e] = math.prod(args)
        elif e.is_Pow and e.exp.is_Integer and e.exp > 0 and args[0] > 1:
            n, k = int(e.exp), args[0]
            sizes[e] = comb(n + k - 1, k - 1) if n < 10_000 and k < 10_000 else math.inf
        else:
            sizes[e] = 1
    return sizes[expr]


def _postorder(expr) -> list:
    """The distinct subexpressions of a SymPy expression, each after its arguments."""
    out, seen, todo = [], set(), [(expr, False)]
    while todo:
        e, ready = todo.pop()
        if ready:
            out.append(e)
        elif e not in seen:
            seen.add(e)
            todo.append((e, True))
            todo += [(a, False) for a in e.args]
    return out


def _replace_number(node, literal: ex.Num, text: str):
    """A copy of a claim tree with one number literal written differently."""
    if node is literal:
        return ex.Num(text, literal.pos)
    if isinstance(node, ex.Unary):
        return replace(node, operand=_replace_number(node.operand, literal, text))
    if isinstance(node, ex.Binary):
        return replace(node, left=_replace_number(node.left, literal, text),
                       right=_replace_number(node.right, literal, text))
    if isinstance(node, ex.Call):
        return replace(node, args=tuple(_replace_number(a, literal, text) for a in node.args))
    return node
