"""Claim checking: the seed posts' claims, a corpus of broken claims, the CLI, and properties.

The expected verdicts of the seed claims were worked out by hand from the posts and the
specs, and the numbers are recomputed here with plain SymPy (not through derive.scalar.values).
"""

from __future__ import annotations

import json
import math

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive import cli
from derive.scalar.chain import derive
from derive.claims.checker import (HOLDS, ROUNDING, UNREADABLE, WRONG, Checker, agreement, check,
                           claims_section, load_claims, read_claim, render, stated_digits, Names)
from derive.errors import ClaimError
from derive.spec.examples import EXAMPLES_DIR, load_example
from derive.spec.model import Network

H, W, R, U = HOLDS, WRONG, ROUNDING, UNREADABLE


def claims_of(seed: str):
    return load_claims(str(EXAMPLES_DIR / f"{seed}_claims.toml"))


def verdicts_of(seed: str):
    claims, lines, aliases = claims_of(seed)
    return check(load_example(seed), claims, aliases, lines)


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


# =========================================================================== broken claims

NET = {name: load_example(name) for name in
       ("seed000_vitalflux", "seed001_single_neuron", "seed003_spotintelligence", "seed004_afteracademy")}
NET["nielsen-2-2-1"] = Network.layered([2, 2, 1], "sigmoid", inputs=[0.1, 0.2], targets=[0.5])

BROKEN = [
    # (network, claim, verdict, fragment of the detail)
    ("seed004_afteracademy", "dE/dw5 = (O1 - y1)*O1*(1 - O1)*H2", W, "differs at"),          # wrong factor
    ("seed004_afteracademy", "dE/dw5 = (y1 - O1)*O1*(1 - O1)*H1", W, "sign is wrong"),       # sign error
    ("seed004_afteracademy", "dE/dw5 = (O1 - y1)*O1*(1 - O1)", W, "claim times H1"),         # missing factor
    ("seed004_afteracademy", "dE/dw5 = 10*x1*(O1 - y1)*O1*(1 - O1)*H1", W, "differs at"),    # right only at x1 = 0.1
    ("seed004_afteracademy", "dE/dw1 = dE/dO1 * dO1/do1 * do1/dH1 * dH1/dh1 * dh1/dw1", W,
     "misses the path E → O2 → o2 → H1 → h1 → w1"),                                           # missing path
    ("seed004_afteracademy", "dE/dw5 = dE/dO1 * dO1/do1 * do1/dw5 + dE/dO1 * dO1/do1 * do1/dw5", W,
     "2 times"),                                                                              # path twice
    ("seed004_afteracademy", "dE/dw5 = dE/dO3 * dO3/do1 * do1/dw5", W, "O3, which is not a node"),
    ("seed004_afteracademy", "dE/dw5 = dE/dO1 * dO1/do2 * do2/dw5", W, "O1 does not depend on o2"),
    ("seed004_afteracademy", "dE/dw5 = dE/dO1 * do1/dw5", W, "the chain breaks"),
    ("seed004_afteracademy", "dE/dw5 = 0.08515", R, "agrees to 3 of the 4"),                 # rounding only
    ("seed004_afteracademy", "dE/dw5 = 0.08514", H, ""),
    ("seed004_afteracademy", "O1 = 0.69946", R, "agrees to 4 of the 5"),
    ("seed004_afteracademy", "O1 = 0.6994501", H, ""),
    ("seed004_afteracademy", "O1 = 0.71", W, "first wrong value"),
    ("seed004_afteracademy", "dE/dw5 = 0", W, "differs already in its first digit"),   # integers are exact
    ("seed004_afteracademy", "dE/dw5 = 0.1", H, ""),                                    # one digit: ±0.05
    ("seed004_afteracademy", "dx1/dw5 = 0", H, ""),
    ("seed001_single_neuron", "y = 1", H, ""),
    ("seed004_afteracademy", "dE/dw9 = 0.1", U, "closest known: w"),                          # unknown symbol
    ("seed004_afteracademy", "o1 = w5*H1 + w6*H3 + b2", U, "unknown symbol 'H3' at column 17 (closest known: H2, H1"),
    ("seed004_afteracademy", "o1 = (w5*H1 + ", U, "at column 15"),                          # malformed
    ("seed004_afteracademy", "o1 0.79", U, "needs '='"),
    ("seed004_afteracademy", "o1 = foo(h1)", U, "unknown function 'foo' at column 6"),
    ("seed004_afteracademy", "w5+ = w5 - eta*dE/dw5", H, ""),                                 # update rules
    ("seed004_afteracademy", "w5' = w5 - lr*dE/dw5", H, ""),
    ("seed004_afteracademy", "new w5 = w5 - η*∂E/∂w5", H, ""),
    ("seed004_afteracademy", "w5+ = w5 - 0.5*dE/dw5", H, ""),
    ("seed004_afteracademy", "w5+ = w5 - 0.05*dE/dw5", W, "learning rate 0.05"),
    ("seed004_afteracademy", "w5+ = w5 + eta*dE/dw5", W, "differs at"),
    ("seed004_afteracademy", "w5+ = 0.30742853", H, ""),
    ("seed004_afteracademy", "∂E/∂w5 = (O1 - y1)·O1·(1 − O1)·H1", H, ""),
    ("seed004_afteracademy", r"\frac{\partial E}{\partial w_5} = \left(O_1 - y_1\right) \cdot O_1 (1 - O_1) \cdot H_1", H, ""),
    ("seed004_afteracademy", r"O_1 = \sigma\left(o_1\right)", H, ""),
    ("seed004_afteracademy", r"O_1 = \sigma(h_1)", W, "differs at"),
    ("seed004_afteracademy", "O1 = 1/(1 + exp(-o1))", H, ""),
    ("seed004_afteracademy", "o1 = out(h1)", U, "needs an alias"),
    ("seed004_afteracademy", "o1 = 1/0", U, "not a finite real number"),
    ("seed004_afteracademy", "o1 = 10**10**10", U, "too large"),
    ("seed004_afteracademy", "E = 1e400", U, "the number 1e400 is beyond float64's range at column 5"),
    ("seed004_afteracademy", "o1 = sigmoid(h1, h2)", U, "sigmoid takes 1 argument, not 2 at column 6"),
    ("seed004_afteracademy", "dE/dw5 = 1/0", U, "not a finite real number (it divides by zero)"),
    ("seed004_afteracademy", r"E = \sqrt{E^2}", H, ""),
    ("seed004_afteracademy", "dE/dw5 = (O1 - y1) O1 (1 - O1) H1", H, ""),                  # juxtaposition
    ("seed004_afteracademy", "dE/dw5 = (O1 - y1)*σ'(o1)*H1", H, ""),                          # primes
    ("seed004_afteracademy", "dE/dw5 = (O1 - y1)*sigmoid'(o1)*H1", H, ""),
    ("seed004_afteracademy", r"\frac{\partial E}{\partial w_5} = (O_1 - y_1)\,\sigma'(o_1)\,H_1", H, ""),
    ("seed004_afteracademy", r"\frac{\partial E}{\partial w_5} = (O_1 - y_1)\sigma^{\prime}\left(o_1\right) H_1", H, ""),
    ("seed004_afteracademy", "dE/dw5 = 2 (O1 - y1)*sigmoid'(o1)*H1", W, "claim times 0.5"),
    ("seed004_afteracademy", "h1 = 0.25*x1 + 0.15*x2 + 0.45", H, "worked example's values"),
    ("seed004_afteracademy", "o1 = 0.35*0.623633 + w6*H2 + b2", H, "worked example's values"),
    ("seed004_afteracademy", "o1 = 0.35*0.623633 + w6*H2 + 0.45", W, "differs at"),
    ("seed004_afteracademy", "dE/dw5 = 0.5*(O1 - y1)*O1*(1 - O1)*H1", W, "claim times 2"),
    ("seed001_single_neuron", "dL/dZ = A - y", H, ""),
    # δ, Nielsen's ∂C/∂z, in plain and LaTeX
    ("seed004_afteracademy", "δ_o1 = (O1 - y1)*O1*(1 - O1)", H, ""),
    ("seed004_afteracademy", "dE/dw5 = delta_o1 * H1", H, ""),
    ("nielsen-2-2-1", r"\delta^3_1 = (a^3_1 - y)\, a^3_1 (1 - a^3_1)", H, ""),
    ("nielsen-2-2-1", r"\delta^2_1 = \delta^3_1 w^3_{11} \sigma'(z^2_1)", H, ""),
    ("nielsen-2-2-1", r"\delta^2_1 = \delta^3_1 w^3_{12} \sigma'(z^2_1)", W, "differs at"),       # transposed
    ("nielsen-2-2-1", r"\frac{\partial C}{\partial b^2_2} = \delta^2_2", H, ""),
    ("nielsen-2-2-1", r"\delta^4_1 = 1", U, "unknown symbol '\\delta^4_1'"),
    ("seed003_spotintelligence", r"\dfrac{\partial\, \text{error}}{\partial w_{11}} = \left[o_1 - y\right] o_1 "
     r"\left(1 - o_1\right) w_{21} h_1 (1 - h_1) x_1", H, ""),
    ("seed003_spotintelligence", r"$\frac{d\,\mathrm{error}}{d w_{12}} = (o_1 - y) o_1 (1-o_1) w_{22} h_2 (1-h_2) x_1$", H, ""),
    ("seed003_spotintelligence", r"o_1 = \frac{1}{1 + e^{-(h_1 w_{21} + h_2 w_{22})}}", H, ""),
    ("seed003_spotintelligence", r"o_1 = \frac{1}{1 + e^{-h_1 w_{21} + h_2 w_{22}}}", W, "$w_{21}=0.6$"),
    ("seed003_spotintelligence", "d_error/d_w11 = d_error/d_o1 * d_o1/d_h1 * d_h1/d_w11 + "
     "d_error/d_o1 * d_o1/d_h1 * d_h1/d_w11", W, "counts the path error → o1 → h1 → w11 2 times"),
    # seed 000, LaTeX: transposed indices, braces optional
    ("seed000_vitalflux", r"\frac{\partial C}{\partial w^1_{21}} = (a^3_1 - y)\, w^2_{12}\, x_1", H, ""),
    ("seed000_vitalflux", r"\frac{\partial C}{\partial w^{1}_{21}} = (a^{3}_{1} - y) w^{2}_{12} x_{1}", H, ""),
    ("seed000_vitalflux", r"\frac{\partial C}{\partial w^1_{21}} = (a^3_1 - y)\, w^2_{11}\, x_1", W, "differs at"),
    ("seed000_vitalflux", r"\frac{\partial C}{\partial w^1_{12}} = (a^3_1 - y)\, w^2_{12}\, x_1", W, "differs at"),
    ("seed000_vitalflux", r"\frac{\partial C}{\partial w^1_{21}} = \frac{\partial C}{\partial a^3_1}"
     r"\frac{\partial a^3_1}{\partial Z^3_1}\frac{\partial Z^3_1}{\partial a^2_1}"
     r"\frac{\partial a^2_1}{\partial Z^2_1}\frac{\partial Z^2_1}{\partial w^1_{12}}", W,
     "ends at $w^{1}_{12}$, not at $w^{1}_{21}$"),
    ("seed000_vitalflux", r"\frac{\partial C}{\partial w^2_{21}} = 0", U, "unknown symbol 'w^2_{21}'"),
    ("seed000_vitalflux", r"\frac{\partial C}{\partial w^2_{11}} = \frac{a^3_1 - y}{", U, "column"),
    ("seed000_vitalflux", r"\frac{\partial C}{\partial w^2_{11}} = (a^3_1 - y) \foo a^2_1", U, ""),
    ("seed000_vitalflux", r"C = \frac{1}{2}\left(y - a^3_1\right)^2", H, ""),
    ("seed000_vitalflux", r"w^{2+}_{11} = w^2_{11} – learningRate * \frac{\partial C}{\partial w^2_{11}}", H, ""),
    ("seed000_vitalflux", r"w^{2+}_{11} = w^2_{11} - \alpha \frac{\partial C}{\partial w^2_{11}}", H, ""),
    ("seed000_vitalflux", r"w^l = w^l – learningRate * \frac{\partial C}{\partial w^l}", U, "unknown symbol 'w^l'"),
    ("seed000_vitalflux", r"w^{2}_{11}{}' = w^2_{11} - \eta \frac{\partial C}{\partial w^2_{11}}", U, "left side"),
    ("seed000_vitalflux", r"w^{2\prime}_{11} = w^2_{11} - \eta \frac{\partial C}{\partial w^2_{11}}", H, ""),
    ("seed000_vitalflux", r"\frac{\partial C}{\partial b_1} = (a^3_1 - y)(w^2_{11} + w^2_{12} + w^2_{13})", H, ""),
    # plain math with the author's indices (w^1_{21}, O_1) but no backslash
    ("seed000_vitalflux", "dC/dw^1_{21} = (a^3_1 - y) w^2_{12} x_1", H, ""),
    ("seed000_vitalflux", "∂C/∂w^2_{11} = (a^3_1 - y)*a^2_1", H, ""),
    ("seed000_vitalflux", "dC/dw^1_{21} = (a^3_1 - y) w^2_{11} x_1", W, "differs at"),
    ("seed000_vitalflux", "dC/dw^2_{21} = 0", U, "unknown symbol 'w^2_{21}' at column 5"),
    ("seed004_afteracademy", "dE/dO_1 = O_1 - y_1", H, ""),
    ("seed004_afteracademy", "E = (y_1 - O_1)^2/2 + (y_2 - O_2)^2/2", H, ""),
    ("seed004_afteracademy", "dE/dw_5 = dE/dO_1 * dO_1/do_1 * do_1/dw_5", H, ""),
]


@pytest.mark.parametrize("network,claim,verdict,fragment", BROKEN,
                         ids=[f"{i}:{c[:40]}" for i, (_, c, _, _) in enumerate(BROKEN)])
def test_broken_claims(network, claim, verdict, fragment):
    [v] = check(NET[network], [claim])
    assert v.verdict == verdict, v.detail
    assert fragment in v.detail
    if verdict != UNREADABLE:
        assert v.expected  # the truth is always shown beside the claim


def test_no_factor_hint_when_the_ratio_is_not_constant():
    """|o1| against o1: equal where o1 > 0, so a ratio of 1 at some points must not become
    'the truth is the claim times 1'."""
    verdict = check(NET["seed004_afteracademy"], ["o1 = sqrt(o1^2)"])[0]
    assert verdict.verdict == W and "differs at" in verdict.detail
    assert "claim times" not in verdict.detail, verdict.detail


def test_numbers_in_dependency_order_whatever_the_input_order():
    net = NET["seed004_afteracademy"]
    claims = ["E = 0.22661423", "O1 = 0.6888201", "O2 = 0.7375445", "o1 = 0.794609"]
    e, o1_out, o2_out, o1 = check(net, claims)
    assert "follows from the earlier claims O1 = 0.6888201 (wrong); O2 = 0.7375445" in e.detail
    assert "follows from the earlier claim o1 = 0.794609" in o1_out.detail
    assert "first wrong value" in o1.detail and "b2 = 0.45" in o1.detail


def test_formula_with_a_typo_holds_nowhere():
    """'holds' is never given to a formula that differs numerically at any point."""
    checker = Checker(NET["seed004_afteracademy"])
    [v] = checker.check_all(["dE/dw5 = 10*x1*(O1 - y1)*O1*(1 - O1)*H1"])
    assert v.verdict == WRONG and "x1=" in v.detail and "x1=0.1," not in v.detail


# =========================================================================== units

@pytest.mark.parametrize("text,digits,last", [("0.794609", 6, -6), ("1.0334528", 8, -7),
                                              ("0.050", 2, -3), ("12", 2, 0), ("0.5", 1, -1)])
def test_stated_digits(text, digits, last):
    assert stated_digits(text) == (digits, last)


def test_agreement():
    assert agreement(0.505, 0.505, -3, 3) == (True, 3)
    assert agreement(0.623633, 0.6236336283, -6, 6) == (False, 5)
    assert agreement(0.794609, 0.8446807, -6, 6)[1] == 0


def test_reader_kinds():
    names = Names(NET["seed004_afteracademy"], {"out(h1)": "H1"})
    assert read_claim("w1+ = 0.2", names).target.kind == "after"
    assert read_claim("new w1 = 0.2", names).target.kind == "after"
    assert read_claim("w1' = 0.2", names).target.kind == "after"
    t = read_claim("dE/dout(h1) = 1", names).target
    assert (t.kind, t.name, t.den) == ("deriv", "E", "H1")
    with pytest.raises(ClaimError, match="column 6"):
        read_claim("o1 = * 2", names)


def test_reports():
    verdicts = check(NET["seed004_afteracademy"], ["o1 = 0.794609", "h1 = 0.505", "dE/dq = 1"])
    text = render(verdicts, "text")
    assert "✗ wrong" in text and "✓ holds" in text and "? cannot read" in text
    assert "truth: 0.84468077" in text
    md = render(verdicts, "markdown")
    assert md.startswith("| | Claim | Truth | Verdict | Why |")
    data = json.loads(render(verdicts, "json"))
    assert [set(d) for d in data] == [{"claim", "kind", "verdict", "expected", "detail"}] * 3
    assert [d["kind"] for d in data] == ["number", "number", "unknown"]


def test_claims_section():
    net = NET["seed003_spotintelligence"]
    md = claims_section(net, ["h1 = sigmoid(x1*w11)"], "markdown")
    assert md.startswith("## Checked claims") and "✓" in md
    tex = claims_section(net, ["d_error/d_w21 = (o1 - y)*o1*(1 - o1)*h1"], "latex")
    assert tex.startswith(r"\section*{Checked claims}") and r"\_" in tex


def test_no_values_means_numbers_cannot_be_checked():
    net = Network.from_equations(equations={"z": "w*x", "C": "1/2*(z - y)**2"}, inputs={"x": None},
                                 targets={"y": None}, parameters={"w": None}, cost="C")
    formula, number = check(net, ["dC/dw = (z - y)*x", "z = 0.3"])
    assert formula.verdict == HOLDS
    assert number.verdict == UNREADABLE and "no values" in number.detail


# =========================================================================== CLI

def run_cli(capsys, *argv):
    code = cli.main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_exit_codes(capsys):
    assert run_cli(capsys, "seed004_afteracademy", "h1 = 0.505")[0] == 0
    assert run_cli(capsys, "seed004_afteracademy", "H1 = 0.623633")[0] == 0  # rounding only
    assert run_cli(capsys, "seed004_afteracademy", "h1 = 0.505", "o1 = 0.794609")[0] == 1
    code, out, _ = run_cli(capsys, "seed004_afteracademy", "o1 = 0.794609", "dE/dv = 1")
    assert code == 2 and "cannot read" in out


def test_cli_claims_files(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "seed004_afteracademy", "--claims",
                           str(EXAMPLES_DIR / "seed004_afteracademy_claims.toml"))
    assert code == 1 and "11 hold, 7 wrong, 2 rounding, 0 cannot read" in out
    text = tmp_path / "claims.txt"
    text.write_text("# seed 004\nh1 = 0.505  # the post\n\nout(h2) = 0.632045\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "seed004_afteracademy", "--claims", str(text),
                           "--alias", "out(h2)=H2", "--format", "json")
    assert code == 0 and [d["verdict"] for d in json.loads(out)] == [H, H]
    code, out, _ = run_cli(capsys, "seed004_afteracademy", "--claims", str(text), "--format", "markdown")
    assert code == 2 and "| ? |" in out and "line 4" not in out


@pytest.mark.parametrize("content,suffix,message", [
    (None, ".toml", "no such claims file"),
    ('claims = ["a",\n  "b" "c"]\n', ".toml", ":2: not valid TOML"),
    ("claims = [\n", ".toml", ":1: not valid TOML"),
    ('claims = ["o1 = 1", 3]\n', ".toml", ":1: claim 2 is 3, not a string"),
    ('claims = ["o1 = 1"]\n[aliases]\n"out(h1)" = "H9"\n', ".toml", ":3: aliases.out(h1)"),
    ("# nothing\n", ".txt", "holds no claims"),
])
def test_cli_bad_claims_file(capsys, tmp_path, content, suffix, message):
    path = tmp_path / f"claims{suffix}"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, out, err = run_cli(capsys, "seed004_afteracademy", "--claims", str(path))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and str(path) in err and message in err


def test_cli_no_claims(capsys):
    code, _, err = run_cli(capsys, "seed004_afteracademy")
    assert code == 2 and "no claims" in err


def test_cli_options_anywhere(capsys):
    """An option between SPEC and the claims, as in every argparse CLI (issue 8, section 6);
    needs cli.main to parse with parse_intermixed_args."""
    code, out, err = run_cli(capsys, "seed004_afteracademy", "--format", "json", "o1 = 0.8446")
    assert code == 0, err
    [verdict] = json.loads(out)
    assert verdict["verdict"] == R and verdict["claim"] == "o1 = 0.8446"


def test_claim_lines_of_a_big_claims_file_are_found_fast(tmp_path):
    """A thousand claims among many comment lines: each claim's line is found by searching
    the text, not by a loop over every line for every claim."""
    import time
    lines = ["# " + "o1 = 0.8446 " * 8] * 8_000 + ["claims = ["]
    lines += [f'  "o1 = 0.{i:04d}",' for i in range(1000)] + ["]"]
    path = tmp_path / "c.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    start = time.perf_counter()
    claims, numbers, _ = load_claims(str(path))
    assert time.perf_counter() - start < 2
    assert numbers == list(range(8_002, 9_002)) and claims[7] == "o1 = 0.0007"


def test_claims_files_keep_byte_order_marks_and_unicode_lines_apart(tmp_path):
    path = tmp_path / "c.toml"
    path.write_bytes('\ufeff# ∂E/∂w\nclaims = [\n  "o1 = 1",\n  "o2 = \u2028 2"]\n'.encode("utf-8"))
    claims, numbers, _ = load_claims(str(path))
    assert claims == ["o1 = 1", "o2 = \u2028 2"] and numbers == [3, 4]


def test_claims_api_refuses_bad_aliases_and_line_counts():
    net = load_example("seed004_afteracademy")
    for aliases in ({"": "H1"}, {" ": "H1"}, {1: "H1"}, {"a": 1}):
        with pytest.raises(ClaimError, match="alias"):
            check(net, ["o1 = 1"], aliases)
    with pytest.raises(ClaimError, match="line numbers"):
        check(net, ["o1 = 1", "o2 = 1"], lines=[1])
    [v] = check(net, "o1 = 0.8446")  # one claim given as a text, not its characters
    assert v.verdict == R


def test_cli_text_report_names_lines(capsys):
    code, out, _ = run_cli(capsys, "seed003_spotintelligence", "--claims",
                           str(EXAMPLES_DIR / "seed003_spotintelligence_claims.toml"))
    assert code == 1 and "line 17: d_error/d_w21" in out


# =========================================================================== properties

ACTIVATIONS = ("sigmoid", "tanh", "identity", "softplus")


@st.composite
def layered(draw):
    sizes = draw(st.lists(st.integers(1, 3), min_size=3, max_size=3))
    acts = draw(st.lists(st.sampled_from(ACTIVATIONS), min_size=2, max_size=2))
    seed = draw(st.integers(0, 1000))
    bias = draw(st.sampled_from(["per-neuron", "shared", "none"]))
    rng = __import__("random").Random(seed)
    inputs = [round(rng.uniform(-1, 1), 3) for _ in range(sizes[0])]
    targets = [round(rng.uniform(0.1, 0.9), 3) for _ in range(sizes[-1])]
    return Network.layered(sizes, acts, bias=bias, inputs=inputs, targets=targets, init_seed=seed)


def true_claims(d, rng):
    """Claims built from the derivation itself: closed form, chain, value, rule."""
    net = d.network
    cost = net.cost
    p = rng.choice([q for q in net.parameters if d.paths(q)])
    node = rng.choice(list(net.equations))
    from derive.scalar.values import compute
    values = compute(d)
    chain = " + ".join(" * ".join(f"d{a}/d{b}" for a, b in zip(path, path[1:])) for path in d.paths(p))
    return p, {
        "formula": f"d{cost}/d{p} = {sympy.sstr(d.closed_form(p))}",
        "chain": f"d{cost}/d{p} = {chain}",
        "number": f"{node} = {values.values[node]:.10g}",
        "gradient": f"d{cost}/d{p} = {values.gradients[p]:.10g}",
        "rule": f"{p}+ = {p} - eta*d{cost}/d{p}",
    }


def drop_a_factor(expr, rng):
    """The expression with one factor (or, in a sum, one term) left out."""
    if expr.is_Mul:
        factors = [a for a in expr.args if not a.is_Number]
        if len(factors) >= 2:
            return expr / rng.choice(factors)
    if expr.is_Add and len(expr.args) >= 2:
        return expr - rng.choice(expr.args)
    return 2 * expr


def mutated_claims(d, p, rng, values_node):
    """Claims with one thing broken: a factor left out, a path dropped or rerouted, a number off."""
    cost = d.network.cost
    paths = d.paths(p)
    closed = d.closed_form(p)
    out = {"formula": f"d{cost}/d{p} = {sympy.sstr(drop_a_factor(closed, rng))}",
           "rule": f"{p}+ = {p} + eta*d{cost}/d{p}"}
    chain = lambda ps: " + ".join(" * ".join(f"d{a}/d{b}" for a, b in zip(q, q[1:])) for q in ps)  # noqa: E731
    if len(paths) > 1:
        out["missing path"] = f"d{cost}/d{p} = {chain(paths[1:])}"
        out["path twice"] = f"d{cost}/d{p} = {chain(paths + paths[:1])}"
    original = rng.choice(paths)
    path = list(original)
    others = [n for n in d.network.equations if n not in path]
    if len(path) > 2 and others:  # a factor through a node the path does not visit
        path[rng.randrange(1, len(path) - 1)] = rng.choice(others)
        out["wrong factor"] = f"d{cost}/d{p} = {chain([path] + [q for q in paths if q != original])}"
    node, value = values_node
    out["number"] = f"{node} = {value * 1.01 + 0.01:.10g}"
    return out


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=layered(), seed=st.integers(0, 10 ** 6))
def test_true_claims_hold_and_mutated_ones_do_not(net, seed):
    import random
    d = derive(net)
    rng = random.Random(seed)
    p, claims = true_claims(d, rng)
    checker = Checker(net, points=4)
    kinds = list(claims)
    verdicts = checker.check_all([claims[k] for k in kinds])
    for kind, v in zip(kinds, verdicts):
        assert v.verdict == HOLDS, (kind, v.claim, v.detail)
    node = claims["number"].split(" = ")[0]
    from derive.scalar.values import compute
    bad = mutated_claims(d, p, rng, (node, compute(d).values[node]))
    for kind, claim in bad.items():
        [v] = Checker(net, points=4).check_all([claim])
        assert v.verdict == WRONG, (kind, claim, v.detail)


def test_claims_section_latex_compiles(tmp_path):
    import shutil
    import subprocess
    if not shutil.which("pdflatex"):
        pytest.skip("no pdflatex")
    claims, _, aliases = claims_of("seed004_afteracademy")
    more, _, _ = claims_of("seed000_vitalflux")
    body = claims_section(NET["seed004_afteracademy"], claims, "latex", aliases)
    body += claims_section(NET["seed000_vitalflux"], more + [r"\frac{\partial C}{\partial q} = 1"], "latex")
    doc = tmp_path / "claims.tex"
    doc.write_text("\\documentclass{article}\n\\usepackage[utf8]{inputenc}\n\\begin{document}\n"
                   + body + "\\end{document}\n", encoding="utf-8")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", doc.name],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout[-2000:]


def _inputs_x_and_x1() -> Network:
    """A network with inputs x and x1: LaTeX's x1 could be x·1 or the input x1."""
    return Network.from_equations(
        equations={"Z": "w*x1 + v*x", "A": "sigmoid(Z)",
                   "L": "-(y*log(A) + (1 - y)*log(1 - A))"},
        inputs={"x": 0.5, "x1": 0.3}, targets={"y": 1.0}, parameters={"w": 0.4, "v": 0.7},
        cost="L")


@pytest.mark.parametrize("claim, verdict", [
    (r"\frac{\partial L}{\partial w} = (A - y)\,x1", H),     # x1 is the input x1, not x·1
    (r"\frac{\partial L}{\partial v} = (A - y)\,x1", W),
    (r"\frac{\partial L}{\partial w} = (A - y)\,x_1", H),
    (r"\frac{\partial L}{\partial v} = (A - y)\,x", H),
    (r"\frac{\partial L}{\partial v} = (A - y)\,x \cdot 1", H),
])
def test_latex_reads_a_name_of_letters_and_digits_as_the_name(claim, verdict):
    (result,) = check(_inputs_x_and_x1(), [claim])
    assert result.verdict == verdict, result


def test_latex_names_with_digits_on_seed001():
    (result,) = check(load_example("seed001_single_neuron"),
                      [r"\frac{\partial L}{\partial w1} = (A - y)\,x1"])
    assert result.verdict == H, result


def test_an_alias_may_not_be_another_name_of_the_network():
    with pytest.raises(ClaimError, match="'w5' is already a name of the network"):
        check(load_example("seed004_afteracademy"), ["o1 = 0.75"], {"w5": "O1"})
