"""The general judge: a claim with free layer and neuron indices (``δ^l = ((w^{l+1})^T
δ^{l+1}) ⊙ σ′(z^l)``, ``∂C/∂w^l_{jk} = a^{l−1}_k δ^l_j``, an update rule for ``w^l``) against
the layer-level derivation (:func:`derive.layer.derive_layers`).

Both sides are evaluated (:mod:`derive.claims.evaluate_general`) at every layer of the
network where every quantity the claim names exists, at every value of the left side's free
indices, at seeded samples (:mod:`derive.claims.layer_values`); the claim holds when they
agree everywhere, and is wrong at the first place (layer, indices, entry) where they differ
or where the right side has no value, with both sides' values there.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np

from derive.claims import general_tree as G
from derive.claims.claim import HOLDS, WRONG, Claim
from derive.claims.context import Context, Part
from derive.claims.digits import fmt_number, is_close
from derive.claims.evaluate_general import Env, Evaluator, layer_number
from derive.claims.general_algebra import Undefined, shape_text
from derive.claims.general_truth import truth_text
from derive.errors import ClaimError

#: places (layer × index values × samples) compared after the first difference, for a hint
_HINT_PLACES = 200
_LAYERED = ("weight", "bias", "pre", "act", "delta", "velocity")


def is_general(context: Context, claim: Claim, tree) -> bool:
    """A side of a claim read as a general one (:mod:`derive.claims.read_general`)."""
    return claim.general is not None


def judge_general(context: Context, claim: Claim, tree) -> Part:
    """Judge one right side of a general claim against the derived layer rules."""
    g, model = claim.general, context.layer_model
    lhs = g.sides[0]
    update = isinstance(lhs, G.Quantity) and lhs.kind in ("weight", "bias", "velocity")
    optimizers = (["momentum", "nesterov"] if _uses(g, "alpha") else ["sgd"]) if update \
        else ["sgd"]
    places = _places(model, g, tree)
    _check_indices(lhs, tree)
    evaluator = Evaluator(model)
    results = [_compare(evaluator, model, g, lhs, tree, places, o, update) for o in optimizers]
    for optimizer, (failure, tested, _) in zip(optimizers, results):
        if failure is None:
            what = f" It is the {optimizer} update." if update and len(optimizers) > 1 else ""
            return Part("general", HOLDS, truth_text(model, g, optimizer),
                        f"holds at {_layers_text(g, places)}, every entry, at {tested} "
                        f"places and samples.{what}")
    failure, _, hint = results[0]
    return Part("general", WRONG, truth_text(model, g, optimizers[0]), failure + hint)


def _uses(g: G.GeneralClaim, kind: str) -> bool:
    return any(isinstance(n, G.Quantity) and n.kind == kind for s in g.sides for n in G.walk(s))


def _variable(g: G.GeneralClaim) -> str | None:
    """The claim's layer variable: its own (l, i), or "*" for quantities written without a
    layer (seed 002's Δw), or None (only L and numbers)."""
    if g.layer_vars:
        return g.layer_vars[0]
    implicit = any(isinstance(n, G.Quantity) and n.layer is None and
                   (n.of.kind if n.kind == "velocity" else n.kind) in _LAYERED
                   for s in g.sides for n in G.walk(s))
    return "*" if implicit else None


def _places(model, g: G.GeneralClaim, tree) -> list[dict]:
    """Every assignment of the layer variable at which each quantity the claim names exists."""
    var = _variable(g)
    output = model.first + model.count
    values = range(model.first, output + 1) if var else [None]
    quantities = [n for side in (g.sides[0], tree) for n in G.walk(side)
                  if isinstance(n, (G.Quantity, G.Deriv))]
    out, missing = [], None
    for value in values:
        layers = {"L": output}
        if var:
            layers.update({var: value, "*": value})
        env = Env(layers, {}, None, g.batch, "sgd")
        absent = next((q for q in quantities if not _exists(model, q, env)), None)
        if absent is None:
            out.append(layers)
        elif missing is None:
            missing = absent
    if not out:
        first, last = model.first, output
        raise ClaimError(f"'{missing.text}' names a layer the network has not at any "
                         f"{'value of ' + var if var and var != '*' else 'layer'} (its layers "
                         f"are {first} … {last}, the input layer {first})",
                         hint="a layer is l, l+1, l-1, L or a number within the network")
    return out


def _exists(model, q, env: Env) -> bool:
    """Whether the network has the quantity here (∂C/∂a: a layer after the input)."""
    if isinstance(q, G.Deriv):
        cost = isinstance(q.num, G.Quantity) and q.num.kind in ("cost", "mean")
        number = layer_number(q.den, env) if q.den.kind == "act" else None
        return not (cost and number is not None and model.position("act", number) == 0)
    kind = q.of.kind if q.kind == "velocity" else q.kind
    if kind not in _LAYERED:
        return True
    number = layer_number(q, env)
    return number is not None and model.position("pre" if kind == "delta" else kind,
                                                 number) is not None


def _check_indices(lhs, tree) -> None:
    """Every free index of the right side is a free index of the left side."""
    left = _free(lhs)
    for letter in _free(tree):
        if letter not in left:
            raise ClaimError(f"the index {letter} is free on the right side but not on the left",
                             hint="sum over it (Σ_" + letter + ") or give it to the left side")


def _free(tree) -> set[str]:
    """The index letters a tree uses outside the sums binding them (n: a row)."""
    out, todo = set(), [(tree, frozenset({"n"}))]
    while todo:
        node, bound = todo.pop()
        if isinstance(node, G.Sum):
            todo.append((node.body, bound | {node.index}))
            continue
        if isinstance(node, G.Quantity):
            out |= {i.letter for i in node.indices if i.letter and i.letter not in bound}
        children = {G.Op: lambda n: [n.left, n.right], G.Neg: lambda n: [n.operand],
                    G.Transpose: lambda n: [n.operand], G.Call: lambda n: [n.arg],
                    G.Deriv: lambda n: [n.den] + ([n.num] if isinstance(n.num, G.Quantity)
                                                  else []),
                    G.Quantity: lambda n: [n.of] if n.of is not None else []}
        todo += [(c, bound) for c in children.get(type(node), lambda n: [])(node)]
    return out


def _compare(evaluator: Evaluator, model, g: G.GeneralClaim, lhs, rhs, places, optimizer,
             update: bool):
    """(the first failure's text or None, places compared, a hint from the places after)."""
    failure, tested, ratios, later = None, 0, [], 0
    letters = sorted(_free(lhs))
    for layers in places:
        base = Env(layers, {}, model.samples[0], g.batch, optimizer)
        sizes = [evaluator.index_range(letter, lhs, base) for letter in letters]
        if None in sizes:
            raise ClaimError(f"the left side's index {letters[sizes.index(None)]} names no "
                             f"neuron", hint="index a quantity of the layer: δ^l_j, w^l_{jk}")
        for values in itertools.product(*[range(1, n + 1) for n in sizes]):
            indices = dict(zip(letters, values))
            for sample in model.samples:
                env = Env(layers, indices, sample, g.batch, optimizer)
                left = _left(evaluator, lhs, env, update)
                before = (evaluator.quantity(lhs, env) if update and lhs.kind != "velocity"
                          else np.asarray(0.0))  # an update's hint compares the steps
                evaluator.work = 0  # the budget is per place
                try:
                    right = evaluator.value(rhs, env)
                except Undefined as why:
                    if failure is None:
                        return (f"fails at {_where(g, layers, indices)}: {why} there, "
                                f"{sample.label}.", tested, "")
                    return failure, tested, _hint(ratios, update)
                if failure is None:
                    tested += 1
                    failure = _differ(g, model, lhs, left, right, layers, indices, sample)
                else:
                    later += 1
                if left.shape == right.shape:
                    ratios += [(a, b) for a, b in zip(np.ravel(left - before),
                                                      np.ravel(right - before))]
                if failure and later > _HINT_PLACES:
                    return failure, tested, _hint(ratios, update)
    return failure, tested, _hint(ratios, update) if failure else ""


def _left(evaluator: Evaluator, lhs, env: Env, update: bool) -> np.ndarray:
    if update:
        return evaluator.quantity(lhs, replace(env, new=True))
    try:
        return evaluator.value(lhs, env)
    except Undefined as why:
        raise ClaimError(f"the left side has no value: {why}") from None


def _squeeze(value: np.ndarray) -> np.ndarray:
    return value.reshape(()) if value.shape == (1, 1) else value


def _differ(g, model, lhs, left, right, layers, indices, sample) -> str | None:
    """The text of the first difference of two values at one place, or None."""
    left, right = _squeeze(left), _squeeze(right)
    where = _where(g, layers, indices)
    if left.shape != right.shape:
        summed = _summed_hint(left, right)
        return (f"fails at {where}: the right side is {shape_text(right)}, the left side "
                f"{shape_text(left)}, {sample.label}.{summed}")
    for at in np.ndindex(*left.shape):
        a, b = float(left[at]), float(right[at])
        if math.isnan(a) and math.isnan(b) or is_close(a, b):
            continue
        entry = _entry(model, lhs, at, layers, left.shape) if left.ndim else ""
        return (f"fails at {where}{entry}: the right side is {fmt_number(b, 6)} there, the left "
                f"side {fmt_number(a, 6)}, {sample.label}.")
    return None


def _summed_hint(left: np.ndarray, right: np.ndarray) -> str:
    if right.ndim == 2 and left.ndim == 2 and left.shape[1] == 1:
        for axis, how in ((0, "its rows (Σ_j)"), (1, "its columns")):
            total = right.sum(axis=axis).reshape(-1, 1)
            if total.shape == left.shape and all(is_close(a, b) for a, b in
                                                 zip(total.ravel(), left.ravel())):
                return f" Summed over {how} it is the left side."
    return ""


def _where(g: G.GeneralClaim, layers: dict, indices: dict) -> str:
    var = _variable(g)
    parts = []
    if var == "*":
        parts.append(f"layer {layers['*']}")
    elif var:
        parts.append(f"{var} = {layers[var]}")
    elif _uses_output(g):
        parts.append(f"L = {layers['L']}")
    parts += [f"{k} = {v}" for k, v in indices.items()]
    return ", ".join(parts) or "the network's values"


def _uses_output(g: G.GeneralClaim) -> bool:
    return any(isinstance(n, G.Quantity) and n.layer is not None and n.layer.var == "L"
               for s in g.sides for n in G.walk(s))


def _entry(model, lhs, at: tuple, layers: dict, shape: tuple) -> str:
    """The entry of a vector or matrix left side, named as the derived rule names it."""
    if shape[1] == 1:
        kind = lhs.den.kind if isinstance(lhs, G.Deriv) else getattr(lhs, "kind", "")
        letter = "j"
        if kind == "delta" or isinstance(lhs, G.Deriv) and kind in ("pre", "act"):
            q = lhs.den if isinstance(lhs, G.Deriv) else lhs
            number = layer_number(q, Env(layers, {}, None, False, "sgd"))
            letter = "k" if number is not None and number < layers["L"] else "j"
        return f", {letter} = {at[0] + 1}"
    rows, cols = ("j", "k") if model.notation.weight_index == "jk" else ("k", "j")
    return f", {rows} = {at[0] + 1}, {cols} = {at[1] + 1}"


def _hint(pairs: list[tuple[float, float]], update: bool) -> str:
    """The sign is wrong, or the right side is a constant times the left (an update: its
    step, new − old, is)."""
    ratios = [a / b for a, b in pairs if b and not (math.isnan(a) or math.isnan(b))]
    if len(ratios) < 2 or not all(is_close(r, ratios[0], 1e-9) for r in ratios):
        return ""
    if is_close(ratios[0], 1.0):
        return ""
    if is_close(ratios[0], -1.0):
        return " The sign of the step is wrong." if update else " The sign is wrong."
    if update:
        return f" The true step is the claim's times {fmt_number(ratios[0], 6)} everywhere."
    return f" The left side is the right side times {fmt_number(ratios[0], 6)} everywhere."


def _layers_text(g: G.GeneralClaim, places: list[dict]) -> str:
    var = _variable(g)
    if not var:
        return _where(g, places[0], {})
    values = ", ".join(str(p[var]) for p in places)
    return f"layers {values}" if var == "*" else f"{var} = {values}"
