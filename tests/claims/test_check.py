"""Checking claims end to end: a corpus of broken claims of every kind, the API's checks of
its arguments, the write-up section, and properties over random layered networks."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive.claims.check import Checker, check, claims_section
from derive.claims.claim import HOLDS, UNREADABLE, WRONG
from derive.errors import ClaimError
from derive.scalar.chain import derive
from derive.spec.examples import load_example
from derive.spec.model import Network
from tests.claims.examples import NET, H, R, U, W, claims_of


# =========================================================================== broken claims

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
    # a general claim (issue 10): the update of every layer's weights, judged at layer level
    ("seed000_vitalflux", r"w^l = w^l – learningRate * \frac{\partial C}{\partial w^l}", H, ""),
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


def test_claims_section():
    net = NET["seed003_spotintelligence"]
    md = claims_section(net, ["h1 = sigmoid(x1*w11)"], "markdown")
    assert md.startswith("## Checked claims") and "✓" in md
    tex = claims_section(net, ["d_error/d_w21 = (o1 - y)*o1*(1 - o1)*h1"], "latex")
    assert tex.startswith(r"\section*{Checked claims}") and r"\_" in tex


def test_claims_api_refuses_bad_aliases_and_line_counts():
    net = load_example("seed004_afteracademy")
    for aliases in ({"": "H1"}, {" ": "H1"}, {1: "H1"}, {"a": 1}):
        with pytest.raises(ClaimError, match="alias"):
            check(net, ["o1 = 1"], aliases)
    with pytest.raises(ClaimError, match="line numbers"):
        check(net, ["o1 = 1", "o2 = 1"], lines=[1])
    [v] = check(net, "o1 = 0.8446")  # one claim given as a text, not its characters
    assert v.verdict == R


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
