"""The formula judge: hints only where they are true, and no 'holds' for a formula that
differs anywhere."""

from derive.claims.check import Checker, check
from derive.claims.claim import WRONG
from tests.claims.examples import NET, W


def test_no_factor_hint_when_the_ratio_is_not_constant():
    """|o1| against o1: equal where o1 > 0, so a ratio of 1 at some points must not become
    'the truth is the claim times 1'."""
    verdict = check(NET["seed004_afteracademy"], ["o1 = sqrt(o1^2)"])[0]
    assert verdict.verdict == W and "differs at" in verdict.detail
    assert "claim times" not in verdict.detail, verdict.detail


def test_formula_with_a_typo_holds_nowhere():
    """'holds' is never given to a formula that differs numerically at any point."""
    checker = Checker(NET["seed004_afteracademy"])
    [v] = checker.check_all(["dE/dw5 = 10*x1*(O1 - y1)*O1*(1 - O1)*H1"])
    assert v.verdict == WRONG and "x1=" in v.detail and "x1=0.1," not in v.detail
