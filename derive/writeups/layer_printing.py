"""LaTeX of the layer level's SymPy expressions: indexed entries, matrices, ⊙ and sums, in the
spec's notation.

The layer template (:mod:`derive.layer.template`) names every quantity by its letter and layer
(``w^{l + 1}``, ``delta^{L}``, ``Delta^{l}`` for a batch), with the letters from the spec's
notation (ASCII letters only, checked when the spec is read). :class:`LayerPrinter` prints
them as textbooks do: ``w^{l+1}_{jk}`` for an entry, ``\\delta^{L}`` for δ,
``(w^{l+1})^{T} \\delta^{l+1}`` for a product, ``\\odot`` for the elementwise product, an
elementwise function as the function of the vector (``\\sigma(z^{l})``) and ∂C/∂θ as a partial.
"""

from __future__ import annotations

import re

import sympy
from derive.writeups.printing import SpellingPrinter

#: ``w^{l + 1}``, ``\Delta w^{l}``, ``m_w^{l}``: a letter and its layer, with the prefix of an
#: optimizer's state (derive/layer/updates.py), as the layer level names its quantities.
_LABEL = re.compile(r"(?P<prefix>\\Delta |m_|s_)?(?P<letter>[A-Za-z]+)\^\{(?P<layer>[^{}]*)\}\Z")

#: The layer level's own letters (the notation's are printed as the spec spells them).
_GREEK = {"delta": r"\delta", "Delta": r"\Delta"}


def spell_label(label: str) -> str | None:
    """The LaTeX of a layer quantity's name (``delta^{l + 1}`` → ``\\delta^{l+1}``), or None
    for a name that is not one."""
    found = _LABEL.match(label)
    if found is None:
        return None
    layer = found["layer"].replace(" ", "")
    return f"{_GREEK.get(found['letter'], found['letter'])}^{{{layer}}}"


def _state(label: str) -> tuple[str, str | None]:
    """An optimizer state's prefix (``\\Delta ``, ``m``, ``s``) and the parameter's label."""
    found = _LABEL.match(label)
    if found is None or not found["prefix"]:
        return "", None
    return found["prefix"], f"{found['letter']}^{{{found['layer']}}}"


class LayerPrinter(SpellingPrinter):
    """LaTeX of layer-level rules in the spec's notation (``names`` spell other symbols)."""

    def __init__(self, names: dict[sympy.Symbol, str] | None = None, wide: bool = False,
                 **settings):
        super().__init__(dict(names or {}), **settings)
        #: entries of a network with a layer of 10 or more neurons: w^{2}_{10,3}, as the
        #: spec's names spell them (derive/spec/layered.py)
        self.wide = wide

    # ---- names ------------------------------------------------------------------------

    def _name(self, label: str) -> str:
        prefix, parameter = _state(label)
        if parameter is not None:
            return (r"\Delta " if prefix.startswith("\\") else "") + spell_label(parameter)
        return spell_label(label) or label

    def _print_Symbol(self, expr, style="plain"):
        if expr in self.names:
            return self.names[expr]
        spelled = spell_label(expr.name) if _state(expr.name)[1] is None else None
        if spelled is not None:
            return spelled
        prefix, parameter = _state(expr.name)
        if parameter is not None:  # a shared bias's optimizer state: m_{b^{l}}
            inner = spell_label(parameter)
            return rf"\Delta {inner}" if prefix.startswith("\\") else f"{prefix[0]}_{{{inner}}}"
        return super()._print_Symbol(expr, style)

    def _print_IndexedBase(self, expr):
        return self._name(str(expr.label))

    def _print_Indexed(self, expr):
        indices = [self._print(i) for i in expr.indices]
        narrow = all(len(i) == 1 for i in indices) and not (
            self.wide and any(i.is_Integer for i in expr.indices))
        joined = ("" if narrow else ",").join(indices)
        prefix, parameter = _state(str(expr.base.label))
        if parameter is not None and not prefix.startswith("\\"):
            return f"{prefix[0]}_{{{spell_label(parameter)}_{{{joined}}}}}"  # m_{w^{l}_{jk}}
        return f"{self._name(str(expr.base.label))}_{{{joined}}}"

    def _print_Pow(self, expr):
        """A power of an entry that has a superscript is bracketed, ``(a^{l}_{k})^{2}``:
        TeX refuses ``a^{l}_{k}^{2}`` (a double superscript)."""
        if not isinstance(expr.base, sympy.Indexed):
            return super()._print_Pow(expr)
        stand_in = sympy.Dummy("entry")     # a symbol's power: SymPy brackets a script
        self.names[stand_in] = self._print(expr.base)
        try:
            return super()._print_Pow(sympy.Pow(stand_in, expr.exp, evaluate=False))
        finally:
            del self.names[stand_in]

    def _print_MatrixSymbol(self, expr):
        return self._name(expr.name)

    # ---- derivatives ------------------------------------------------------------------

    def _print_Derivative(self, expr):
        (variable, count), = expr.variable_count
        power = "" if count == 1 else f"^{{{count}}}"
        return (rf"\frac{{\partial{power} {self._print(expr.expr)}}}"
                rf"{{\partial {self._print(variable)}{power}}}")

    # ---- matrices ---------------------------------------------------------------------

    def _print_Transpose(self, expr):
        base = self._print(expr.arg)
        if not isinstance(expr.arg, sympy.MatrixSymbol) or "^" in base:
            base = rf"\left({base}\right)"
        return base + "^{T}"

    def _print_HadamardProduct(self, expr):
        return r" \odot ".join(self._factor(a, products=True) for a in expr.args)

    def _print_HadamardPower(self, expr):
        return rf"{self._factor(expr.base, scripts=True)}^{{\odot {self._print(expr.exp)}}}"

    def _print_OneMatrix(self, expr):
        rows, cols = expr.shape
        return r"\mathbf{1}^{T}" if rows == 1 and cols != 1 else r"\mathbf{1}"

    def _print_MatMul(self, expr):
        coefficient, factors = expr.as_coeff_matrices()
        text = " ".join(self._factor(f) for f in factors)
        if coefficient == 1:
            return text
        if coefficient == -1:
            return "- " + text
        return self._print(coefficient) + " " + text

    def _print_ElementwiseApplyFunction(self, expr):
        """f applied to every entry of a vector, as f of the vector: σ(z^l), 1_{z^l > 0}."""
        variable = expr.function.variables[0]
        stand_in = sympy.Dummy("v")
        self.names[stand_in] = self._print(expr.expr)
        try:
            return self._print(expr.function.expr.xreplace({variable: stand_in}))
        finally:
            del self.names[stand_in]

    def _factor(self, expr, products: bool = False, scripts: bool = False) -> str:
        """A factor of a product: bracketed when it is a sum or a product of its own (any
        matrix product, inside ⊙: ``(Wᵀδ) ⊙ f′(z)``), or carries a script under a power."""
        text = self._print(expr)
        if isinstance(expr, (sympy.MatAdd, sympy.HadamardProduct)) or (
                isinstance(expr, sympy.MatMul) and (products or expr.args[0].is_Number)) or (
                scripts and "^" in text):
            return rf"\left({text}\right)"
        return text



def leading(theta: sympy.Expr, rhs: sympy.Expr) -> sympy.Expr:
    """An update's right side with the parameter's old value first (θ − η ∂C̄/∂θ, as the
    posts write it), unevaluated, for a printer with ``order="none"``; ``rhs`` itself when
    θ is not one term of it (θ inside a gradient ∂C̄/∂θ does not count)."""
    rest = sympy.expand(rhs - theta)
    gradients = {d: sympy.Dummy() for d in rest.atoms(sympy.Derivative)}
    if rest.xreplace(gradients).has(theta) or not rhs.xreplace(gradients).has(theta):
        return rhs
    return sympy.Add(theta, rest, evaluate=False)
