"""The backpropagation rules of one layer, derived from the template by reverse accumulation.

Each rule is the adjoint (:func:`derive.layer.adjoint.adjoint`) of one template quantity:

- δ^L_j = ∂C/∂z^L_j, through ∂C/∂a^L_i (the loss) and ∂a^L_i/∂z^L_j (the output activation);
- δ^l_k, through ∂z^{l+1}_j/∂a^l_k (the next layer's sum) and ∂a^l_k/∂z^l_k (f′);
- ∂C/∂w^l_{jk} and ∂C/∂b^l_j (or the shared b^l), through ∂z^l_i/∂w^l_{jk} and ∂z^l_i/∂b;
- the mean over a batch of N rows, through C̄ = (1/N) Σ_n C_n.

Local partials are written in forward quantities as the scalar level writes them (σ′(z) as
a(1 − a), tanh′(z) as 1 − a², softmax's as a_i δ_{ij} − a_i a_j).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from derive.functions import function
from derive.layer.adjoint import Equation, adjoint, sum_over
from derive.layer.template import N, Template, i, j, k, m, n


@dataclass(frozen=True)
class Rule:
    """One derived rule: ``lhs = index`` (and ``lhs = matrix`` in matrix/vector form)."""

    name: str
    lhs: sympy.Expr
    index: sympy.Expr
    reason: str
    #: the free indices of ``index`` (j; k; j, k; none for a shared bias)
    free: tuple[sympy.Symbol, ...] = ()
    #: the textbook form, where it differs from the derived one, and when it holds
    textbook: sympy.Expr | None = None
    textbook_when: str = ""
    matrix: sympy.Expr | None = None
    #: which activation, loss or bias mode the rule is for (e.g. "sigmoid", "shared")
    case: str = ""


def cost_symbol(template: Template) -> sympy.Symbol:
    """The cost C, in the notation's letter."""
    return sympy.Symbol(template.notation.cost, real=True)


def up(layer: sympy.Expr) -> str:
    """A layer as a reason's superscript shows it (l + 1, L, 3)."""
    return sympy.latex(layer)


def letters(template: Template) -> tuple[str, str, str]:
    """The notation's letters of the cost, the activations and the pre-activations (C, a, z in
    the default; seed 002's C, y, z), as the reasons write them."""
    notation = template.notation
    return notation.cost, notation.activation, notation.preactivation


def derivative(of: sympy.Expr, wrt: sympy.Expr) -> sympy.Derivative:
    """∂of/∂wrt, unevaluated (the left side of a rule)."""
    return sympy.Derivative(of, wrt, evaluate=False)


def tidy(expr: sympy.Expr) -> sympy.Expr:
    """Cancel the fractions a log-loss brings ((−y/a + (1−y)/(1−a))·a(1−a) is a − y) and
    keep products factored; the shortest of the forms."""
    forms = [sympy.factor_terms(expr)]
    if any(p.exp.is_negative for p in expr.atoms(sympy.Pow)):
        forms.insert(0, sympy.factor_terms(sympy.cancel(sympy.together(expr))))
    return min(forms, key=sympy.count_ops)


# ---- forward quantities ------------------------------------------------------------------

def forward_form(template: Template, layer: sympy.Expr, activation: str):
    """A rewriting of a local partial with a^l where it holds f(z^l)'s own expression."""
    z, a = template.z(layer), template.a(layer)
    if activation == "softmax":
        return lambda expr: _softmax_forward(expr, z, a)
    if activation == "identity":
        return lambda expr: expr
    f = function(activation)

    def rewrite(expr):
        return expr.replace(
            lambda e: e.func == f and len(e.args) == 1 and isinstance(e.args[0], sympy.Indexed)
            and e.args[0].base == z, lambda e: a[e.args[0].indices])
    return rewrite


def _softmax_forward(expr: sympy.Expr, z: sympy.IndexedBase, a: sympy.IndexedBase):
    """e^{z_x} / Σ e^{z} as a_x: the sum named D, each e^{z_x} put as a_x·D, D cancelled."""
    sums = [s for s in expr.atoms(sympy.Sum) if isinstance(s.function, sympy.exp)
            and isinstance(s.function.args[0], sympy.Indexed) and s.function.args[0].base == z]
    if not sums:
        return expr
    named = {s: sympy.Dummy("D", positive=True) for s in sums}
    (total, D), = named.items()
    replaced = expr.xreplace(named).replace(
        lambda e: isinstance(e, sympy.exp) and isinstance(e.args[0], sympy.Indexed)
        and e.args[0].base == z, lambda e: a[e.args[0].indices] * D)
    rewritten = sympy.expand(sympy.cancel(replaced))
    return expr if rewritten.has(D) else rewritten


# ---- the template's equations ------------------------------------------------------------

def says(entry: sympy.Expr, rhs: sympy.Expr) -> str:
    """An equation as its reason names it, in LaTeX and the spec's letters:
    ``{z^{l}}_{j} = {b^{l}}_{j} + \\sum_{k=1}^{n^{l - 1}} …``."""
    return f"{sympy.latex(entry)} = {sympy.latex(rhs)}"


def preactivation_equation(template: Template, layer, bias: str) -> Equation:
    """z^l_j = Σ_m w^l_{jm} a^{l−1}_m + b^l_j, as an equation of the accumulation."""
    return Equation(template.z(layer), j, template.size(layer),
                    template.preactivation(layer, bias, to=j, over=m),
                    says(template.z(layer)[j], template.preactivation(layer, bias)))


def activation_equation(template: Template, layer, activation: str) -> Equation:
    """a^l_j = f(z^l_j)."""
    return Equation(template.a(layer), j, template.size(layer),
                    template.activation(layer, activation, to=j, over=m),
                    says(template.a(layer)[j], template.activation(layer, activation)))


def loss_equation(template: Template, layer, loss: str) -> Equation:
    """C = loss(a^L, y)."""
    return Equation(cost_symbol(template), None, None, template.loss(layer, loss, over=m),
                    f"{template.notation.cost} = {loss}({up(template.a(layer))}, "
                    f"{template.notation.target})")


# ---- the rules -----------------------------------------------------------------------------

def output_rules(template: Template, layer, activation: str, loss: str) -> list[Rule]:
    """∂C/∂a^L_j (∇_a C) and δ^L_j for the output ``layer``."""
    cost = loss_equation(template, layer, loss)
    act = activation_equation(template, layer, activation)
    a, z = template.a(layer), template.z(layer)
    grad_a, _ = adjoint(a[j], [cost], {cost.lhs: 1}, i)
    grad_a = tidy(grad_a)
    delta, _ = adjoint(z[j], [act], {act.lhs: sympy.Lambda(j, grad_a)}, i,
                       forward_form(template, layer, activation))
    delta = tidy(delta)
    textbook, when = textbook_output(template, layer, delta, activation, loss)
    c = cost_symbol(template)
    C, A, Z = letters(template)
    L = up(layer)
    return [
        Rule("grad_output", derivative(c, a[j]), grad_a, f"∂ of {cost.says} by {A}^{{{L}}}_j",
             (j,), case=loss),
        Rule("delta_output", template.delta(layer)[j], delta,
             f"Σ_i ∂{C}/∂{A}^{{{L}}}_i · ∂{A}^{{{L}}}_i/∂{Z}^{{{L}}}_j: "
             f"∂ of {cost.says}, then of {act.says}"
             + (" (softmax couples every i to j)" if activation == "softmax" else ""),
             (j,), textbook, when, case=f"{activation} + {loss}"),
    ]


def textbook_output(template: Template, layer, delta, activation: str, loss: str):
    """The textbook δ^L where it is shorter than the derived one: a − y for softmax with
    categorical cross-entropy when the targets sum to 1 (one-hot), else none."""
    if activation == "softmax" and loss == "categorical_cross_entropy":
        y = template.y()
        total = sympy.Sum(y[i], (i, 1, template.size(layer)))
        return delta.xreplace({total: sympy.S.One}), "the targets sum to 1 (one-hot)"
    return None, ""


def hidden_rules(template: Template, layer, activation: str, next_bias: str) -> list[Rule]:
    """∂C/∂a^l_k = Σ_j w^{l+1}_{jk} δ^{l+1}_j (seed 002's ∂ℓ/∂y^{i−1}) and the recurrence
    δ^l_k = Σ_j w^{l+1}_{jk} δ^{l+1}_j f′(z^l_k), for a layer below another."""
    above = preactivation_equation(template, layer + 1, next_bias)
    act = activation_equation(template, layer, activation)
    a, z, here, next_ = template.a(layer), template.z(layer), up(layer), up(layer + 1)
    grad_a, _ = adjoint(a[k], [above], {above.lhs: template.delta(layer + 1)}, j)
    delta, _ = adjoint(z[k], [act], {act.lhs: sympy.Lambda(k, grad_a)}, i,
                       forward_form(template, layer, activation))
    c = cost_symbol(template)
    _, A, Z = letters(template)
    return [
        Rule("grad_activation", derivative(c, a[k]), grad_a,
             f"Σ_j δ^{{{next_}}}_j ∂{Z}^{{{next_}}}_j/∂{A}^{{{here}}}_k: ∂ of {above.says}",
             (k,), case=next_bias),
        Rule("delta_hidden", template.delta(layer)[k], sympy.factor_terms(delta),
             f"Σ_j δ^{{{next_}}}_j ∂{Z}^{{{next_}}}_j/∂{A}^{{{here}}}_k · "
             f"∂{A}^{{{here}}}_k/∂{Z}^{{{here}}}_k: ∂ of {above.says}, then of {act.says}", (k,),
             case=activation),
    ]


def hidden_rule(template: Template, layer, activation: str, next_bias: str) -> Rule:
    """δ^l_k of a layer below another (the second of :func:`hidden_rules`)."""
    return hidden_rules(template, layer, activation, next_bias)[1]


def parameter_rules(template: Template, layer, bias: str) -> list[Rule]:
    """∂C/∂w^l_{jk} and ∂C/∂b^l_j (shared: ∂C/∂b^l) of a layer."""
    z_eq = preactivation_equation(template, layer, bias)
    deltas = {z_eq.lhs: template.delta(layer)}
    c = cost_symbol(template)
    _, _, Z = letters(template)
    w = template.weight(layer, j, k)
    grad_w, _ = adjoint(w, [z_eq], deltas, i)
    rules = [Rule("grad_weight", derivative(c, w), grad_w,
                  f"Σ_i δ^{{{up(layer)}}}_i ∂{Z}^{{{up(layer)}}}_i/∂{template.notation.weight}: "
                  f"∂ of {z_eq.says} by the weight", (j, k))]
    b = template.bias(layer, bias, j)
    if b is not None:
        grad_b, _ = adjoint(b, [z_eq], deltas, i)
        shared = bias == "shared"
        rules.append(Rule("grad_bias", derivative(c, b), grad_b,
                          f"Σ_i δ^{{{up(layer)}}}_i ∂{Z}^{{{up(layer)}}}_i/"
                          f"∂{template.notation.bias}: ∂ of {z_eq.says} by the bias"
                          + (f" (one bias in every {Z}^l_i)" if shared else ""),
                          () if shared else (j,), case=bias))
    return rules


def batch_rule(template: Template, rule: Rule, parameters: set) -> Rule:
    """The mean of ``rule`` (a parameter's gradient) over a batch of N rows.

    C̄ = (1/N) Σ_n C_n and ∂C̄/∂θ = Σ_n ∂C̄/∂C_n · ∂C_n/∂θ, with ∂C_n/∂θ the rule at row n.
    """
    per_row = sympy.IndexedBase(template.notation.cost, real=True)
    mean_symbol = sympy.Symbol(r"\bar{" + template.notation.cost + "}", real=True)
    row = sympy.Dummy("r", integer=True, positive=True)
    C = template.notation.cost
    mean = Equation(mean_symbol, None, None, sympy.Sum(per_row[row], (row, 1, N)) / N,
                    f"{C}̄ = (1/N) Σ_n {C}_n")
    weight, _ = adjoint(per_row[n], [mean], {mean_symbol: 1}, i)
    total = sum_over(weight * rowwise(rule.index, parameters), n, 1, N)
    wrt = rule.lhs.variables[0]
    return Rule("batch_" + rule.name.removeprefix("grad_"), derivative(mean_symbol, wrt),
                total, f"∂ of {mean.says} by each {C}_n, times ∂{C}_n/∂θ at row n", rule.free,
                case=rule.case)


def batch_delta(rule: Rule, parameters: set) -> Rule:
    """A δ rule at every row n of a batch (δ^l_{nk}: the rows of the matrix Δ^l)."""
    return Rule("batch_" + rule.name, rowwise(rule.lhs, parameters),
                rowwise(rule.index, parameters), rule.reason + ", at each row n",
                (n, *rule.free), case=rule.case)


def rowwise(expr: sympy.Expr, parameters: set) -> sympy.Expr:
    """``expr`` at row n of a batch: every entry that is not a parameter gets the row first."""
    return expr.replace(lambda e: isinstance(e, sympy.Indexed) and e.base not in parameters,
                        lambda e: e.base[(n, *e.indices)])
