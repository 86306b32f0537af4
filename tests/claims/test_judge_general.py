"""The general judge (derive/claims/judge_general.py): the four backpropagation equations in
plain math and LaTeX hold, and each wrong variant is wrong at the place it fails, with both
sides' values there.

The networks: Nielsen's notation on a 2-3-3-2 sigmoid net with squared error (layers 1 … 4,
the input layer 1; W^3 is 3 × 3, so the recurrence written with W^{l+1} for its transpose
still multiplies at l = 2 and differs there in value; at l = 3, W^4 is 2 × 3), seed 000's
2-3-1 identity network and seed 002's 3-4-2 network.
"""

from __future__ import annotations

import re

import pytest

from derive.claims.check import JUDGES, check
from derive.spec.examples import load_example
from derive.spec.model import Network
from tests.claims.examples import H, U, W

NETS = {
    "nielsen": Network.layered([2, 3, 3, 2], "sigmoid", loss="squared_error",
                               inputs=[0.3, -0.6], targets=[0.2, 0.7]),
    "seed000": load_example("seed000_vitalflux"),
    "seed002": load_example("seed002_insidelearningmachines"),
}

HOLD = [
    # the four equations, plain and LaTeX (σ′ of a sigmoid layer: the net is sigmoid)
    ("nielsen", r"\delta^L = \nabla_a C \odot \sigma'(z^L)"),
    ("nielsen", "delta^L = nabla_a C * sigma'(z^L)"),
    ("nielsen", "delta^l = ((w^{l+1})^T delta^{l+1}) * sigma'(z^l)"),
    ("nielsen", r"\delta^l = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l)"),
    ("nielsen", "δ^l = ((w^{l+1})^T δ^{l+1}) ⊙ σ′(z^l)"),
    ("nielsen", "dC/db^l_j = delta^l_j"),
    ("nielsen", r"\frac{\partial C}{\partial b^l_j} = \delta^l_j"),
    ("nielsen", "dC/dw^l_{jk} = a^{l-1}_k delta^l_j"),
    ("nielsen", r"\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_k \delta^l_j"),
    # the same in index form, and the whole matrix
    ("nielsen", "delta^l_k = sum_j w^{l+1}_{jk} delta^{l+1}_j sigma'(z^l_k)"),
    ("nielsen", r"\delta^l_k = \sum_j w^{l+1}_{jk} \delta^{l+1}_j \sigma'(z^l_k)"),
    ("nielsen", r"\frac{\partial C}{\partial w^l} = \delta^l (a^{l-1})^T"),
    ("nielsen", r"\nabla_a C = a^L - y"),
    ("nielsen", "delta^L = (a^L - y) * a^L * (1 - a^L)"),
    ("nielsen", "z^l_j = sum_k w^l_{jk} a^{l-1}_k + b^l_j"),
    ("nielsen", r"\frac{\partial C}{\partial a^l} = (w^{l+1})^T \delta^{l+1}"),
    # the mean over a batch of N rows (the derived batch rule)
    ("nielsen", r"\frac{\partial \bar{C}}{\partial w^l_{jk}} = \frac{1}{N}\sum_n a^{l-1}_{nk} \delta^l_{nj}"),
    ("nielsen", r"\frac{\partial \bar{C}}{\partial b^l_j} = \frac{1}{N}\sum^N \delta^l_j"),
    # updates: gradient descent, momentum (α), and the step of it
    ("nielsen", r"w^l = w^l - \eta \frac{\partial C}{\partial w^l}"),
    ("nielsen", r"w^l_{jk} = w^l_{jk} - \eta \frac{\partial C}{\partial w^l_{jk}}"),
    ("nielsen", r"\Delta w^l(t) = \alpha \Delta w^l(t-1) - \eta \frac{\partial C}{\partial w^l}"),
    ("nielsen", r"w^l(t) = w^l(t-1) + \Delta w^l(t)"),
    ("seed000", r"b^l = b^l - learningRate * \frac{\partial C}{\partial b^l}"),
    ("seed002", r"\partial\ell / \partial w^i = (\partial\ell / \partial z^i) y^{i-1}"),
]


@pytest.mark.parametrize("net,claim", HOLD, ids=[c for _, c in HOLD])
def test_the_rules_hold(net, claim):
    [v] = check(NETS[net], [claim])
    assert (v.verdict, v.kind) == (H, "general"), v.detail
    assert v.expected and "holds at" in v.detail


# (network, claim, the place it fails, more words the reason holds)
WRONG = [
    # W not transposed: at l = 2, W^3 is square and W^3 δ^3 ≠ (W^3)ᵀ δ^3 at the first entry
    ("nielsen", "delta^l = ((w^{l+1}) delta^{l+1}) * sigma'(z^l)", "l = 2, k = 1", ()),
    ("nielsen", r"\delta^l_k = \sum_j w^{l+1}_{kj} \delta^{l+1}_j \sigma'(z^l_k)",
     "l = 2, k = 1", ()),
    # a^{l−1}_j where a^{l−1}_k belongs: equal where j = k, so the first j, k it fails at is 1, 2
    ("nielsen", "dC/dw^l_{jk} = a^{l-1}_j delta^l_j", "l = 2, j = 1, k = 2", ()),
    # a missing f′, in the recurrence and at the output layer
    ("nielsen", "delta^l = (w^{l+1})^T delta^{l+1}", "l = 2, k = 1", ()),
    ("nielsen", r"\delta^L = \nabla_a C", "L = 4, j = 1", ()),
    # the sum over the wrong index: Σ_k with δ^{l+1}_j (δ^l_j = Σ_k w^{l+1}_{jk} δ^{l+1}_j f′)
    ("nielsen", "delta^l_j = sum_k w^{l+1}_{jk} delta^{l+1}_j sigma'(z^l_j)", "l = 2, j = 1", ()),
    # the 1/N dropped from the batch mean: N = 3 rows, the sum is 3 times the mean
    ("nielsen", r"\frac{\partial \bar{C}}{\partial w^l_{jk}} = \sum_n a^{l-1}_{nk} \delta^l_{nj}",
     "l = 2, j = 1, k = 1", ("times 0.333333",)),
    ("seed002", r"\Delta w(t) = -\epsilon \sum^N \frac{\partial\ell}{\partial w(t)} + \alpha\Delta w(t-1)",
     "layer 1, j = 1, k = 1", ()),
    # the sign of the update
    ("nielsen", r"w^l = w^l + \eta \frac{\partial C}{\partial w^l}", "l = 2, j = 1, k = 1",
     ("sign of the step is wrong",)),
    ("seed000", r"w^l = w^l + learningRate * \frac{\partial C}{\partial w^l}",
     "l = 1, j = 1, k = 1", ("sign of the step is wrong",)),
    ("seed002", r"\Delta w = \epsilon\frac{1}{N}\frac{\partial\ell}{\partial w}",
     "layer 1, j = 1, k = 1", ("sign of the step is wrong",)),
    # the output layer's δ claimed for every layer: a^2 (3) and y (2) do not add at l = 2
    ("nielsen", "delta^l = (a^l - y) * sigma'(z^l)", "l = 2", ("do not add",)),
    # the product of δ and W side by side, as seed 002 prints it: one value per connection
    ("seed002", r"\partial\ell / \partial y^{i-1} = (\partial\ell / \partial z^i)w^i", "i = 2",
     ("2 × 4 matrix", "vector of 4", "Summed over its rows")),
    # x for a^{l-1}: right at l = 2 (a^1 is the input x), wrong from l = 3
    ("nielsen", "dC/dw^l_{jk} = x_k delta^l_j", "l = 3, j = 1, k = 1", ()),
    # σ′ of an identity network
    ("seed000", "delta^l = ((w^{l})^T delta^{l+1}) * sigma'(Z^l)", "l = 2, k = 1", ()),
]


@pytest.mark.parametrize("net,claim,place,words", WRONG, ids=[c for _, c, _, _ in WRONG])
def test_each_wrong_variant_fails_where_it_fails(net, claim, place, words):
    [v] = check(NETS[net], [claim])
    assert (v.verdict, v.kind) == (W, "general"), v.detail
    assert f"fails at {place}:" in v.detail, v.detail
    for word in words:
        assert word in v.detail, v.detail
    numbers = re.findall(r"the right side is (\S+) there, the left side (\S+),", v.detail)
    if numbers:  # both sides' values at that place, and they differ
        right, left = map(float, numbers[0])
        assert abs(right - left) > 1e-9


def test_the_place_is_the_first_that_differs():
    """Every earlier place agrees: l = 2, k = 1 is the recurrence's first entry at all, and
    W^3 δ^3 ≠ (W^3)ᵀ δ^3 there (W^3 is not symmetric at random values)."""
    [v] = check(NETS["nielsen"], ["delta^l = ((w^{l+1}) delta^{l+1}) * sigma'(z^l)"])
    assert v.detail.startswith("fails at l = 2, k = 1:")


def test_the_truth_is_the_derived_rule_in_the_claims_notation():
    [plain, latex] = check(NETS["nielsen"], ["dC/dw^l_{jk} = a^{l-1}_j delta^l_j",
                                             r"\delta^l = (w^{l+1})^T \delta^{l+1}"])
    assert plain.expected == "∂C/∂w^{l}_{jk} = a^{l-1}_{k}*delta^{l}_{j}"
    assert latex.expected.startswith(r"\delta^{l} = \left(\left(w^{l+1}\right)^{T} \delta^{l+1}")
    [seed002] = check(NETS["seed002"], [r"\partial\ell / \partial z^i_j = 0"])
    assert "y^{i}" in seed002.expected  # the claim's i and y, not the derivation's l and a
    assert not re.search(r"(?<![A-Za-z\\])l(?![A-Za-z])", seed002.expected)


def test_the_general_judge_comes_before_the_formula_judge():
    kinds = [j.kind for j in JUDGES]
    assert kinds.index("general") < kinds.index("formula")


UNREADABLE = [
    ("nielsen", "dC/dq^l_{jk} = a^{l-1}_k delta^l_j", "unknown symbol 'q' at column 5"),
    ("nielsen", "dQ/dw^l_{jk} = a^{l-1}_k delta^l_j", "unknown symbol 'Q' at column 2"),
    ("nielsen", "delta^{l+7} = (w^{l+8})^T delta^{l+8}", "names a layer the network has not"),
    ("nielsen", "dC/dw^l_{jk} = a^{l-1}_k delta^l_m", "the index m is free on the right"),
    ("nielsen", "delta^l = (w^{l+1})^T delta^{i+1}", "two layer variables"),
    ("nielsen", "delta^l = ((w^{l+1})^T delta^{l+1}", "expected ')' at column 35"),
    ("nielsen", r"\delta^L = \nabla_a C \odot \mathrm{softmax}'(z^L)", "unknown symbol"),
    ("nielsen", r"\Delta w^T = \eta", "a transposed quantity here at column 8"),
    ("seed004_afteracademy", r"\partial\ell / \partial w^i = (\partial\ell / \partial z^i) y^{i-1}",
     "needs a layered network"),
]


@pytest.mark.parametrize("net,claim,words", UNREADABLE, ids=[c for _, c, _ in UNREADABLE])
def test_unreadable_general_claims_say_where_and_what(net, claim, words):
    network = NETS.get(net) or load_example(net)
    [v] = check(network, [claim])
    assert v.verdict == U, v.detail
    assert words in v.detail, v.detail
    assert "partial *" not in v.detail  # no parser internals


def test_scalar_claims_still_go_to_the_scalar_judges():
    [v] = check(NETS["seed000"], [r"\frac{\partial C}{\partial w^2_{11}} = (a^3_1 - y) a^2_1"])
    assert (v.verdict, v.kind) == (H, "formula")


def test_a_latex_left_side_that_cannot_be_read_is_shown_as_written():
    """Not its plain reading ('partial * E / partial * w5', parser internals)."""
    [v] = check(load_example("seed004_afteracademy"), [r"\partial E / \partial w_5 = 0.1"])
    assert v.verdict == U
    assert r"cannot read the left side '\partial E / \partial w_5' at column 1" in v.detail
    assert r"\frac{\partial E}{\partial w_5}" in v.detail
