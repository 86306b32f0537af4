"""The seed posts' claims, verdict by verdict, and the hand reasoning the verdicts rest on.

The expected verdicts of the seed claims were worked out by hand from the posts and the
specs, and the numbers are recomputed here with plain SymPy (not through derive.scalar.values).
"""

from __future__ import annotations

import math

import pytest
import sympy

from derive.spec.examples import load_example
from tests.claims.examples import H, R, W, verdicts_of


# =========================================================================== seed 004 by hand

def _sig(x):
    return 1 / (1 + sympy.exp(-x))


def seed004_truth() -> dict[str, float]:
    """Seed 004's numbers computed by hand with plain SymPy from the post's network."""
    x1, x2, y1, y2 = sympy.Rational("0.1"), sympy.Rational("0.2"), sympy.Rational("0.05"), sympy.Rational("0.95")
    w = sympy.symbols("w1:9")
    b1, b2 = sympy.symbols("b1 b2")
    start = dict(zip(w, map(sympy.Rational, ["0.25", "0.28", "0.35", "0.15", "0.35", "0.20", "0.45", "0.40"])))
    start.update({b1: sympy.Rational("0.45"), b2: sympy.Rational("0.5")})
    h1 = w[0] * x1 + w[3] * x2 + b1
    h2 = w[2] * x1 + w[1] * x2 + b1
    H1, H2 = _sig(h1), _sig(h2)
    o1 = w[4] * H1 + w[5] * H2 + b2
    o2 = w[6] * H1 + w[7] * H2 + b2
    O1, O2 = _sig(o1), _sig(o2)
    E = (y1 - O1) ** 2 / 2 + (y2 - O2) ** 2 / 2
    at = lambda e, env=start: float(e.subs(env).evalf(30))  # noqa: E731
    grads = {p: sympy.diff(E, p) for p in start}
    after = {p: v - sympy.Rational(1, 2) * grads[p].subs(start) for p, v in start.items()}
    return {"h1": at(h1), "h2": at(h2), "H1": at(H1), "H2": at(H2), "o1": at(o1), "o2": at(o2),
            "O1": at(O1), "O2": at(O2), "E": at(E), "dE/dw5": at(grads[w[4]]),
            "dE/dw1": at(grads[w[0]]), "w1+": float(after[w[0]].evalf(30)),
            "E after": at(E, after),
            "o1 if b2=0.45": at(o1, {**start, b2: sympy.Rational("0.45")}),
            "O1 from claimed o1": float(_sig(sympy.Rational("0.794609")).evalf(30)),
            "E from claimed O": 0.5 * (0.05 - 0.6888201) ** 2 + 0.5 * (0.95 - 0.7375445) ** 2}


@pytest.fixture(scope="module")
def truth004():
    return seed004_truth()


@pytest.fixture(scope="module")
def v004():
    return verdicts_of("seed004_afteracademy")


SEED004 = [  # (verdict, a fragment the detail must hold)
    (H, ""),                     # h1 = w1*x1 + w4*x2 + b1
    (H, ""),                     # h1 = ... = 0.505
    (H, ""),                     # h2 = w3*x1 + w2*x2 + b1
    (H, ""),                     # h2 = ... = 0.541
    (R, "truncated"),            # H(h1) = 0.623633: σ(0.505) = 0.6236336…, cut not rounded
    (H, ""),                     # H(h2) = 0.632045
    (H, ""),                     # o1 = w5*H(h1) + w6*H(h2) + b2
    (W, "b2 = 0.45"),            # o1 = 0.794609: true 0.844681; b1's 0.45 used for b2
    (H, ""),                     # o2 = w7*H(h1) + w8*H(h2) + b2
    (R, "H(h1) = 0.623633"),     # o2 = 1.0334528: off in the 8th digit, from the cut H1
    (W, "o1 = 0.35"),            # out(o1) = 0.6888201: σ of the wrong o1
    (W, "first wrong value"),    # out(o2) = 0.7375445: true 0.7375848, its own slip
    (W, "out(o1) = 0.6888201"),  # E(total) = 0.22661423: from the wrong outputs
    (H, ""),                     # chain for w5
    (W, "learning rate -0.5"),   # "we add it": w5+ = w5 + 0.5 dE/dw5
    (H, ""),                     # chain for w1 through out(h1)
    (H, ""),                     # dE/dout(h1) as the sum over both outputs
    (H, ""),                     # w1+ = w1 - 0.5 dE/dw1
    (W, "first wrong value"),    # w1+ = 0.249921: true 0.249656
    (W, "first wrong value"),    # new E = 0.224991003: true 0.2208485
]


def test_seed004_verdicts(v004):
    assert [v.verdict for v in v004] == [e for e, _ in SEED004]
    for v, (_, fragment) in zip(v004, SEED004):
        assert fragment in v.detail, (v.claim, v.detail)
    assert "dE(total)/dout(h1) sums 2 paths" in v004[15].detail


def test_seed004_truths_match_plain_sympy(v004, truth004):
    by_claim = {v.claim: v for v in v004}
    pairs = {"H(h1) = 0.623633": "H1", "H(h2) = 0.632045": "H2", "out(o1) = 0.6888201": "O1",
             "out(o2) = 0.7375445": "O2", "E(total) = 0.22661423": "E",
             "w1+ = 0.249921": "w1+", "new E(total) = 0.224991003": "E after"}
    for claim, key in pairs.items():
        assert math.isclose(float(by_claim[claim].expected), truth004[key], rel_tol=1e-8)
    o1 = by_claim["o1 = 0.35 * 0.623633 + 0.20 * 0.632045 + 0.5 = 0.794609"]
    assert math.isclose(float(o1.expected), truth004["o1"], rel_tol=1e-8)


def test_seed004_hand_reasoning(truth004):
    """The facts the expected verdicts rest on, from plain SymPy."""
    t = truth004
    assert round(t["h1"], 6) == 0.505 and round(t["h2"], 6) == 0.541
    assert round(t["H1"], 6) == 0.623634 and math.trunc(t["H1"] * 1e6) == 623633  # truncated
    assert abs(t["o1"] - 0.794609) > 0.04                       # o1 wrong by 0.05
    assert abs(t["o1 if b2=0.45"] - 0.794609) < 1e-4            # ... close with b2 = 0.45
    assert round(t["O1 from claimed o1"], 7) == 0.6888201       # O1 inherits it
    assert abs(t["O2"] - 0.7375445) > 3e-5                      # O2 is its own slip
    assert round(t["E from claimed O"], 8) == 0.22661423        # E inherits O1, O2
    assert abs(t["w1+"] - 0.249921) > 2e-4
    assert abs(t["E after"] - 0.224991003) > 4e-3
    assert t["dE/dw1"] > 0 and t["dE/dw5"] > 0


# =========================================================================== seeds 000, 001, 003

SEED000 = [H, H, H, H, H, W, W, H, H]  # w^2_{11..13}, w^1_{11}, w^1_{12}, w^1_{21}, w^1_{22}, w^1_{31}, w^1_{32}


def test_seed000_verdicts():
    verdicts = verdicts_of("seed000_vitalflux")
    assert [v.verdict for v in verdicts] == SEED000
    for v in verdicts[5:7]:  # through Z^3_2: a 2-3-1 network has one output neuron
        assert "goes through $Z^3_2$, which is not a node" in v.detail
        assert r"misses the path $C \to a^{3}_{1} \to Z^{3}_{1} \to a^{2}_{2} \to Z^{2}_{2}" in v.detail


def test_seed000_hand_reasoning():
    """The spec has exactly the nodes the verdicts assume (one output neuron, Z3_1 only)."""
    net = load_example("seed000_vitalflux")
    assert "Z3_1" in net.equations and "Z3_2" not in net.equations
    assert "w1_21" in net.equations["Z2_2"].text and "w1_21" not in net.equations["Z2_1"].text


SEED001 = [H, H, W, H, H, H, H, H, H, H, H, H]


def test_seed001_verdicts():
    verdicts = verdicts_of("seed001_single_neuron")
    assert [v.verdict for v in verdicts] == SEED001
    assert verdicts[2].claim == "dL/dA = A - y"
    assert "It is dL/dZ: the derivative with respect to Z, not A." in verdicts[2].detail


def test_seed001_hand_reasoning():
    """dL/dA is not A − y; dL/dZ is (plain SymPy on the cross-entropy of a sigmoid)."""
    A, Z, y = sympy.symbols("A Z y")
    L = -(y * sympy.log(A) + (1 - y) * sympy.log(1 - A))
    assert sympy.simplify(sympy.diff(L, A) - (A - y)) != 0
    LZ = L.subs(A, _sig(Z))
    assert sympy.simplify(sympy.diff(LZ, Z) - (_sig(Z) - y)) == 0


SEED003 = [H, H, H, H, W, W, W, W, H, H, H, H]


def test_seed003_verdicts():
    verdicts = verdicts_of("seed003_spotintelligence")
    assert [v.verdict for v in verdicts] == SEED003
    w21, w22, w11, w12 = verdicts[4:8]
    for v, h in ((w21, "h1"), (w22, "h2")):
        assert f"d_{h}/d_w2{h[1]} is zero: {h} does not depend on w2{h[1]}" in v.detail
        assert "misses the path error → o1 → w2" in v.detail
        assert "the result written after it is right" in v.detail
    for v in (w11, w12):
        assert "[1: chain holds]" in v.detail
        assert "the result written after it is wrong" in v.detail


def test_seed003_hand_reasoning():
    """Closed forms by plain SymPy: w21's (o1−y)o1(1−o1)h1 is right, w11's (…)x1 is not."""
    x1, y, w11, w12, w21, w22 = sympy.symbols("x1 y w11 w12 w21 w22")
    h1, h2 = _sig(x1 * w11), _sig(x1 * w12)
    o1 = _sig(h1 * w21 + h2 * w22)
    error = (y - o1) ** 2 / 2
    point = {x1: 0.3, y: 0.7, w11: 0.2, w12: -0.4, w21: 0.9, w22: 0.5}
    post = (o1 - y) * o1 * (1 - o1)
    assert math.isclose(float(sympy.diff(error, w21).subs(point)), float((post * h1).subs(point)))
    assert not math.isclose(float(sympy.diff(error, w11).subs(point)), float((post * x1).subs(point)))
    assert sympy.diff(h1, w21) == 0  # the post's factor d_h1/d_w21
