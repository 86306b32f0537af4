"""LaTeX of numbers and names (:mod:`derive.writeups.printing`): rounding only for print, and
a default spelling that is always allowed math and always compiles."""

from __future__ import annotations


import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.latex_text import check_spelling
from derive.spec.model import Network
from derive.writeups.build import writeup
from derive.writeups.pdf import compile_pdf
from derive.writeups.printing import default_spelling, number
from tests.writeups.support import require_tex


def test_number_formatting_rounds_only_for_print():
    assert number(0.000687323456) == "0.000687323"
    assert number(-1.5e-7) == r"-1.5 \times 10^{-7}"
    assert number(0.0) == "0"


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[A-Za-z][A-Za-z_0-9]{0,12}", fullmatch=True))
def test_a_default_spelling_is_always_allowed_math(name):
    check_spelling(default_spelling(sympy.Symbol(name)))


def test_a_name_sympy_would_spell_with_a_missing_package_compiles(tmp_path):
    """``xscr`` is ``\\mathscr{x}`` to SymPy (mathrsfs, which the write-up does not load)."""
    require_tex()
    net = Network.from_equations(equations={"z": "xscr*wnorm", "C": "1/2*(z - y)**2"},
                                 inputs={"xscr": 1.0}, targets={"y": 0.5},
                                 parameters={"wnorm": 0.3})
    compile_pdf(writeup(net).latex(), tmp_path / "w.pdf")
