"""derive.spec.expr_numbers: literals are exact within their length limit, parts made of numbers
only are refused at their column when they have no finite real float64 value, and values
without one are named with their node and line."""

from __future__ import annotations

import pytest
import sympy

from derive import compute, derive
from derive.errors import SpecError
from derive.spec import expr as ex
from derive.spec.expr_numbers import MAX_NUMBER_LENGTH
from derive.spec.model import Network
from derive.vocabulary import FUNCTIONS


def test_literals_are_exact_within_the_length_limit():
    longest = "0." + "3" * (MAX_NUMBER_LENGTH - 2)
    assert ex.number(longest) == sympy.Rational(int("3" * (MAX_NUMBER_LENGTH - 2)),
                                                10 ** (MAX_NUMBER_LENGTH - 2))
    assert ex.number("0.1") == sympy.Rational(1, 10)
    assert ex.number("0e99999999") == 0
    assert ex.number("2.5e-3") == sympy.Rational(1, 400)
    with pytest.raises(ex.ExprError, match="more than the 100"):
        ex.parse(longest + "3", FUNCTIONS)


@pytest.mark.parametrize("text", ["2**1000", "x**64", "x**-64", "log(exp(-1000))",
                                  "1/(1e-200*1e-200)", "(-8)**3", "(-8)**(2/2)", "0**0",
                                  "exp(709)", "sqrt(0)", "x/(1 - 0.5 - 0.5 + 1e-300)"])
def test_number_parts_in_range_are_accepted(text):
    ex.parse(text, FUNCTIONS)


@pytest.mark.parametrize("text,column", [("x + 1/0", 6), ("x + log(0)", 5), ("2**(3 + 10**400)", 11),
                                         ("x*10**10**10", 5), ("w**65", 2)])
def test_number_parts_out_of_range_give_their_column(text, column):
    with pytest.raises(ex.ExprError) as err:
        ex.parse(text, FUNCTIONS)
    assert err.value.column == column


def test_a_power_tower_is_refused_at_once():
    """9**9**9 is an exact integer of 370 million digits: SymPy ran for minutes."""
    import time
    start = time.perf_counter()
    for text in ("9**9**9", "10**10**10", "0.1**100000000", "2**2**2**2**2**2"):
        with pytest.raises(ex.ExprError, match="float64"):
            ex.parse(text, FUNCTIONS)
    assert time.perf_counter() - start < 1


def test_values_without_a_finite_real_value_name_the_node_and_its_line(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[inputs]\nx = 0.3\n[parameters]\nw = 0.5\n[equations]\n'
                    'h = "w*x"\nz = "sqrt(h - 1)"\nE = "z*z"\n', encoding="utf-8")
    with pytest.raises(SpecError) as err:
        compute(derive(Network.from_toml(path)))
    message = str(err.value)
    assert message.startswith(f"{path}:7: equations.z: the value of z")
    assert "square root of a negative number" in message
