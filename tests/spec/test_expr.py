"""derive.spec.expr under hostile expressions, beyond one-line errors: what the limits let
through still works end to end, trees are walked without recursion, a trainable leaky_relu
slope gets its true gradient, and claims with long chains or big powers are judged.

The one-line errors themselves are cases of the corpus (tests/hostile/cases_expr.py); the
numbers of an expression are tests/spec/test_expr_numbers.py.
"""

from __future__ import annotations

import json
import math

import pytest
import sympy

from derive import cli, compute, derive, writeup
from derive.claims.check import check
from derive.functions import leaky_relu, sigmoid
from derive.scalar.values import evaluate
from derive.spec import expr as ex
from derive.spec.model import Network
from derive.vocabulary import FUNCTIONS


def network(equation: str, w: float = 0.5, x: float = 0.3, **extra) -> Network:
    return Network.from_equations(equations={"z": equation, "E": "(z - y)**2"},
                                  inputs={"x": x}, targets={"y": 0.1}, parameters={"w": w, **extra},
                                  cost="E")


# ------------------------------------------------------------------------- the depth limit


def test_the_deepest_nesting_read_is_exactly_the_limit():
    ex.parse("(" * ex.MAX_DEPTH + "x" + ")" * ex.MAX_DEPTH, FUNCTIONS)
    with pytest.raises(ex.ExprError, match=f"deeper than {ex.MAX_DEPTH} levels") as err:
        ex.parse("(" * (ex.MAX_DEPTH + 1) + "x" + ")" * (ex.MAX_DEPTH + 1), FUNCTIONS)
    assert err.value.column == ex.MAX_DEPTH + 1  # the parenthesis that goes past it


def test_what_the_depth_limit_lets_through_derives_writes_up_and_generates():
    """SymPy recurses on trees (diff, printing, cse): the limit must keep it below Python's
    recursion limit for the deepest equation the parser accepts."""
    from codegen.emit import emit_module
    deepest = "sigmoid(" * (ex.MAX_DEPTH - 1) + "w*x" + ")" * (ex.MAX_DEPTH - 1)
    net = network(deepest)
    values = compute(derive(net))
    assert math.isfinite(values.gradients["w"])
    doc = writeup(net)
    assert r"\sigma" in doc.latex() and doc.markdown() and json.loads(doc.json())
    assert "def gradient" in emit_module(net)


def test_a_power_tower_at_the_limit_derives():
    tower = "**".join(["w"] * ex.MAX_DEPTH)
    values = compute(derive(network(tower, w=1.1)))
    assert math.isfinite(values.gradients["w"])


def test_long_flat_chains_need_no_recursion():
    """Sums, products and signs are read in loops and built as one Add or Mul."""
    names = [f"w{i}" for i in range(3000)]
    tree = ex.parse("*".join(names), FUNCTIONS)
    symbols = {n: sympy.Symbol(n) for n in names}
    built = ex.to_sympy(tree, lambda ref: symbols[ref.id], lambda f: None)
    assert built == sympy.Mul(*symbols.values())
    assert [r.id for r in ex.names(tree)] == names
    assert ex.parse("-" * 5001 + "x", FUNCTIONS) == ex.Unary("-", ex.Name("x", 5001), 0)
    assert ex.parse("- -x", FUNCTIONS) == ex.Unary("+", ex.Name("x", 3), 0)
    wide = " + ".join(f"{n}*x" for n in names[:2000]) + " - x/2"
    assert len(ex.to_sympy(ex.parse(wide, FUNCTIONS), lambda r: sympy.Symbol(r.id),
                           lambda f: None).args) == 2001


def test_claims_with_long_chains_are_judged():
    net = network("w*x")
    [v] = check(net, ["E = " + " ".join(["(z - y)"] * 2) + " * 1"])
    assert v.verdict == "holds", v.detail
    [v] = check(net, ["dE/dw = " + "*".join(["z"] * 3000)])
    assert v.verdict == "wrong"


def test_evaluation_needs_no_recursion_and_shares_subexpressions():
    x = sympy.Symbol("x", real=True)
    deep = x
    for i in range(3000):
        deep = sigmoid(deep, evaluate=False) + 1 if i % 2 else 2 * sigmoid(deep, evaluate=False)
    assert math.isfinite(evaluate(deep, {x: 0.5}))
    shared = x
    for _ in range(200):  # 2**200 paths through the tree, 200 distinct subexpressions
        shared = sympy.Add(shared, shared * x, evaluate=False)
    assert evaluate(shared, {x: 0.0}) == 0.0


def test_claims_about_a_network_with_a_narrow_domain_terminate():
    """Random points where the network has no value are skipped a bounded number of times
    (it looped for ever when no random point was in the domain)."""
    net = network("sqrt(w - 2)", w=3.0)
    [v] = check(net, ["z = sqrt(w - 2)"])
    assert v.verdict == "holds"
    [v] = check(net, ["z = 1"])
    assert v.verdict == "holds"


# ---------------------------------------------------------------------- leaky_relu's slope


@pytest.mark.parametrize("x", [-0.7, 0.4])
def test_a_trainable_leaky_relu_slope_has_the_gradient_of_finite_differences(x):
    net = Network.from_equations(equations={"z": "w*x", "a": "leaky_relu(z, s)",
                                            "E": "(a - y)**2/2"},
                                 inputs={"x": x}, targets={"y": 0.3},
                                 parameters={"w": 1.5, "s": 0.2})
    values = compute(derive(net))

    def cost(**change):
        return compute(derive(net.with_values(parameters=change))).cost
    h = 1e-6
    for p, v in (("s", 0.2), ("w", 1.5)):
        numeric = (cost(**{p: v + h}) - cost(**{p: v - h})) / (2 * h)
        assert values.gradients[p] == pytest.approx(numeric, rel=1e-6, abs=1e-9)
    assert (values.gradients["s"] == 0) == (x > 0)  # the slope only acts below zero


def test_leaky_relu_derivatives_by_argument():
    x, s = sympy.symbols("x s", real=True)
    assert sympy.diff(leaky_relu(x, s), s) == x * (1 - sympy.Heaviside(x, 0))
    assert sympy.diff(leaky_relu(x), x) == sympy.Heaviside(x, 0) + (1 - sympy.Heaviside(x, 0)) / 100


def test_a_trainable_slope_through_the_cli(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text('[inputs]\nx = -2\n[parameters]\ns = 0.1\n[equations]\n'
                    'a = "leaky_relu(x, s)"\nE = "a*a"\n', encoding="utf-8")
    assert cli.main(["derive", str(path), "--format", "json"]) == 0
    gradients = json.loads(capsys.readouterr().out)["gradients"]
    assert gradients["s"] == pytest.approx(2 * (0.1 * -2) * -2)  # dE/ds = 2a·x


@pytest.mark.parametrize("claim,verdict", [
    ("o1 = (w5*H1 + w6*H2 + b2)**12", "wrong"),            # factoring it took half a minute
    ("o1 = (w5*H1 + w6*H2 + b2)**64", "wrong"),
    ("o1 = o1 + ((x1+x2+w1+w2+w3+w4+1)**32*(x1+x2+w1+w2+w3+w4-1)**32"
     " - ((x1+x2+w1+w2+w3+w4)**2-1)**32)", "wrong"),       # expanding it: 10^9 terms
])
def test_claims_with_big_powers_are_judged_quickly(claim, verdict):
    import time
    from derive.spec.examples import load_example
    start = time.perf_counter()
    [v] = check(load_example("seed004_afteracademy"), [claim])
    assert v.verdict == verdict
    assert time.perf_counter() - start < 10
