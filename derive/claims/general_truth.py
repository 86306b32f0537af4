"""The truth beside a general claim: the derived layer rule (or update, or template equation)
its left side names, printed in the claim's notation (its layer letter, its cost's spelling;
plain text or LaTeX as the claim is written)."""

from __future__ import annotations

import re

import sympy
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from derive.claims import general_tree as G


class _Plain(StrPrinter):
    """Index and matrix forms as plain claims write them: w^{l}_{jk}, Σ_j (…), ⊙, ^T."""

    printmethod = "_chainrule_plain"  # not Indexed's own _sympystr (a[j])

    def _print_Indexed(self, e):
        parts = [self._print(i) for i in e.indices]
        sub = ("".join if all(len(p) == 1 for p in parts) else ",".join)(parts)
        return f"{e.base.label}_{{{sub}}}"

    def _print_Sum(self, e):
        (index, _, _), = e.limits
        return f"Σ_{self._print(index)} ({self._print(e.function)})"

    def _print_Derivative(self, e):
        return f"∂{self._print(e.expr)}/∂{self._print(e.variables[0])}"

    def _print_HadamardProduct(self, e):
        return " ⊙ ".join(self.parenthesize(a, 50) for a in e.args)

    def _print_Transpose(self, e):
        return f"({self._print(e.arg)})^T"

    def _print_MatMul(self, e):
        args = list(e.args)
        sign = "-" if args[0] == -1 else ""
        args = args[1:] if sign else args
        return sign + " ".join(self.parenthesize(a, 50) for a in args)

    def _print_MatAdd(self, e):
        return self._print_Add(e)


class _Latex(LatexPrinter):
    """LaTeX with derivatives as ∂ fractions."""

    def _print_Derivative(self, e):
        return (rf"\frac{{\partial {self._print(e.expr)}}}"
                rf"{{\partial {self._print(e.variables[0])}}}")


def show(expr, latex: bool) -> str:
    if latex:
        text = _Latex().doprint(expr)
        text = re.sub(r"\\operatorname\{sigmoid\}|(?<![A-Za-z\\])sigmoid", r"\\sigma", text)
        return text.replace("delta^", r"\delta^").replace("Delta^", r"\Delta^")
    return _Plain().doprint(expr)


def renamed(text: str, claim: G.GeneralClaim, cost: str, latex: bool) -> str:
    """The derivation's l and cost letter as the claim writes them (i, ℓ), sums' spacing."""
    var = next((v for v in claim.layer_vars if v != "l"), None)
    if var:
        text = re.sub(r"(?<![A-Za-z\\])l(?![A-Za-z])", var, text)
    spelling = claim.cost_spelling
    if spelling and spelling != cost:
        text = re.sub(rf"(?<![A-Za-z\\]){re.escape(cost)}(?![A-Za-z])",
                      lambda m: spelling if latex else spelling.replace("\\ell", "ℓ"), text)
    return re.sub(r"\{([A-Za-z]) ([+-]) (\d)\}", r"{\1\2\3}", text)


def _rule(derivation, name: str, case: str | None = None):
    found = [r for r in derivation.general if r.name == name]
    return next((r for r in found if case is None or r.case == case), found[0] if found else None)


def truth_text(model, claim: G.GeneralClaim, optimizer: str) -> str:
    """The derived rule the claim's left side names, "lhs = rhs" (several joined by "; ")."""
    from derive.layer.template import N
    lhs, latex = claim.sides[0], claim.latex
    bare = isinstance(lhs, (G.Quantity, G.Deriv)) and not (
        lhs.den.indices if isinstance(lhs, G.Deriv) else lhs.indices)
    rules = _rules(model, claim, lhs, optimizer)
    total = claim.batch and isinstance(lhs, G.Deriv) and getattr(lhs.num, "kind", "") == "cost"
    cost = model.notation.cost
    out = []
    for rule in rules:
        if isinstance(rule, tuple):  # (left, right) of an update or a template equation
            left, right = rule
        else:
            left = rule.lhs
            whole = bare and rule.free and rule.matrix is not None
            right = rule.matrix if whole else rule.index
            if whole:  # the whole vector or matrix: w^{l}, δ^{l}
                left = left.xreplace({e: sympy.Symbol(str(e.base.label))
                                      for e in left.atoms(sympy.Indexed)})
            if total and isinstance(left, sympy.Derivative):  # the batch's Σ_n C_n: N C̄
                left = sympy.Derivative(sympy.Symbol(cost), *left.variables, evaluate=False)
                right = N * right
        out.append(f"{show(left, latex)} = {show(right, latex)}")
    return renamed("; ".join(out), claim, cost, latex)


def _rules(model, claim: G.GeneralClaim, lhs, optimizer: str) -> list:
    d, layers = model.derivation, model.layers
    hidden = [_rule(d, "delta_hidden", a) for a in dict.fromkeys(layers.activations[:-1])]
    output = [_rule(d, "delta_output")]
    if isinstance(lhs, G.Deriv) and getattr(lhs.num, "kind", "") in ("cost", "mean"):
        den, mean = lhs.den, lhs.num.kind == "mean" or claim.batch
        if den.kind in ("weight", "bias"):
            name = ("batch_" if mean else "grad_") + den.kind
            return [r for r in [_rule(d, name)] if r]
        if den.kind == "act":
            return [r for r in (_rule(d, "grad_activation"), _rule(d, "grad_output")) if r]
        lhs = G.Quantity("delta", den.layer, den.indices, den.pos, den.text)
    if isinstance(lhs, G.Quantity):
        if lhs.kind == "delta":
            at_output = lhs.layer is not None and lhs.layer.var == "L"
            return [r for r in (output if at_output else hidden + output) if r]
        if lhs.kind == "grad_a":
            return [r for r in [_rule(d, "grad_output")] if r]
        if lhs.kind in ("weight", "bias", "velocity"):
            return _updates(model, lhs, optimizer)
        if lhs.kind in ("pre", "act"):
            return _equation(model, lhs)
    return []


def _updates(model, lhs: G.Quantity, name: str) -> list:
    """The optimizer's updates of the left side's kind of parameter (sgd's Δθ: its step),
    for the network's first bias mode."""
    from derive.layer.template import l
    from derive.layer.updates import update_rules
    parameter = lhs.of.kind if lhs.kind == "velocity" else lhs.kind
    modes = [m for m in model.layers.biases if m != "none"] or ["none"]
    updates = update_rules(model.derivation.general_template, l, modes[0])
    found = [u for u in updates.get(name, []) if u.parameter == parameter]
    if name == "sgd" and lhs.kind == "velocity":
        return [(sympy.Symbol(r"\Delta " + str(u.lhs.base.label if isinstance(u.lhs, sympy.Indexed)
                                               else u.lhs)), u.rhs - u.lhs) for u in found]
    return [(u.lhs, u.rhs) for u in found]


def _equation(model, lhs: G.Quantity) -> list:
    from derive.layer.template import j, l
    template, layers = model.derivation.general_template, model.layers
    if lhs.kind == "pre":
        return [(template.z(l)[j], template.preactivation(l, layers.biases[-1]))]
    return [(template.a(l)[j], template.activation(l, layers.activations[0]))]
