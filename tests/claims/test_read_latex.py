"""The LaTeX reader: a run of letters and digits that is a name of the network is that name."""

import pytest

from derive.claims.check import check
from derive.spec.examples import load_example
from derive.spec.model import Network
from tests.claims.examples import H, W


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
