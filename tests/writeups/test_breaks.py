"""Long display equations broken over lines (:mod:`derive.writeups.breaks`): the same math,
within the budget where the math allows, and a quick width bound that is a bound."""

from __future__ import annotations

import re


from derive.spec.examples import example_path
from derive.spec.model import Network
from derive.writeups.build import writeup
from tests.networks import written_up_examples
from tests.writeups.support import GOLDEN_EXAMPLES


def _steps(network):
    from derive.writeups.parts import Display
    for section in writeup(network).sections:
        for block in section.blocks:
            if isinstance(block, Display):
                for lhs, steps in block.rows:
                    yield lhs
                    yield from (step for _, step in steps)


def test_a_broken_line_is_the_same_math():
    """Breaking only moves terms to new lines: with the fixed-size brackets back as
    \\left/\\right, the lines read as the step did."""
    from derive.writeups.breaks import break_step
    long = [s for name in GOLDEN_EXAMPLES for s in _steps(Network.from_toml(example_path(name)))
            if len(break_step(s, 440, 418)) > 1]
    assert len(long) >= 6, "seed 004's closed forms of w1-w4, b1 and b2 are broken"
    for step in long:
        joined = " ".join(break_step(step, 440, 418))
        joined = re.sub(r"\\[Bb]ig([lr])([(\[])", lambda m: ("\\left" if m.group(1) == "l"
                                                            else "\\right") + m.group(2), joined)
        joined = re.sub(r"\\[Bb]igr\)", r"\\right)", joined)
        assert "".join(joined.split()) == "".join(step.split())


def test_every_line_fits_its_budget_where_the_math_allows():
    from derive.writeups.breaks import break_step, text_width
    net = Network.layered([3, 12], ["softmax"], loss="categorical_cross_entropy",
                          inputs=[0.5, -0.2, 0.1], targets=[1] + [0] * 11)
    for step in _steps(net):
        for line in break_step(step, 300, 280):
            assert text_width(line) <= 300 + 30, line   # + a bracket's or a fraction's head


def test_the_quick_width_bound_is_a_bound():
    from derive.writeups.breaks import _quick_bound, text_width
    for name in written_up_examples():
        for step in _steps(Network.from_toml(example_path(name))):
            assert _quick_bound(step) >= text_width(step), step
