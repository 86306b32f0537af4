"""Optimizers as SymPy update rules: the one definition of each optimizer's arithmetic.

Code generation prints them into every module like the gradients (codegen/scaffold.py), and
the layer level writes them in the spec's notation (derive/layer/updates.py), both from
these rules.

A rule set is a list of ``(name, expression)`` applied in order to one parameter ``w`` with
gradient ``g``: each left side takes its new value, and later rules see it. ``v`` and ``s``
are the two per-parameter state slots (velocity or first moment, second moment), ``t`` the
1-based step count, and the hyperparameters are the names in :data:`HYPER`. Weight decay
(L2) adds ``weight_decay·w`` to the gradient first, as ``torch.optim`` does.
"""

from __future__ import annotations

from functools import cache

import sympy

from derive.vocabulary import OPTIMIZERS

__all__ = ["HYPER", "OPTIMIZERS", "STATE", "optimizer_rules"]

#: hyperparameter names, in the order of a module's ``hyper`` array
HYPER = ("lr", "momentum", "beta1", "beta2", "eps", "weight_decay")
#: per-parameter state slots, in the order of a module's ``state`` rows
STATE = ("v", "s")
#: (OPTIMIZERS, the optimizer names a spec may use, come from derive.vocabulary; a module's
#: ``step`` takes the index into it)


@cache
def optimizer_rules() -> dict[str, list[tuple[str, sympy.Expr]]]:
    """Name → the update rules of that optimizer, for every name of ``OPTIMIZERS``."""
    # plain symbols (no assumptions): never equal to a spec's (real) symbol of the same name
    w, g, v, s, t = sympy.symbols("w g v s t")
    lr, momentum, beta1, beta2, eps, decay = sympy.symbols(HYPER)
    decayed = ("g", g + decay * w)
    return {
        "sgd": [decayed, ("w", w - lr * g)],
        # seed 002: Δw(t) = −ε ∂C/∂w + α Δw(t−1); PyTorch's buffer b is −Δw/lr
        "momentum": [decayed, ("v", -lr * g + momentum * v), ("w", w + v)],
        "nesterov": [decayed, ("v", -lr * g + momentum * v), ("w", w - lr * g + momentum * v)],
        # β2 is RMSprop's smoothing constant (PyTorch's alpha); eps outside the root, as there
        "rmsprop": [decayed, ("s", beta2 * s + (1 - beta2) * g**2),
                    ("w", w - lr * g / (sympy.sqrt(s) + eps))],
        "adam": [decayed, ("v", beta1 * v + (1 - beta1) * g),
                 ("s", beta2 * s + (1 - beta2) * g**2),
                 ("w", w - lr / (1 - beta1**t) * v
                  / (sympy.sqrt(s) / sympy.sqrt(1 - beta2**t) + eps))],
    }
