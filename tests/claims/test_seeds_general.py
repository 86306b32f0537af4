"""The general claims of seeds 000 and 002, verdict by verdict, and the facts the verdicts
rest on, computed independently: PyTorch autograd on seed 002's 3-4-2 network (not through
derive/), at its spec's values and at random biases.

Why each verdict (seed 002, examples/seed002_insidelearningmachines_claims.toml):

1. z^i_j = b^i_j + w^i_j · y^{i-1}: equation (1), the layer's sum: holds.
2. y^i_j = f(z^i_j): equation (2), f the layer's sigmoid: holds.
3. ∂ℓ/∂z^i = (∂ℓ/∂y^{pred})(df/dz^i) for a general i: only the output layer's rule (the post
   says so in words); at the hidden i = 1, ∂ℓ/∂y^{pred} has 2 entries and f′(z^1) 4: the
   product is a 2 × 4 matrix, not the vector δ^1 of 4: wrong at i = 1.
4. the same at the output layer L: ∇_y ℓ ⊙ f′(z^L) is δ^L: holds.
5. z^i = w^i · y^{i-1} drops the bias b^i: equal only where b^i = 0 (the spec's starting
   biases are 0), different at a random point: wrong.
6. ∂ℓ/∂w^i = (∂ℓ/∂z^i)(∂z^i/∂w^i) = (∂ℓ/∂z^i) y^{i-1}: with j dropped, row j is δ^i_j y^{i-1}:
   the matrix δ^i (y^{i-1})ᵀ, torch's gradient: holds (both right sides).
7. ∂ℓ/∂b^i = Σ^N ∂ℓ/∂z^i: ℓ of N samples is the sum of theirs, and ∂ℓ_n/∂b^i = δ^i_n: holds.
8. ∂ℓ/∂y^{i-1} = (∂ℓ/∂z^i)(∂z^i/∂y^{i-1}) = (∂ℓ/∂z^i) w^i as printed: δ^i_j w^i_{jk}, one
   value per connection (a 2 × 4 matrix at i = 2), not the vector ∂ℓ/∂y^1 of 4: wrong, and
   summed over j (the post: "summed over all connections") it is the left side.
9. that sum, Σ_j δ^i_j w^i_{jk}: holds (torch's ∂ℓ/∂y^1).
10. Δw = −ε (1/N) ∂ℓ/∂w: ℓ summed over the N samples, (1/N) ∂ℓ/∂w is the mean gradient:
    gradient descent's step: holds.
11. Δw(t) = −ε (1/N) ∂ℓ/∂w(t) + α Δw(t−1): the momentum step: holds.

Seed 000 (examples/seed000_vitalflux_general_claims.toml): w^l = w^l − learningRate ∂C/∂w^l
and b^l = b^l − learningRate ∂C/∂b^l are gradient descent on every layer: both hold.
"""

from __future__ import annotations

import torch

from derive.claims.check import check
from derive.claims.claims_file import load_claims
from derive.spec.examples import EXAMPLES_DIR, load_example
from tests.claims.examples import H, W, verdicts_of

SEED002 = [  # (verdict, a fragment of its detail)
    (H, ""), (H, ""),
    (W, "fails at i = 1: the right side is a 2 × 4 matrix, the left side a vector of 4"),
    (H, ""),
    (W, "fails at i = 1, j = 1"),
    (H, ""), (H, ""),
    (W, "Summed over its rows (Σ_j) it is the left side"),
    (H, ""), (H, ""), (H, ""),
]


def test_seed002_verdicts():
    verdicts = verdicts_of("seed002_insidelearningmachines")
    assert [v.verdict for v in verdicts] == [e for e, _ in SEED002]
    for v, (_, fragment) in zip(verdicts, SEED002):
        assert v.kind == "general"
        assert fragment in v.detail, (v.claim, v.detail)
    assert "[1: general wrong]" in verdicts[7].detail and "[2: general wrong]" in verdicts[7].detail
    assert "spec's values" not in verdicts[4].detail  # b^i = 0 there: only a random point fails


def test_seed000_general_verdicts():
    claims, lines, aliases = load_claims(str(EXAMPLES_DIR / "seed000_vitalflux_general_claims.toml"))
    verdicts = check(load_example("seed000_vitalflux"), claims, aliases, lines)
    assert [v.verdict for v in verdicts] == [H, H]
    assert "l = 1, 2" in verdicts[0].detail


def _torch_net(biases: bool):
    """Seed 002's network at its spec's values (random biases if asked), by hand in torch."""
    net = load_example("seed002_insidelearningmachines")
    p = net.parameters
    gen = torch.Generator().manual_seed(5)
    w1 = torch.tensor([[p[f"w1_{j}{k}"] for k in range(1, 4)] for j in range(1, 5)],
                      dtype=torch.float64, requires_grad=True)
    w2 = torch.tensor([[p[f"w2_{j}{k}"] for k in range(1, 5)] for j in range(1, 3)],
                      dtype=torch.float64, requires_grad=True)
    b1 = (torch.rand(4, generator=gen, dtype=torch.float64) if biases
          else torch.tensor([p[f"b1_{j}"] for j in range(1, 5)], dtype=torch.float64))
    b2 = (torch.rand(2, generator=gen, dtype=torch.float64) if biases
          else torch.tensor([p[f"b2_{j}"] for j in range(1, 3)], dtype=torch.float64))
    b1.requires_grad_(True)
    b2.requires_grad_(True)
    x = torch.tensor(list(net.inputs.values()), dtype=torch.float64)
    t = torch.tensor(list(net.targets.values()), dtype=torch.float64)
    z1 = w1 @ x + b1
    y1 = torch.sigmoid(z1)
    y1.retain_grad()
    z1.retain_grad()
    z2 = w2 @ y1 + b2
    z2.retain_grad()
    y2 = torch.sigmoid(z2)
    loss = 0.5 * ((t - y2) ** 2).sum()
    loss.backward()
    return dict(w1=w1, w2=w2, b1=b1, b2=b2, x=x, z1=z1, y1=y1, z2=z2, y2=y2, t=t)


def test_seed002_hand_reasoning():
    """The facts the verdicts rest on, from torch autograd."""
    n = _torch_net(biases=False)
    # 5: the spec's starting biases are 0, so z = W y there; with biases it is not
    assert torch.all(n["b1"] == 0) and torch.all(n["b2"] == 0)
    r = _torch_net(biases=True)
    assert not torch.allclose(r["z1"], r["w1"] @ r["x"])
    for m in (n, r):
        d1, d2 = m["z1"].grad, m["z2"].grad
        # 6: ∂ℓ/∂W^i is the outer product δ^i (y^{i-1})ᵀ
        assert torch.allclose(m["w1"].grad, torch.outer(d1, m["x"]))
        assert torch.allclose(m["w2"].grad, torch.outer(d2, m["y1"]))
        # 7 (one sample): ∂ℓ/∂b^i = δ^i
        assert torch.allclose(m["b2"].grad, d2)
        # 8, 9: δ_j w_{jk} is a 2 × 4 matrix; summed over j it is ∂ℓ/∂y^1
        per_connection = d2[:, None] * m["w2"].detach()
        assert per_connection.shape == (2, 4)
        assert torch.allclose(per_connection.sum(dim=0), m["y1"].grad)
        # 3, 4: δ^L = ∂ℓ/∂y^{pred} ⊙ f′(z^L); at the hidden layer ∂ℓ/∂y^{pred} has 2 entries, z^1 4
        y2 = m["y2"].detach()
        assert torch.allclose(d2, (y2 - m["t"]) * y2 * (1 - y2))
        assert m["z1"].shape == (4,) and y2.shape == (2,)
