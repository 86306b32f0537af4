"""The number judge: numbers in dependency order, and none judged without values."""

from derive.claims.check import check
from derive.claims.claim import HOLDS, UNREADABLE
from derive.spec.model import Network
from tests.claims.examples import NET


def test_numbers_in_dependency_order_whatever_the_input_order():
    net = NET["seed004_afteracademy"]
    claims = ["E = 0.22661423", "O1 = 0.6888201", "O2 = 0.7375445", "o1 = 0.794609"]
    e, o1_out, o2_out, o1 = check(net, claims)
    assert "follows from the earlier claims O1 = 0.6888201 (wrong); O2 = 0.7375445" in e.detail
    assert "follows from the earlier claim o1 = 0.794609" in o1_out.detail
    assert "first wrong value" in o1.detail and "b2 = 0.45" in o1.detail


def test_no_values_means_numbers_cannot_be_checked():
    net = Network.from_equations(equations={"z": "w*x", "C": "1/2*(z - y)**2"}, inputs={"x": None},
                                 targets={"y": None}, parameters={"w": None}, cost="C")
    formula, number = check(net, ["dC/dw = (z - y)*x", "z = 0.3"])
    assert formula.verdict == HOLDS
    assert number.verdict == UNREADABLE and "no values" in number.detail
