"""LayerPrinter: the layer level's SymPy expressions as textbooks print them."""

from __future__ import annotations

import sympy
from sympy import HadamardProduct, MatrixSymbol

from derive.layer.template import indexed, j, k, l
from derive.writeups.layer_printing import LayerPrinter, leading, spell_label


def test_entries_matrices_and_partials():
    p = LayerPrinter()
    w, delta = indexed("w", l + 1), indexed("delta", l + 1)
    assert p.doprint(w[j, k]) == "w^{l+1}_{jk}"
    assert p.doprint(sympy.Derivative(sympy.Symbol("C"), w[j, k], evaluate=False)) == \
        r"\frac{\partial C}{\partial w^{l+1}_{jk}}"
    W, d, z = (MatrixSymbol(name, 3, 3 if name == "w^{l + 1}" else 1)
               for name in ("w^{l + 1}", "delta^{l + 1}", "z^{l}"))
    assert p.doprint(HadamardProduct(W.T * d, z)) == \
        r"\left(\left(w^{l+1}\right)^{T} \delta^{l+1}\right) \odot z^{l}"
    assert spell_label("Delta^{l + 1}") == r"\Delta^{l+1}" and spell_label("x") is None
    assert p.doprint(delta[1]) == r"\delta^{l+1}_{1}"


def test_wide_networks_separate_numeric_indices():
    w = indexed("w", 2)
    assert LayerPrinter().doprint(w[1, 2]) == "w^{2}_{12}"
    assert LayerPrinter(wide=True).doprint(w[10, 2]) == "w^{2}_{10,2}"


def test_an_update_keeps_the_parameter_first():
    w, eta = indexed("w", l)[j, k], sympy.Symbol("eta")
    g = sympy.Derivative(sympy.Symbol(r"\bar{C}"), w, evaluate=False)
    shown = LayerPrinter(order="none").doprint(leading(w, w - eta * g))
    assert shown == r"w^{l}_{jk} - \eta \frac{\partial \bar{C}}{\partial w^{l}_{jk}}"


def test_a_power_of_an_entry_is_bracketed():
    """tanh′ is 1 − (a^l_k)²: TeX refuses a^{l}_{k}^{2} (double superscript), so the
    write-up of a tanh network (xor) would not compile."""
    from derive.latex_text import CLAIM_COMMANDS, check_math
    entry = sympy.Indexed(sympy.IndexedBase("a^l"), sympy.Symbol("k"))
    printed = LayerPrinter().doprint(1 - entry**2)
    assert printed == r"1 - \left(a^l_{k}\right)^{2}"
    check_math(printed, CLAIM_COMMANDS)     # which refuses a double script
