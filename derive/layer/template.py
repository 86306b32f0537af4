"""The layer template in indexed SymPy symbols, named in a spec's notation.

One layer l of a layered network is three small equations over ``IndexedBase`` symbols:

    z^l_j = Σ_k w^l_{jk} a^{l−1}_k + b^l_j        (shared bias: + b^l; none: no term)
    a^l_j = f(z^l_j)                              (softmax: e^{z^l_j} / Σ_i e^{z^l_i})
    C     = loss(a^L, y)                          (the output layer L only)

The layer number ``l`` is a SymPy expression: a symbol for the general rules (``l``, ``l + 1``,
``L``) or a whole number for one layer of a given network. It is the author's number of the
layer (the input layer is ``notation.first_layer``); the superscript a weight or a bias carries
follows ``notation.weight_layer`` / ``bias_layer`` (seed 000 labels the weights into layer l
with l − 1), and ``notation.weight_index`` says whether w_{jk} or w_{kj} is the weight from
neuron k to neuron j. The equations mean what the scalar level's unrolled ones mean
(derive/spec/layered.py writes them): the same activations, the same losses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy

from derive.errors import ChainruleError
from derive.functions import function
from derive.vocabulary import ACTIVATIONS, LOSSES

#: The free and summed indices of the rules, as the textbooks name them.
j, k, i, m = sympy.symbols("j k i m", integer=True, positive=True)
#: The row of a batch, and the number of rows.
n = sympy.Symbol("n", integer=True, positive=True)
N = sympy.Symbol("N", integer=True, positive=True)
#: The general layer and the output layer.
l, L = sympy.symbols("l L", integer=True)


def superscript(letter: str, layer: sympy.Expr) -> str:
    """A base's name with the layer as a LaTeX superscript: ``w^{l+1}``, ``a^{2}``."""
    return f"{letter}^{{{sympy.latex(layer)}}}"


def indexed(letter: str, layer: sympy.Expr) -> sympy.IndexedBase:
    """The indexed quantity ``letter`` of ``layer`` (real, as the scalar level's symbols)."""
    return sympy.IndexedBase(superscript(letter, layer), real=True)


@dataclass(frozen=True)
class Template:
    """The layer template of one notation: the symbols and the equations of any layer.

    ``size(layer)`` gives the number of neurons of a layer (a symbol n^l for the general
    rules, a number for a given network's layer).
    """

    notation: object  # a derive.spec.notation.Notation (read through its attributes)
    size: Callable[[sympy.Expr], sympy.Expr]

    # ---- symbols ------------------------------------------------------------------------

    def z(self, layer: sympy.Expr) -> sympy.IndexedBase:
        """The weighted inputs z^l of ``layer``."""
        return indexed(self.notation.preactivation, layer)

    def a(self, layer: sympy.Expr) -> sympy.IndexedBase:
        """The activations a^l of ``layer`` (the input layer's are the inputs x)."""
        if layer == self.notation.first_layer:
            return sympy.IndexedBase(self.notation.input, real=True)
        return indexed(self.notation.activation, layer)

    def y(self) -> sympy.IndexedBase:
        """The targets y."""
        return sympy.IndexedBase(self.notation.target, real=True)

    def delta(self, layer: sympy.Expr) -> sympy.IndexedBase:
        """δ^l, standing for ∂C/∂z^l of ``layer``."""
        return indexed("delta", layer)

    def weight_layer(self, layer: sympy.Expr) -> sympy.Expr:
        """The superscript of the weights into ``layer``."""
        return layer if self.notation.weight_layer == "target" else layer - 1

    def bias_layer(self, layer: sympy.Expr) -> sympy.Expr:
        """The superscript of the biases of ``layer``."""
        return layer if self.notation.bias_layer == "target" else layer - 1

    def weights(self, layer: sympy.Expr) -> sympy.IndexedBase:
        """The weights into ``layer``, as its notation labels them."""
        return indexed(self.notation.weight, self.weight_layer(layer))

    def weight(self, layer: sympy.Expr, to: sympy.Expr, frm: sympy.Expr) -> sympy.Indexed:
        """The weight into neuron ``to`` of ``layer`` from neuron ``frm`` of the layer before."""
        pair = (to, frm) if self.notation.weight_index == "jk" else (frm, to)
        return self.weights(layer)[pair]

    def bias(self, layer: sympy.Expr, mode: str, to: sympy.Expr):
        """The bias of neuron ``to`` of ``layer``: b^l_j, the one b^l (shared), or None."""
        if mode == "none":
            return None
        if mode == "shared":
            return sympy.Symbol(superscript(self.notation.bias, self.bias_layer(layer)),
                                real=True)
        return indexed(self.notation.bias, self.bias_layer(layer))[to]

    # ---- equations ----------------------------------------------------------------------

    def preactivation(self, layer: sympy.Expr, mode: str, to: sympy.Expr = j,
                      over: sympy.Symbol = k) -> sympy.Expr:
        """z^l_to = Σ_over w^l_{to,over} a^{l−1}_over (+ the bias of ``mode``)."""
        total = sympy.Sum(self.weight(layer, to, over) * self.a(layer - 1)[over],
                          (over, 1, self.size(layer - 1)))
        bias = self.bias(layer, mode, to)
        return total if bias is None else total + bias

    def activation(self, layer: sympy.Expr, name: str, to: sympy.Expr = j,
                   over: sympy.Symbol = i) -> sympy.Expr:
        """a^l_to = f(z^l_to); softmax divides by Σ_over e^{z^l_over}."""
        z = self.z(layer)
        if name == "identity":
            return z[to]
        if name == "softmax":
            return sympy.exp(z[to]) / sympy.Sum(sympy.exp(z[over]), (over, 1, self.size(layer)))
        if name not in ACTIVATIONS:
            raise ChainruleError(f"unknown activation {name!r}",
                                 hint="expected one of " + ", ".join(ACTIVATIONS))
        return function(name)(z[to])

    def loss(self, layer: sympy.Expr, name: str, over: sympy.Symbol = i) -> sympy.Expr:
        """The cost C of the output ``layer`` under the loss ``name``, summed over ``over``."""
        a, y, size = self.a(layer)[over], self.y()[over], self.size(layer)
        terms = {
            "squared_error": sympy.Rational(1, 2) * (y - a) ** 2,
            "mean_squared_error": (y - a) ** 2 / size,
            "binary_cross_entropy": -(y * sympy.log(a) + (1 - y) * sympy.log(1 - a)),
            "categorical_cross_entropy": -y * sympy.log(a),
        }
        loss = LOSSES.get(name)
        if loss is None:
            raise ChainruleError(f"unknown loss {name!r}",
                                 hint="expected one of " + ", ".join(sorted(set(LOSSES.values()))))
        return sympy.Sum(terms[loss], (over, 1, size))


def size_symbol(layer: sympy.Expr) -> sympy.Symbol:
    """n^l, the number of neurons of a general layer."""
    return sympy.Symbol(superscript("n", layer), integer=True, positive=True)
