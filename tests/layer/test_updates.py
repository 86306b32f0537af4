"""The optimizers' updates in the notation step as torch.optim does (and as the generated
trainers do: derive/optimizers.py has the same conventions)."""

from __future__ import annotations

import pytest
import sympy

from derive.layer import OPTIMIZERS
from derive.layer.updates import alpha, beta1, beta2, epsilon, eta, t
from tests.layer.corpus import levels

torch = pytest.importorskip("torch")

HYPER = {eta: 0.1, alpha: 0.9, beta1: 0.9, beta2: 0.99, epsilon: 1e-8}
GRADIENTS = [0.5, -0.25, 0.75]


def torch_steps(name):
    w = torch.tensor([0.3], dtype=torch.float64, requires_grad=True)
    make = {"sgd": lambda p: torch.optim.SGD(p, lr=0.1),
            "momentum": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
            "nesterov": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
            "rmsprop": lambda p: torch.optim.RMSprop(p, lr=0.1, alpha=0.99, eps=1e-8),
            "adam": lambda p: torch.optim.Adam(p, lr=0.1, betas=(0.9, 0.99), eps=1e-8)}
    optimizer = make[name]([w])
    out = []
    for g in GRADIENTS:
        w.grad = torch.tensor([g], dtype=torch.float64)
        optimizer.step()
        out.append(w.item())
    return out


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_updates_step_as_torch(name):
    derivation = levels("act-sigmoid")[2]
    updates = [u for u in derivation.updates[name] if u.parameter == "weight"]
    theta = updates[-1].lhs
    values = {u.lhs: 0.0 for u in updates}
    values[theta] = 0.3
    gradient = next(iter(updates[0].rhs.atoms(sympy.Derivative)), None) or next(
        d for u in updates for d in u.rhs.atoms(sympy.Derivative))
    out = []
    for step, g in enumerate(GRADIENTS, start=1):
        for update in updates:
            env = {**HYPER, t: step, gradient: g, **values}
            values[update.lhs] = float(update.rhs.xreplace(env))
        out.append(values[theta])
    assert out == pytest.approx(torch_steps(name), rel=1e-12)


def test_momentum_is_seed_002s_rule():
    """Δw(t) = −ε ∂ℓ/∂w(t) + α Δw(t−1), then w + Δw; biases alike."""
    derivation = levels("act-sigmoid")[2]
    velocity, step, *bias = derivation.updates["momentum"]
    g = next(iter(velocity.rhs.atoms(sympy.Derivative)))
    assert velocity.rhs == -eta * g + alpha * velocity.lhs
    assert step.rhs == step.lhs + velocity.lhs
    assert "seed 002" in velocity.reason
    assert [u.parameter for u in bias] == ["bias", "bias"]
    assert str(g.expr) == r"\bar{C}"
