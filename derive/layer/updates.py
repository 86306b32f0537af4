"""The optimizers' update rules at layer level, in the spec's notation.

The rules are :mod:`derive.optimizers`' (the ones the generated trainers print: sgd,
momentum, nesterov, rmsprop, adam), written here for a weight w^l_{jk} and a bias b^l_j with
the batch mean ∂C̄/∂θ = (1/N) Σ_n ∂C_n/∂θ as the gradient g and no weight decay. An optimizer
is a list of updates applied in order: each left side takes its new value, later right sides
see it, and every other quantity is its value before the step (so seed 002's momentum
Δw(t) = −ε (1/N) ∂ℓ/∂w(t) + α Δw(t−1), w(t) = w(t−1) + Δw(t) is two updates). These are the
optimizers' definitions, not derived: nothing in them is a derivative but g.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from derive.layer.template import Template, j, k, l, superscript
from derive.optimizers import optimizer_rules
from derive.vocabulary import OPTIMIZERS

#: The hyperparameters: learning rate η, momentum α, the moments' decays β₁ β₂, ε, step t.
eta, alpha, beta1, beta2, epsilon = sympy.symbols("eta alpha beta_1 beta_2 epsilon",
                                                  positive=True)
t = sympy.Symbol("t", integer=True, positive=True)

#: Why each update of an optimizer is what it is, by the slot it updates (w: the parameter;
#: v: the velocity Δθ, or Adam's first moment m; s: the second moment).
REASONS = {
    "sgd": {"w": "a step against the gradient: θ − η ∂C̄/∂θ"},
    "momentum": {"v": "Δθ(t) = −η ∂C̄/∂θ + α Δθ(t−1) (seed 002)",
                 "w": "θ(t) = θ(t−1) + Δθ(t)"},
    "nesterov": {"v": "Δθ(t) = −η ∂C̄/∂θ + α Δθ(t−1)",
                 "w": "the step looks ahead along the new velocity: θ − η ∂C̄/∂θ + α Δθ(t)"},
    "rmsprop": {"s": "running mean of g²", "w": "the step scaled by the root of the mean g²"},
    "adam": {"v": "running mean of g", "s": "running mean of g²",
             "w": "the bias-corrected means: θ − η m̂ / (√ŝ + ε)"},
}


@dataclass(frozen=True)
class Update:
    """``lhs ← rhs`` for one parameter kind (``"weight"`` or ``"bias"``) of an optimizer."""

    optimizer: str
    parameter: str
    lhs: sympy.Expr
    rhs: sympy.Expr
    reason: str


def state(letter: str, entry: sympy.Expr, layer: sympy.Expr, name: str) -> sympy.Expr:
    """A per-parameter state of the optimizer (Δw^l_{jk}, s_{w^l}…) at the entry's indices."""
    base = sympy.IndexedBase(f"{name}{superscript(letter, layer)}", real=True)
    return base[entry.indices] if isinstance(entry, sympy.Indexed) else sympy.Symbol(
        str(base.label), real=True)


def gradient(template: Template, theta: sympy.Expr) -> sympy.Derivative:
    """g = ∂C̄/∂θ, the batch mean's derivative."""
    mean = sympy.Symbol(r"\bar{" + template.notation.cost + "}", real=True)
    return sympy.Derivative(mean, theta, evaluate=False)


def optimizer_updates(name: str, parameter: str, theta: sympy.Expr, g: sympy.Expr,
                      letter: str, layer: sympy.Expr) -> list[Update]:
    """The updates of optimizer ``name`` for one parameter ``theta`` with gradient ``g``: the
    rules of :func:`derive.optimizers.optimizer_rules` in the notation's symbols."""
    slots = {"w": theta, "g": g, "s": state(letter, theta, layer, "s_"),
             "v": state(letter, theta, layer, "m_" if name == "adam" else r"\Delta ")}
    generic = dict(zip(sympy.symbols("w g v s t lr momentum beta1 beta2 eps weight_decay"),
                       [slots["w"], g, slots["v"], slots["s"], t, eta, alpha, beta1, beta2,
                        epsilon, 0]))
    return [Update(name, parameter, slots[slot], rule.xreplace(generic), REASONS[name][slot])
            for slot, rule in optimizer_rules()[name]
            if slot != "g"]  # g's rule adds weight decay, which the layer level leaves out


def update_rules(template: Template, layer: sympy.Expr = l,
                 bias: str = "per-neuron") -> dict[str, list[Update]]:
    """Optimizer → its updates of a weight w^l_{jk} and a bias b^l_j of ``layer``."""
    notation = template.notation
    w = template.weight(layer, j, k)
    b = template.bias(layer, bias, j)
    out = {}
    for name in OPTIMIZERS:
        out[name] = optimizer_updates(name, "weight", w, gradient(template, w),
                                      notation.weight, template.weight_layer(layer))
        if b is not None:
            out[name] += optimizer_updates(name, "bias", b, gradient(template, b),
                                           notation.bias, template.bias_layer(layer))
    return out
